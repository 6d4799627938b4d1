//! `party-server`: the reference Connecting Party server's flags.

use super::healthcheck::ServerCommand;
use super::parse_control_key;
use super::transport::PartyTransportArgs;
use clap::Parser;
use dapi::{EndpointId, SANDBOX_CONTROL_KEY, SANDBOX_ENDPOINT_ID};
use std::net::SocketAddr;

/// The reference Connecting Party server: access token, initiate sale, check sale, card mapping, callback receiver.
///
/// With no flags it works with `connpay-gateway` started with no flags.
#[derive(Debug, Parser)]
#[command(name = "party-server", version)]
pub struct PartyArgs {
    /// Address to listen on; port 0 picks a free port (the first stdout line tells which).
    #[arg(long, env = "PARTY_LISTEN", default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,
    /// The gateway endpoint id handed to the app in initiate sale.
    #[arg(long, env = "PARTY_ENDPOINT_ID", default_value = SANDBOX_ENDPOINT_ID)]
    pub endpoint_id: String,
    /// Control key shared with the gateway (default: the documented sandbox key).
    #[arg(long, env = "PARTY_CONTROL_KEY", hide_env_values = true, hide_default_value = true,
          default_value = SANDBOX_CONTROL_KEY)]
    pub control_key: String,
    /// Seed of the generator that picks which first callback attempts `--callback-failure-rate` refuses; the
    /// same seed refuses the same ones for the same order of sales.
    #[arg(long, env = "PARTY_FAULT_SEED", default_value_t = 0)]
    pub fault_seed: u64,
    /// Probability, 0 to 1, that a sale's first callback attempt is refused with 503 SERVER_UNAVAILABLE (a
    /// fault for reliability tests; the gateway's retry then delivers it).
    #[arg(long, env = "PARTY_CALLBACK_FAILURE_RATE", default_value_t = 0.0, value_parser = parse_rate)]
    pub callback_failure_rate: f64,
    /// Connection timeouts and HTTPS of the server's listener.
    #[command(flatten)]
    pub transport: PartyTransportArgs,
    /// Require `Authorization: Bearer TOKEN` on every /sim write (8-256 visible ASCII characters);
    /// mobile-client --sandbox-token sends it.
    #[arg(
        long,
        env = "PARTY_SANDBOX_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        conflicts_with = "no_sandbox_controls"
    )]
    pub sandbox_token: Option<String>,
    /// Remove the sandbox control plane (/sim/sales, misbehaviour, per-sale faults): only the protocol remains.
    #[arg(long, env = "PARTY_NO_SANDBOX_CONTROLS")]
    pub no_sandbox_controls: bool,
    /// Keep access tokens, sales, card mappings and received callbacks in DIR/party.redb, so that a restart (or
    /// kill -9) with the same DIR loses nothing acknowledged [default: in memory only].
    #[arg(long, env = "PARTY_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<std::path::PathBuf>,
    /// How many exchanges the message journal keeps (GET /sim/journal, the dashboard); past it the oldest are
    /// dropped and counted; 0 switches the journal off. The default, 10000, is a day of manual testing.
    #[arg(long, env = "PARTY_JOURNAL_ENTRIES", default_value_t = journal::JournalLimits::DEFAULT_MAX_ENTRIES)]
    pub journal_entries: usize,
    /// The most MiB the message journal's entries may take, whatever their number.
    #[arg(long, env = "PARTY_JOURNAL_MAX_MIB", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..))]
    pub journal_max_mib: u16,
    /// Instead of serving: `healthcheck` a running Connecting Party server.
    #[command(subcommand)]
    pub command: Option<ServerCommand>,
}

impl PartyArgs {
    /// Builds the party configuration; the certificate to serve with is loaded by [`PartyArgs::served_tls`].
    ///
    /// # Errors
    /// When the control key is not hex or the sandbox token is malformed (the message never contains either).
    pub fn into_config(self) -> Result<party::Config, String> {
        let control_key = parse_control_key(&self.control_key)?;
        let transport = server_kit::Transport {
            timeouts: self.transport.options().timeouts(),
            tls: None,
        };
        let control_plane =
            super::control_plane(self.sandbox_token.as_deref(), self.no_sandbox_controls)?;
        Ok(party::Config {
            transport,
            control_plane,
            journal: super::journal_limits(self.journal_entries, self.journal_max_mib),
            endpoint_id: EndpointId::from(self.endpoint_id.as_str()),
            control_key,
            faults: party::Faults {
                seed: self.fault_seed,
                callback_failure_rate: self.callback_failure_rate,
            },
            ..party::Config::sandbox()
        })
    }
}

impl PartyArgs {
    /// The certificate of `--tls-cert`/`--tls-key`, or one issued by the local CA of `--tls-self-signed`; none
    /// for plain HTTP.
    ///
    /// # Errors
    /// A missing, unreadable or non-PEM file, or a key that does not match: the message names the file.
    pub fn served_tls(&self) -> Result<super::transport::ServedTls, String> {
        self.transport.options().load(self.listen, None)
    }
}

/// clap value parser for a probability: a number from 0 to 1.
fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("not a number: {text:?}"))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!("must be between 0 and 1, not {text}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_gateway_defaults() {
        let config = PartyArgs::try_parse_from(["party-server"])
            .unwrap()
            .into_config()
            .unwrap();
        assert_eq!(config.endpoint_id.as_str(), SANDBOX_ENDPOINT_ID);
        let args = PartyArgs::try_parse_from([
            "party-server",
            "--listen",
            "127.0.0.1:0",
            "--endpoint-id",
            "9",
        ])
        .unwrap();
        assert_eq!(args.listen.port(), 0);
        assert_eq!(args.into_config().unwrap().endpoint_id.as_str(), "9");
    }

    #[test]
    fn fault_flags_default_to_none_and_the_rate_must_be_a_probability() {
        let parse = |extra: &[&str]| {
            let args = ["party-server"].iter().chain(extra).copied();
            PartyArgs::try_parse_from(args).map(|args| args.into_config().unwrap().faults)
        };
        assert_eq!(parse(&[]).unwrap(), party::Faults::default());
        let faults = parse(&["--fault-seed", "42", "--callback-failure-rate", "0.25"]).unwrap();
        let expected = party::Faults {
            seed: 42,
            callback_failure_rate: 0.25,
        };
        assert_eq!(faults, expected);
        assert!(parse(&["--callback-failure-rate", "1"]).is_ok());
        for bad in ["1.5", "-0.1", "NaN", "inf", "often"] {
            let error = parse(&[&format!("--callback-failure-rate={bad}")]).unwrap_err();
            assert!(error.to_string().contains(bad), "{error}");
        }
        assert!(parse(&["--fault-seed", "-1"]).is_err());
    }
}
