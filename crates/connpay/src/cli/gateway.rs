//! `connpay-gateway`: flags for a single endpoint, or `--config FILE` for several.

use super::healthcheck::ServerCommand;
use super::transport::{GatewayTransportArgs, GatewayTrustArgs};
use super::{parse_base_url, parse_control_key};
use clap::Parser;
use dapi::{DEFAULT_DAPI_PREFIX, EndpointId, SANDBOX_CONTROL_KEY, SANDBOX_ENDPOINT_ID};
use gateway::{Config, EndpointConfig, Timings};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The fake ConnPay gateway: perform sale, sale status, the 3-D Secure page, card mapping notification, callback.
///
/// With no flags it works with `party-server` started with no flags (same endpoint id and sandbox control key).
#[derive(Debug, Parser)]
#[command(name = "connpay-gateway", version)]
pub struct GatewayArgs {
    /// Address to listen on; port 0 picks a free port (the first stdout line tells which).
    #[arg(long, env = "GATEWAY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// TOML file with several endpoints (see the README); replaces the single-endpoint flags.
    #[arg(long, env = "GATEWAY_CONFIG", conflicts_with_all = ["endpoint_id", "control_key", "party_url", "callback_url", "no_three_ds"])]
    pub config: Option<PathBuf>,
    /// Endpoint id of the single endpoint.
    #[arg(long, env = "GATEWAY_ENDPOINT_ID", default_value = SANDBOX_ENDPOINT_ID)]
    pub endpoint_id: String,
    /// Control key shared with the Connecting Party server (default: the documented sandbox key).
    #[arg(long, env = "GATEWAY_CONTROL_KEY", hide_env_values = true, hide_default_value = true,
          default_value = SANDBOX_CONTROL_KEY)]
    pub control_key: String,
    /// Base URL of the Connecting Party server (check sale, card mapping notification).
    #[arg(long, env = "GATEWAY_PARTY_URL", default_value = "http://127.0.0.1:8081", value_parser = parse_base_url)]
    pub party_url: String,
    /// Final-status callback URL [default: {party-url}/callback].
    #[arg(long, env = "GATEWAY_CALLBACK_URL", value_parser = parse_base_url)]
    pub callback_url: Option<String>,
    /// Switch 3-D Secure off on the single endpoint (CVV 321 then approves without the page).
    #[arg(long, env = "GATEWAY_NO_THREE_DS")]
    pub no_three_ds: bool,
    /// Base URL the app reaches the gateway at, for `redirectUrl` (e.g. http://10.0.2.2:8080 from an Android
    /// emulator) [default: http://{listen address}, https:// when serving HTTPS].
    #[arg(long, env = "GATEWAY_PUBLIC_URL", value_parser = parse_base_url)]
    pub public_url: Option<String>,
    /// DAPI path prefix.
    #[arg(long, env = "GATEWAY_DAPI_PREFIX", default_value = DEFAULT_DAPI_PREFIX)]
    pub dapi_prefix: String,
    /// Send the card mapping notification again, with the same serverCardId, for an approved repeat sale (spec
    /// 3.7 decision; by default a repeat sale sends none).
    #[arg(long, env = "GATEWAY_RESEND_CARD_MAPPING")]
    pub resend_card_mapping: bool,
    /// Timings: pass `--sandbox-timings` for short ones suited to local runs.
    #[command(flatten)]
    pub timings: TimingArgs,
    /// Connection timeouts and HTTPS of the gateway's listener.
    #[command(flatten)]
    pub transport: GatewayTransportArgs,
    /// The CAs trusted when calling the Connecting Party server over HTTPS.
    #[command(flatten)]
    pub party_trust: GatewayTrustArgs,
    /// Require `Authorization: Bearer TOKEN` on every /sim write and on the delivery list (8-256 visible ASCII
    /// characters); mobile-client --sandbox-token sends it.
    #[arg(
        long,
        env = "GATEWAY_SANDBOX_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        conflicts_with = "no_sandbox_controls"
    )]
    pub sandbox_token: Option<String>,
    /// Remove the sandbox control plane (/sim/sales, /sim/deliveries, latency faults): only the protocol and the
    /// 3-D Secure pages remain.
    #[arg(long, env = "GATEWAY_NO_SANDBOX_CONTROLS")]
    pub no_sandbox_controls: bool,
    /// Keep sales, the card registry and the delivery log in DIR/gateway.redb, so that a restart (or kill -9)
    /// with the same DIR loses nothing acknowledged [default: in memory only].
    #[arg(long, env = "GATEWAY_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// How many exchanges the message journal keeps (GET /sim/journal, the dashboard); past it the oldest are
    /// dropped and counted; 0 switches the journal off. The default, 10000, is a day of manual testing.
    #[arg(long, env = "GATEWAY_JOURNAL_ENTRIES", default_value_t = journal::JournalLimits::DEFAULT_MAX_ENTRIES)]
    pub journal_entries: usize,
    /// The most MiB the message journal's entries may take, whatever their number.
    #[arg(long, env = "GATEWAY_JOURNAL_MAX_MIB", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..))]
    pub journal_max_mib: u16,
    /// Instead of serving: `healthcheck` a running gateway.
    #[command(subcommand)]
    pub command: Option<ServerCommand>,
}

