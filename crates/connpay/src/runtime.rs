//! Process plumbing shared by the binaries: tracing, the shutdown signal, the readiness line, and the warning a
//! server gives when anyone beyond this machine can reach its open control plane.

use std::io::Write;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// The exit code of a server that cannot start with what it was given: a bad flag value (as clap's usage
/// errors), or a data directory that cannot be used.
pub const EXIT_BAD_START: u8 = 2;

/// Logs to stderr, filtered by `RUST_LOG` (default `info`); stdout stays free for the readiness line and reports.
pub fn init_tracing(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Resolves on Ctrl-C or SIGTERM (without a handler, PID 1 in a container ignores SIGTERM).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

/// Binds `addr` (port 0: a free port) and returns the listener with its real address.
///
/// # Errors
/// When the address cannot be bound.
pub async fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

/// Prints `listening on SCHEME://ADDR` (`http` or `https`) as the first stdout line, once the server is
/// configured and about to serve.
///
/// # Errors
/// When stdout cannot be written.
pub fn announce(scheme: &str, local: SocketAddr) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {scheme}://{local}")?;
    stdout.flush()
}

/// A start-up refusal of the command line or a file it names (a certificate, a key, a config file): the message
/// on stderr, exit code 2 like clap's own usage errors.
pub fn usage_error(message: &str) -> std::process::ExitCode {
    eprintln!("error: {message}");
    std::process::ExitCode::from(EXIT_BAD_START)
}

/// The one stderr line a server prints at start when it listens beyond loopback with its sandbox control plane
/// open to anyone who reaches it; `None` when it is loopback-only, protected by a token or off.
pub fn exposure_warning(
    binary: &str,
    bound: SocketAddr,
    plane: &server_kit::ControlPlane,
) -> Option<String> {
    let open = *plane == server_kit::ControlPlane::Open;
    (open && !bound.ip().is_loopback()).then(|| {
        format!(
            "WARNING: {binary} listens on {bound}, beyond this machine, and its sandbox control plane (/sim: \
             make sales misbehave, list every callback, replay deliveries) is open to anyone who reaches it; \
             pass --sandbox-token TOKEN or --no-sandbox-controls"
        )
    })
}

/// Prints [`exposure_warning`] to stderr, whatever the log filter, when there is one.
pub fn warn_if_exposed(binary: &str, bound: SocketAddr, plane: &server_kit::ControlPlane) {
    if let Some(warning) = exposure_warning(binary, bound, plane) {
        eprintln!("{warning}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use server_kit::ControlPlane;

    #[test]
    fn only_an_open_control_plane_beyond_loopback_is_warned_about() {
        let everywhere: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let warning = exposure_warning("connpay-gateway", everywhere, &ControlPlane::Open);
        let warning = warning.unwrap();
        assert!(warning.contains("0.0.0.0:8080") && warning.contains("--sandbox-token"));
        assert!(!warning.contains('\n'), "one line");
        for loopback in ["127.0.0.1:8080", "[::1]:8080"] {
            let bound = loopback.parse().unwrap();
            assert_eq!(
                exposure_warning("party-server", bound, &ControlPlane::Open),
                None
            );
        }
        let token = sandbox_api::SandboxToken::parse("team-secret-1").unwrap();
        let protected = ControlPlane::Protected(token);
        assert_eq!(
            exposure_warning("party-server", everywhere, &protected),
            None
        );
        assert_eq!(
            exposure_warning("party-server", everywhere, &ControlPlane::Off),
            None
        );
    }
}
