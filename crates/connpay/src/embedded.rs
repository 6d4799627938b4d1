//! The embedded default: the gateway and the Connecting Party server as libraries inside the calling process,
//! on loopback ports, talking HTTP exactly as the separate binaries do.

use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Servers started in this process; [`Embedded::stop`] shuts them down gracefully.
#[derive(Debug)]
pub struct Embedded {
    stop: watch::Sender<()>,
    servers: Vec<JoinHandle<std::io::Result<()>>>,
}

impl Default for Embedded {
    fn default() -> Self {
        Self {
            stop: watch::channel(()).0,
            servers: Vec::new(),
        }
    }
}

impl Embedded {
    /// Starts the reference Connecting Party server on `listen` (port 0: a free port) and returns its base URL.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start_party(
        &mut self,
        listen: SocketAddr,
        config: party::Config,
    ) -> std::io::Result<String> {
        let (listener, url) = bind(listen).await?;
        let state = party::AppState::new(config);
        self.servers.push(tokio::spawn(party::serve(
            listener,
            state,
            self.until_stopped(),
        )));
        Ok(url)
    }

    /// Starts the gateway on `listen`; `configure` gets the gateway's own base URL (for `redirectUrl`).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start_gateway(
        &mut self,
        listen: SocketAddr,
        configure: impl FnOnce(&str) -> gateway::Config,
    ) -> std::io::Result<String> {
        let (listener, url) = bind(listen).await?;
        let state = gateway::AppState::new(configure(&url));
        self.servers.push(tokio::spawn(gateway::serve(
            listener,
            state,
            self.until_stopped(),
        )));
        Ok(url)
    }

    fn until_stopped(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut stopped = self.stop.subscribe();
        async move {
            let _ = stopped.changed().await;
        }
    }

    /// Stops every server: they finish in-flight requests and drain their outbound deliveries.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        for server in self.servers {
            match server.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::warn!(%error, "embedded server stopped with an error"),
                Err(error) => tracing::error!(%error, "embedded server task failed"),
            }
        }
    }
}

async fn bind(listen: SocketAddr) -> std::io::Result<(TcpListener, String)> {
    let listener = TcpListener::bind(listen).await?;
    let url = format!("http://{}", listener.local_addr()?);
    Ok((listener, url))
}

/// A loopback address with a free port.
pub fn any_loopback_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}