/// Timer overrides, in milliseconds.
#[derive(Debug, clap::Args)]
pub struct TimingArgs {
    /// Start from short sandbox timings (unknown-timeout 2 s, retries from 100 ms) instead of the spec's.
    #[arg(long, env = "GATEWAY_SANDBOX_TIMINGS")]
    pub sandbox_timings: bool,
    /// How long a CVV 217 sale stays PROCESSING before it ends DECLINED with callback `error` [spec: 5 min].
    #[arg(long, env = "GATEWAY_UNKNOWN_TIMEOUT_MS")]
    pub unknown_timeout_ms: Option<u64>,
    /// How long an open 3-D Secure page waits before the sale is declined [spec: 10 min].
    #[arg(long, env = "GATEWAY_THREE_DS_TIMEOUT_MS")]
    pub three_ds_timeout_ms: Option<u64>,
    /// How long the gateway waits for the check sale answer [spec: 30 s].
    #[arg(long, env = "GATEWAY_CHECK_TIMEOUT_MS")]
    pub check_timeout_ms: Option<u64>,
}

impl TimingArgs {
    fn apply(&self, mut timings: Timings) -> Timings {
        let ms = Duration::from_millis;
        if let Some(value) = self.unknown_timeout_ms {
            timings.unknown_timeout = ms(value);
        }
        if let Some(value) = self.three_ds_timeout_ms {
            timings.three_ds_timeout = ms(value);
        }
        if let Some(value) = self.check_timeout_ms {
            timings.check_timeout = ms(value);
        }
        timings
    }

    fn base(&self) -> Timings {
        if self.sandbox_timings {
            Timings::sandbox()
        } else {
            Timings::default()
        }
    }
}

