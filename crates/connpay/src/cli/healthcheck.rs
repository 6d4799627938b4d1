//! `connpay-gateway healthcheck` and `party-server healthcheck`: the one subcommand of the two servers, so a
//! container's `HEALTHCHECK` runs the binary itself and the image needs no curl or wget.
//!
//! Serving stays the command-less default: `connpay-gateway --listen …` parses exactly as before, and
//! `connpay-gateway healthcheck` reads the same `--listen` (or `GATEWAY_LISTEN`) to know where to look.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// What a server binary can be asked to do instead of serving.
#[derive(Debug, clap::Subcommand)]
pub enum ServerCommand {
    /// Check a running server: exit 0 when its `/health` answers 200, 1 otherwise.
    ///
    /// For a container's HEALTHCHECK, so the image needs no curl. Checks the `--listen` address (or its
    /// environment variable) unless `--url` says otherwise.
    Healthcheck(HealthcheckArgs),
}

/// `healthcheck` flags.
#[derive(Debug, clap::Args)]
pub struct HealthcheckArgs {
    /// Base URL of the server to check [default: http://{--listen address}, https:// when the server's TLS
    /// flags are set, with 0.0.0.0 or :: read as the loopback address].
    #[arg(long, value_parser = super::parse_base_url)]
    pub url: Option<String>,
    /// How long to wait for the answer, in milliseconds.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout_ms: u64,
}

impl HealthcheckArgs {
    /// The URL to GET: `--url` + `/health`, or the server's own `--listen` address. A server listening on
    /// every interface (`0.0.0.0:8080` in a container) is reached on loopback, where it listens too.
    #[must_use]
    pub fn health_url(&self, scheme: &str, listen: SocketAddr) -> String {
        let base = self.url.clone().unwrap_or_else(|| {
            let ip = match listen.ip() {
                IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
                ip => ip,
            };
            format!("{scheme}://{}", SocketAddr::new(ip, listen.port()))
        });
        format!("{base}/health")
    }

    /// How long the check may take.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::gateway::GatewayArgs;
    use crate::cli::party::PartyArgs;
    use clap::Parser;

    fn healthcheck_of(command: Option<ServerCommand>) -> HealthcheckArgs {
        match command {
            Some(ServerCommand::Healthcheck(args)) => args,
            None => panic!("healthcheck expected"),
        }
    }

    #[test]
    fn serving_flags_parse_as_before_without_a_command() {
        let args =
            GatewayArgs::try_parse_from(["connpay-gateway", "--listen", "127.0.0.1:0"]).unwrap();
        assert!(args.command.is_none());
        let args = PartyArgs::try_parse_from(["party-server", "--endpoint-id", "9"]).unwrap();
        assert!(args.command.is_none());
    }

    #[test]
    fn healthcheck_checks_the_listen_address_on_loopback() {
        let args = GatewayArgs::try_parse_from([
            "connpay-gateway",
            "--listen",
            "0.0.0.0:8080",
            "healthcheck",
        ])
        .unwrap();
        let listen = args.listen;
        let check = healthcheck_of(args.command);
        assert_eq!(
            check.health_url("http", listen),
            "http://127.0.0.1:8080/health"
        );
        assert_eq!(check.timeout(), Duration::from_secs(2));
        let check = healthcheck_of(
            PartyArgs::try_parse_from(["party-server", "healthcheck"])
                .unwrap()
                .command,
        );
        assert_eq!(
            check.health_url("https", "[::]:8081".parse().unwrap()),
            "https://[::1]:8081/health"
        );
        assert_eq!(
            check.health_url("http", "10.0.0.7:81".parse().unwrap()),
            "http://10.0.0.7:81/health"
        );
    }

    #[test]
    fn healthcheck_url_and_timeout_flags_win() {
        let args = PartyArgs::try_parse_from([
            "party-server",
            "healthcheck",
            "--url",
            "http://party:8081/",
            "--timeout-ms",
            "250",
        ])
        .unwrap();
        let check = healthcheck_of(args.command);
        assert_eq!(
            check.health_url("https", "127.0.0.1:1".parse().unwrap()),
            "http://party:8081/health"
        );
        assert_eq!(check.timeout(), Duration::from_millis(250));
        for bad in [
            &["--url", "ftp://x"][..],
            &["--timeout-ms", "0"],
            &["--bogus"],
        ] {
            let argv = ["party-server", "healthcheck"].iter().chain(bad).copied();
            let error = PartyArgs::try_parse_from(argv).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{bad:?}: {error}");
        }
    }
}
