//! Connecting `mobile-client run` and `mobile-client load` to their servers: check that the ones given by URL
//! answer (for `https://`, with a certificate the client trusts), start the embedded ones for the rest.

use crate::cli::targets::TargetArgs;
use crate::client::{EXIT_BAD_INPUT, EXIT_UNREACHABLE};
use crate::embedded::{Embedded, any_loopback_port};
use std::process::ExitCode;
use std::time::Duration;

/// The servers to play against and the embedded ones started for them; on failure the message is printed and
/// the exit code returned (2: a `--ca-file` or the sandbox token is wrong; 3: a server cannot be reached, presents a certificate
/// the client does not trust, or cannot be started).
pub async fn connect(args: &TargetArgs) -> Result<(Embedded, mobile::Targets), ExitCode> {
    let trust = args.trust.trust().map_err(|error| {
        eprintln!("error: {error}");
        ExitCode::from(EXIT_BAD_INPUT)
    })?;
    if let Err(error) = args.token() {
        eprintln!("error: {error}");
        return Err(ExitCode::from(EXIT_BAD_INPUT));
    }
    for (name, url) in [
        ("gateway", &args.gateway),
        ("Connecting Party server", &args.party),
    ] {
        if let Some(url) = url
            && let Err(error) = reachable(url, &trust).await
        {
            eprintln!("error: the {name} at {url} {error}");
            return Err(ExitCode::from(EXIT_UNREACHABLE));
        }
    }
    start_missing(args).await.map_err(|error| {
        eprintln!("error: cannot start the embedded servers: {error}");
        ExitCode::from(EXIT_UNREACHABLE)
    })
}

/// Starts the embedded gateway and/or Connecting Party server for whatever was not given by URL.
///
/// # Errors
/// When a port cannot be bound, a URL does not parse, or a `--ca-file` or the sandbox token cannot be read.
pub async fn start_missing(args: &TargetArgs) -> std::io::Result<(Embedded, mobile::Targets)> {
    let invalid = |error: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, error);
    let trust = args.trust.trust().map_err(invalid)?;
    let token = args.token().map_err(invalid)?;
    // The embedded servers take the same token, so a run with one tests the protected control plane.
    let control_plane = token.clone().map_or(
        server_kit::ControlPlane::Open,
        server_kit::ControlPlane::Protected,
    );
    let mut embedded = Embedded::default();
    let party_url = match &args.party {
        Some(url) => url.clone(),
        None => {
            let listen = if args.gateway.is_some() {
                args.embedded_party_listen
            } else {
                any_loopback_port()
            };
            let config = party::Config {
                control_plane: control_plane.clone(),
                ..party::Config::sandbox()
            };
            embedded.start_party(listen, config).await?
        }
    };
    let gateway_url = match &args.gateway {
        Some(url) => url.clone(),
        None => {
            let configure = |own_url: &str| gateway::Config {
                timings: gateway::Timings::sandbox(),
                dapi_prefix: args.dapi_prefix.clone(),
                party_trust: trust.clone(),
                control_plane: control_plane.clone(),
                ..gateway::Config::sandbox(own_url, &party_url)
            };
            embedded
                .start_gateway(any_loopback_port(), configure)
                .await?
        }
    };
    let parse = |url: &str| {
        url::Url::parse(url)
            .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidInput, error))
    };
    let mut targets = mobile::Targets::new(parse(&gateway_url)?, parse(&party_url)?);
    targets.dapi_prefix.clone_from(&args.dapi_prefix);
    targets.poll_interval = Duration::from_millis(args.poll_interval_ms);
    targets.trust = trust;
    targets.sandbox_token = token;
    Ok((embedded, targets))
}

/// Whether something accepts TCP connections at the URL's host and port and, for `https://`, completes a TLS
/// handshake with a certificate `trust` accepts; the error reads after "the gateway at URL".
async fn reachable(url: &str, trust: &tls::Trust) -> Result<(), tls::ProbeError> {
    let parsed =
        url::Url::parse(url).map_err(|error| tls::ProbeError::Unreachable(error.to_string()))?;
    tls::probe(&parsed, trust, Duration::from_secs(3)).await
}