impl GatewayArgs {
    /// Builds the gateway configuration; `bound` is the real listening address, for the default public URL.
    ///
    /// The certificate to serve with (`--tls-cert`/`--tls-key` or `--tls-self-signed`) is not part of it:
    /// [`GatewayArgs::served_tls`] loads it.
    ///
    /// # Errors
    /// When the config file cannot be read or is invalid (the message never contains a control key), or a
    /// `--ca-file` cannot be read or is not PEM (the message names it).
    pub fn into_config(self, bound: SocketAddr) -> Result<Config, String> {
        let transport = self.transport.options();
        let public_url = self
            .public_url
            .clone()
            .unwrap_or_else(|| format!("{}://{bound}", transport.scheme()));
        let party_trust = self.party_trust.trust()?;
        let control_plane =
            super::control_plane(self.sandbox_token.as_deref(), self.no_sandbox_controls)?;
        let mut config = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|error| format!("{}: {error}", path.display()))?;
                let mut config = Config::from_toml(&text)
                    .map_err(|error| format!("{}: {error}", path.display()))?;
                config.timings = self.timings.apply(config.timings);
                config.resend_card_mapping |= self.resend_card_mapping;
                if self.public_url.is_some() || config.public_url.is_empty() {
                    config.public_url = public_url;
                }
                config
            }
            None => self.single_endpoint(&public_url)?,
        };
        config.transport.timeouts = transport.timeouts();
        config.party_trust = party_trust;
        config.control_plane = control_plane;
        config.journal = super::journal_limits(self.journal_entries, self.journal_max_mib);
        Ok(config)
    }

    /// The certificate of `--tls-cert`/`--tls-key`, or one issued by the local CA of `--tls-self-signed` for the
    /// listen address, the public URL's host and `--tls-san`; none for plain HTTP.
    ///
    /// # Errors
    /// A missing, unreadable or non-PEM file, or a key that does not match: the message names the file.
    pub fn served_tls(&self, bound: SocketAddr) -> Result<super::transport::ServedTls, String> {
        self.transport
            .options()
            .load(bound, self.public_url.as_deref())
    }

    /// The configuration of the single endpoint given by flags.
    fn single_endpoint(&self, public_url: &str) -> Result<Config, String> {
        let mut config = Config::sandbox(public_url, &self.party_url);
        let endpoint = EndpointConfig {
            id: EndpointId::from(self.endpoint_id.as_str()),
            control_key: parse_control_key(&self.control_key)?,
            callback_url: Some(
                self.callback_url
                    .clone()
                    .unwrap_or_else(|| format!("{}/callback", self.party_url)),
            ),
            verification_callback_url: None,
            verification_callback_type: None,
            party_url: self.party_url.clone(),
            three_ds: !self.no_three_ds,
            currencies: Vec::new(),
        };
        config.endpoints = vec![endpoint];
        config.dapi_prefix.clone_from(&self.dapi_prefix);
        config.resend_card_mapping = self.resend_card_mapping;
        config.timings = self.timings.apply(self.timings.base());
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_give_the_sandbox_endpoint_and_spec_timings() {
        let args = GatewayArgs::try_parse_from(["connpay-gateway"]).unwrap();
        let config = args.into_config("127.0.0.1:8080".parse().unwrap()).unwrap();
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
        assert_eq!(config.endpoints.len(), 1);
        assert_eq!(config.endpoints[0].id.as_str(), SANDBOX_ENDPOINT_ID);
        assert_eq!(
            config.endpoints[0].callback_url.as_deref(),
            Some("http://127.0.0.1:8081/callback")
        );
        assert_eq!(config.timings.unknown_timeout, Duration::from_secs(300));
        assert!(!config.resend_card_mapping);
        let args =
            GatewayArgs::try_parse_from(["connpay-gateway", "--resend-card-mapping"]).unwrap();
        let config = args.into_config("127.0.0.1:8080".parse().unwrap()).unwrap();
        assert!(config.resend_card_mapping);
    }

    #[test]
    fn flags_override_the_single_endpoint() {
        let args = GatewayArgs::try_parse_from([
            "connpay-gateway",
            "--party-url",
            "http://127.0.0.1:9/",
            "--public-url",
            "http://10.0.2.2:8080",
            "--endpoint-id",
            "77",
            "--no-three-ds",
            "--sandbox-timings",
            "--unknown-timeout-ms",
            "150",
        ])
        .unwrap();
        let config = args.into_config("127.0.0.1:1".parse().unwrap()).unwrap();
        assert_eq!(config.public_url, "http://10.0.2.2:8080");
        let endpoint = &config.endpoints[0];
        assert_eq!((endpoint.id.as_str(), endpoint.three_ds), ("77", false));
        assert_eq!(
            endpoint.callback_url.as_deref(),
            Some("http://127.0.0.1:9/callback")
        );
        assert_eq!(config.timings.unknown_timeout, Duration::from_millis(150));
    }

    #[test]
    fn the_sandbox_token_protects_the_control_plane_and_the_switch_removes_it() {
        let plane = |flags: &[&str]| {
            let args = ["connpay-gateway"].iter().chain(flags).copied();
            let parsed = GatewayArgs::try_parse_from(args).map_err(|error| error.to_string())?;
            parsed
                .into_config("127.0.0.1:1".parse().unwrap())
                .map(|config| config.control_plane)
        };
        assert_eq!(plane(&[]), Ok(server_kit::ControlPlane::Open));
        let protected = plane(&["--sandbox-token", "team-secret-1"]).unwrap();
        assert!(
            protected
                .token()
                .is_some_and(|token| token.admits(Some(b"Bearer team-secret-1")))
        );
        assert_eq!(
            plane(&["--no-sandbox-controls"]),
            Ok(server_kit::ControlPlane::Off)
        );
        let short = plane(&["--sandbox-token", "s3cr3t"]).unwrap_err();
        assert!(
            short.contains("--sandbox-token") && !short.contains("s3cr3t"),
            "{short}"
        );
        let both = plane(&["--sandbox-token", "team-secret-1", "--no-sandbox-controls"]);
        assert!(both.is_err_and(|error| !error.contains("team-secret-1")));
    }

    #[test]
    fn a_bad_control_key_is_refused_without_echoing_it() {
        let args =
            GatewayArgs::try_parse_from(["connpay-gateway", "--control-key", "SECRET-NOT-HEX"])
                .unwrap();
        let error = args
            .into_config("127.0.0.1:1".parse().unwrap())
            .unwrap_err();
        assert!(!error.contains("SECRET-NOT-HEX"), "{error}");
        assert!(error.contains("control key"), "{error}");
    }
}
