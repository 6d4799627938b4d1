//! One accepted connection: the TLS handshake when the server speaks HTTPS (within the header-read timeout),
//! then HTTP/1.1 with keep-alive through hyper, watched by its [`Activity`] and by the server's graceful
//! shutdown.

use super::Timeouts;
use super::activity::{Activity, Expired, Tracked};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::Watcher;
use std::convert::Infallible;
use std::net::SocketAddr;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tower::Service;

/// Serves one connection until the client closes it, a timeout closes it, or shutdown does.
pub(super) async fn serve(
    tcp: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    router: Router,
    timeouts: Timeouts,
    watcher: Watcher,
) {
    let activity = Activity::new();
    let tracked = Tracked::new(tcp, std::sync::Arc::clone(&activity));
    let Some(acceptor) = tls else {
        return serve_http(tracked, &activity, router, timeouts, watcher).await;
    };
    // A client that opens a connection and never finishes the handshake is a half-open one too.
    match tokio::time::timeout(timeouts.header_read, acceptor.accept(tracked)).await {
        Ok(Ok(stream)) => serve_http(stream, &activity, router, timeouts, watcher).await,
        // A plain-HTTP request on the HTTPS port ends here, the connection closed: nothing to answer it in.
        Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
        Err(_elapsed) => tracing::debug!(%peer, "TLS handshake timed out"),
    }
}

async fn serve_http<IO>(
    io: IO,
    activity: &std::sync::Arc<Activity>,
    router: Router,
    timeouts: Timeouts,
    watcher: Watcher,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let requests = std::sync::Arc::clone(activity);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let guard = requests.begin();
        let mut router = router.clone();
        async move {
            let response: Result<_, Infallible> = router.call(request).await;
            drop(guard);
            response
        }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    // Our watchdog keeps the header and idle clocks; hyper's header timer would also cut idle connections.
    http.timer(TokioTimer::new())
        .header_read_timeout(None)
        .keep_alive(true);
    let connection = watcher.watch(http.serve_connection(TokioIo::new(io), service));
    tokio::select! {
        served = connection => {
            if let Err(error) = served {
                tracing::debug!(%error, "connection ended with an error");
            }
        }
        why = activity.expired(timeouts) => match why {
            Expired::HeaderRead => tracing::debug!("connection closed: no complete request head in time"),
            Expired::Idle => tracing::debug!("connection closed: idle"),
        },
    }
}
