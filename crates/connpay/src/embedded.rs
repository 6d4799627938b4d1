//! The embedded default: the gateway and the Connecting Party server as libraries inside the calling process,
//! on loopback ports, talking HTTP exactly as the separate binaries do.

use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Servers started in this process; [`Embedded::stop`] shuts them down gracefully.
#[derive(Debug, Default)]
pub struct Embedded {
    servers: Vec<RunningServer>,
}

#[derive(Debug)]
struct RunningServer {
    stop: watch::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Embedded {
    /// Starts the reference Connecting Party server on `listen` (port 0: a free port) and returns its base URL
    /// (`https://` when `config.transport` has a certificate).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start_party(
        &mut self,
        listen: SocketAddr,
        config: party::Config,
    ) -> std::io::Result<String> {
        let (listener, url) = bind(listen, config.transport.scheme()).await?;
        let state = party::AppState::new(config);
        let (stop, stopped) = watch::channel(());
        let task = tokio::spawn(party::serve(listener, state, until_stopped(stopped)));
        self.servers.push(RunningServer { stop, task });
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
        self.start_gateway_with_tls(listen, None, configure).await
    }

    /// [`Embedded::start_gateway`], serving HTTPS with `tls` when given (its own URL is then `https://`).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start_gateway_with_tls(
        &mut self,
        listen: SocketAddr,
        tls: Option<tls::ServerTls>,
        configure: impl FnOnce(&str) -> gateway::Config,
    ) -> std::io::Result<String> {
        let (url, _) = self.start_gateway_state(listen, tls, configure).await?;
        Ok(url)
    }

    /// [`Embedded::start_gateway_with_tls`], returning the gateway's state too (a demo registers its scenarios
    /// with it, [`gateway::AppState::offer_playbook`]).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start_gateway_state(
        &mut self,
        listen: SocketAddr,
        tls: Option<tls::ServerTls>,
        configure: impl FnOnce(&str) -> gateway::Config,
    ) -> std::io::Result<(String, gateway::AppState)> {
        let scheme = if tls.is_some() { "https" } else { "http" };
        let (listener, url) = bind(listen, scheme).await?;
        let mut config = configure(&url);
        config.transport.tls = tls;
        let state = gateway::AppState::new(config);
        let (stop, stopped) = watch::channel(());
        let task = tokio::spawn(gateway::serve(
            listener,
            state.clone(),
            until_stopped(stopped),
        ));
        self.servers.push(RunningServer { stop, task });
        Ok((url, state))
    }

    /// Stops the servers one by one, the last started first, so that a gateway delivers its pending callbacks to
    /// a Connecting Party server that still listens. Each finishes in-flight requests and drains its deliveries.
    pub async fn stop(self) {
        for RunningServer { stop, task } in self.servers.into_iter().rev() {
            let _ = stop.send(());
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::warn!(%error, "embedded server stopped with an error"),
                Err(error) => tracing::error!(%error, "embedded server task failed"),
            }
        }
    }
}

async fn until_stopped(mut stopped: watch::Receiver<()>) {
    let _ = stopped.changed().await;
}

async fn bind(listen: SocketAddr, scheme: &str) -> std::io::Result<(TcpListener, String)> {
    let listener = TcpListener::bind(listen).await?;
    let url = format!("{scheme}://{}", listener.local_addr()?);
    Ok((listener, url))
}

/// A loopback address with a free port.
pub fn any_loopback_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}
