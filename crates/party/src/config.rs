//! [`Config`]: what one reference Connecting Party server needs to know. Built by the caller (the
//! `party-server` binary parses flags into it); the library reads no environment.

use dapi::{ControlKey, EndpointId, SANDBOX_CONTROL_KEY, SANDBOX_ENDPOINT_ID};
use server_kit::Limits;
use std::time::Duration;

/// Configuration of the reference Connecting Party server.
#[derive(Clone, Debug)]
pub struct Config {
    /// The gateway endpoint the sales are booked on; returned in initiate sale and signed (spec 3.2, 4.2).
    pub endpoint_id: EndpointId,
    /// The endpoint's shared secret: signs `signature`/`checkSignature` and checks the callback `control`.
    /// Its `Debug` is redacted, and it never appears in logs or error bodies.
    pub control_key: ControlKey,
    /// How long an access token stays bound to its device (spec 3.1 \[DECISION\]: 30 minutes by default).
    pub token_ttl: Duration,
    /// Request limits (body size).
    pub limits: Limits,
}

impl Config {
    /// The access token lifetime of the reference proxy (spec 3.1).
    pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(30 * 60);

    /// The sandbox configuration: endpoint [`SANDBOX_ENDPOINT_ID`], key [`SANDBOX_CONTROL_KEY`], default TTL and limits.
    pub fn sandbox() -> Self {
        Self {
            endpoint_id: EndpointId::from(SANDBOX_ENDPOINT_ID),
            control_key: sandbox_key(),
            token_ttl: Self::DEFAULT_TOKEN_TTL,
            limits: Limits::default(),
        }
    }
}

#[allow(
    clippy::expect_used,
    reason = "a compile-time constant that is a valid key; the test below parses it"
)]
fn sandbox_key() -> ControlKey {
    ControlKey::parse(SANDBOX_CONTROL_KEY).expect("the sandbox control key is valid hex")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_config_uses_the_shared_sandbox_values() {
        let config = Config::sandbox();
        assert_eq!(config.endpoint_id.as_str(), SANDBOX_ENDPOINT_ID);
        assert_eq!(config.token_ttl, Duration::from_secs(1800));
        assert!(!format!("{config:?}").contains("3F2A1B4C"));
    }
}
