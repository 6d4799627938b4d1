//! `party-server`: the reference Connecting Party server's flags.

use super::parse_control_key;
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
}

impl PartyArgs {
    /// Builds the party configuration.
    ///
    /// # Errors
    /// When the control key is not hex (the message never contains the key).
    pub fn into_config(self) -> Result<party::Config, String> {
        let control_key = parse_control_key(&self.control_key)?;
        Ok(party::Config {
            endpoint_id: EndpointId::from(self.endpoint_id.as_str()),
            control_key,
            ..party::Config::sandbox()
        })
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
}
