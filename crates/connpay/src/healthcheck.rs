//! The `healthcheck` subcommand of the two servers: one GET of `/health`, exit 0 or 1, as a container
//! runtime's `HEALTHCHECK` expects (anything else than 0 and 1 is reserved there).

use crate::cli::healthcheck::HealthcheckArgs;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

/// Why a server is not healthy.
#[derive(Debug, thiserror::Error)]
pub enum Unhealthy {
    /// No answer: refused, timed out, not HTTP.
    #[error("{url}: no answer: {}", innermost_cause(.source))]
    NoAnswer {
        /// The URL asked.
        url: String,
        /// What the HTTP client saw.
        source: reqwest::Error,
    },
    /// An answer other than 200.
    #[error("{url}: answered {status}")]
    Status {
        /// The URL asked.
        url: String,
        /// The answer's status.
        status: reqwest::StatusCode,
    },
}

/// Runs `healthcheck` for a server listening on `listen` with `scheme` (`https` when its TLS flags are set):
/// silent and 0 when healthy; 1 and one stderr line (kept in the container's health log) otherwise.
pub async fn run(args: &HealthcheckArgs, scheme: &str, listen: SocketAddr) -> ExitCode {
    match probe(&args.health_url(scheme, listen), args.timeout()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("unhealthy: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The deepest error under `error`: reqwest's own message only repeats the URL; "Connection refused" or
/// "operation timed out" is what a reader of the health log needs.
fn innermost_cause(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// GETs `url` once within `timeout`.
///
/// # Errors
/// When there is no answer in time, or the answer is not 200.
pub async fn probe(url: &str, timeout: Duration) -> Result<(), Unhealthy> {
    let no_answer = |source| Unhealthy::NoAnswer {
        url: url.to_owned(),
        source,
    };
    // The server is local: an HTTP_PROXY set for the container's other traffic must not be asked. The check
    // asks whether the server answers, not whether its certificate is trusted here (a --tls-self-signed
    // server's local CA is not installed in its own container): the certificate is not verified.
    let client = reqwest::Client::builder()
        .no_proxy()
        .tls_danger_accept_invalid_certs(true)
        .timeout(timeout)
        .build()
        .map_err(no_answer)?;
    let status = client.get(url).send().await.map_err(no_answer)?.status();
    if status == reqwest::StatusCode::OK {
        Ok(())
    } else {
        Err(Unhealthy::Status {
            url: url.to_owned(),
            status,
        })
    }
}
