//! [`serve()`]: accepting connections (plain TCP or TLS) with header-read, idle and handshake timeouts, each
//! connection served by hyper's HTTP/1.1 with keep-alive, and a graceful shutdown that lets in-flight requests
//! finish for at most [`Timeouts::drain`], then closes what is left. The whole-request timeout is a layer of the
//! router ([`crate::with_request_timeout`]), so its answer carries the server's own error body.
//!
//! `axum::serve` offers none of these timeouts: a client sending half a request line held its connection
//! forever.

mod activity;
mod connection;

use axum::Router;
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

/// A server's connection timeouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// From a connection's opening — or, on a kept-alive connection, from the first byte of the next
    /// request — until the request's head (request line and headers) is complete, the TLS handshake included.
    /// Default 10 s.
    pub header_read: Duration,
    /// From a request's complete head until its answer, reading the body included. Default 60 s, longer than
    /// every protocol timeout (check sale: 30 s), so it never changes a sale's outcome.
    pub request: Duration,
    /// How long a kept-alive connection may wait for its next request. Default 60 s.
    pub idle: Duration,
    /// At shutdown, how long in-flight requests may still finish before their connections are closed.
    /// Default 5 s.
    pub drain: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            request: Duration::from_secs(60),
            idle: Duration::from_secs(60),
            drain: Duration::from_secs(5),
        }
    }
}

/// How a server speaks on its listener: the timeouts, and HTTPS when `tls` is set.
#[derive(Clone, Debug, Default)]
pub struct Transport {
    /// Connection and request timeouts.
    pub timeouts: Timeouts,
    /// The certificate to serve HTTPS with; `None` serves plain HTTP.
    pub tls: Option<tls::ServerTls>,
}

impl Transport {
    /// `https` or `http`, for the server's own URLs (`listening on`, `redirectUrl`).
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }
}

/// After an accept error that is not about one connection (no file descriptors left…), wait before the next
/// accept instead of spinning; the connections already open keep being served.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `router` on `listener` until `shutdown` resolves; then stops accepting, asks every connection to
/// close once its request is answered, and after [`Timeouts::drain`] closes the rest. Returns how many
/// connections were cut off.
///
/// # Errors
/// None today: accept errors are logged and retried. The `Result` keeps the signature of the servers' `serve`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    transport: &Transport,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<usize> {
    let timeouts = transport.timeouts;
    let acceptor = transport
        .tls
        .as_ref()
        .map(|tls| TlsAcceptor::from(tls.config()));
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        while connections.try_join_next().is_some() {}
        match accepted {
            Ok((tcp, peer)) => {
                let _ = tcp.set_nodelay(true);
                connections.spawn(connection::serve(
                    tcp,
                    peer,
                    acceptor.clone(),
                    router.clone(),
                    timeouts,
                    graceful.watcher(),
                ));
            }
            Err(error) if is_about_one_connection(&error) => {
                tracing::debug!(%error, "a connection failed before it was accepted");
            }
            Err(error) => {
                tracing::error!(%error, "cannot accept connections; retrying");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
    drop(listener);
    Ok(drain(graceful, connections, timeouts.drain).await)
}

/// Waits up to `grace` for the connections to finish their requests, then closes the rest.
async fn drain(graceful: GracefulShutdown, mut connections: JoinSet<()>, grace: Duration) -> usize {
    let open = graceful.count();
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_ok()
    {
        tracing::info!(open, "shutdown: every open connection finished");
        connections.abort_all();
        return 0;
    }
    while connections.try_join_next().is_some() {}
    let cut_off = connections.len();
    tracing::warn!(
        cut_off,
        grace_ms = %grace.as_millis(),
        "shutdown: requests still in flight after the grace period were cut off"
    );
    connections.abort_all();
    while connections.join_next().await.is_some() {}
    cut_off
}

fn is_about_one_connection(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    )
}

#[cfg(test)]
mod tests;
