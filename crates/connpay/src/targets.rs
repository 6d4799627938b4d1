//! Connecting `mobile-client run` and `mobile-client load` to their servers: check that the ones given by URL
//! answer, start the embedded ones for the rest.

use crate::cli::targets::TargetArgs;
use crate::client::{EXIT_BAD_INPUT, EXIT_UNREACHABLE};
use crate::embedded::{Embedded, any_loopback_port};
use std::process::ExitCode;
use std::time::Duration;

/// The servers to play against and the embedded ones started for them; on failure the message is printed and
/// the exit code returned (3: a server cannot be reached or started).
pub async fn connect(args: &TargetArgs) -> Result<(Embedded, mobile::Targets), ExitCode> {
    if let Err(error) = args.token() {
        eprintln!("error: {error}");
        return Err(ExitCode::from(EXIT_BAD_INPUT));
    }
    for (name, url) in [
        ("gateway", &args.gateway),
        ("Connecting Party server", &args.party),
    ] {
        if let Some(url) = url
            && let Err(error) = reachable(url).await
        {
            eprintln!("error: the {name} at {url} cannot be reached: {error}");
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
/// When a port cannot be bound or a URL does not parse.
pub async fn start_missing(args: &TargetArgs) -> std::io::Result<(Embedded, mobile::Targets)> {
    let invalid = |error| std::io::Error::new(std::io::ErrorKind::InvalidInput, error);
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
    targets.sandbox_token = token;
    Ok((embedded, targets))
}

/// Whether something accepts TCP connections at the URL's host and port.
async fn reachable(url: &str) -> std::io::Result<()> {
    let parsed = url::Url::parse(url)
        .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidInput, error))?;
    let addrs = parsed.socket_addrs(|| None)?;
    let connect = tokio::net::TcpStream::connect(addrs.as_slice());
    match tokio::time::timeout(Duration::from_secs(3), connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(error),
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "no answer within 3 s",
        )),
    }
}
