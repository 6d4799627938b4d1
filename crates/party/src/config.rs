//! [`Config`]: what one reference Connecting Party server needs to know. Built by the caller (the
//! `party-server` binary parses flags into it); the library reads no environment.

use crate::sandbox::Faults;
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
    /// Server-wide faults for load and reliability tests (none by default).
    pub faults: Faults,
    /// The most sales kept (and gateway session tokens, one per checked sale); past it the oldest sale is
    /// forgotten first, so a flood of initiates cannot grow memory without bound.
    pub max_sales: usize,
    /// The most access tokens kept; expired ones are dropped first, then the oldest live ones.
    pub max_access_tokens: usize,
    /// The most card mappings kept (clientCardId → serverCardId); past it the oldest is forgotten first, and a
    /// repeat sale with its clientCardId is refused as with an unknown one.
    pub max_card_mappings: usize,
    /// How much the message journal keeps (`GET /sim/journal`, the dashboard); 0 entries switches it off.
    pub journal: journal::JournalLimits,
    /// How the server serves: connection and request timeouts, HTTPS when a certificate is given.
    pub transport: server_kit::Transport,
    /// The sandbox control plane (`/sim/sales…`, misbehaviour, faults, latency): open (default), protected by a
    /// token, or off.
    pub control_plane: server_kit::ControlPlane,
}

impl Config {
    /// The access token lifetime of the reference proxy (spec 3.1).
    pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(30 * 60);
    /// Default of [`Config::max_sales`], [`Config::max_access_tokens`] and [`Config::max_card_mappings`].
    pub const DEFAULT_MAX_ENTRIES: usize = 100_000;

    /// The sandbox configuration: endpoint [`SANDBOX_ENDPOINT_ID`], key [`SANDBOX_CONTROL_KEY`], default TTL,
    /// limits and caps, no faults.
    pub fn sandbox() -> Self {
        Self {
            endpoint_id: EndpointId::from(SANDBOX_ENDPOINT_ID),
            control_key: sandbox_key(),
            token_ttl: Self::DEFAULT_TOKEN_TTL,
            limits: Limits::default(),
            faults: Faults::default(),
            max_sales: Self::DEFAULT_MAX_ENTRIES,
            max_access_tokens: Self::DEFAULT_MAX_ENTRIES,
            max_card_mappings: Self::DEFAULT_MAX_ENTRIES,
            journal: journal::JournalLimits::default(),
            transport: server_kit::Transport::default(),
            control_plane: server_kit::ControlPlane::default(),
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
        assert_eq!(config.faults, Faults::default());
        assert_eq!(config.faults.callback_failure_rate, 0.0);
        assert_eq!(config.max_sales, 100_000);
        assert!(!format!("{config:?}").contains("3F2A1B4C"));
    }
}
