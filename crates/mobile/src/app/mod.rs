//! Playing the app and the consumer: every HTTP exchange of a scenario, in the diagram's order, each one
//! recorded in the report's step log as it happens.
//!
//! What the steps of one sale share lives here ([`SaleRun`], [`GatewaySale`], [`Deadline`]); the files
//! are listed in the crate's `# Layout`.

mod browser;
pub(crate) mod client;
mod exchange;
mod form;
mod messages;
mod misbehave;
mod mistakes;
mod play;
mod refusal;
mod status;
pub(crate) mod wire;

use std::time::{Duration, Instant};

use dapi::messages::initiate::NonceSignature;
use dapi::{AccessToken, EndpointId, Flow, InvoiceId, SessionToken};
use scenario::{Sale, Scenario};

pub use client::Client;

/// One sale being played: the scenario, the sale and the consumer's access token.
pub(crate) struct SaleRun<'a> {
    /// The sale's 1-based number.
    pub(crate) number: usize,
    /// The scenario it belongs to.
    pub(crate) scenario: &'a Scenario,
    /// The sale.
    pub(crate) sale: &'a Sale,
    /// The consumer's access token (steps 2–3).
    pub(crate) access_token: &'a AccessToken,
    /// The session initiate sale gave the scenario's previous sale, for a `reuse-session` mistake.
    pub(crate) previous_session: Option<&'a NonceSignature>,
}

impl SaleRun<'_> {
    /// Whether the sale expects the answer of `step` to be a refusal (`expect.refused`).
    pub(crate) fn refusal_expected_at(&self, step: u8) -> bool {
        self.sale
            .expect
            .refused
            .as_ref()
            .is_some_and(|refused| refused.step == step)
    }
}

/// The sale (or verification) as the gateway knows it, once perform sale (or validation) succeeded.
pub(crate) struct GatewaySale {
    /// A sale or a verification: which paths it is polled and recorded on.
    pub(crate) flow: Flow,
    /// From initiate sale.
    pub(crate) endpoint_id: EndpointId,
    /// From initiate sale.
    pub(crate) invoice_id: InvoiceId,
    /// From perform sale.
    pub(crate) token: SessionToken,
}

/// When a wait of the scenario (for a final state, for a server's record) gives up.
pub(crate) struct Deadline(Instant);

impl Deadline {
    /// `timeout` from now, without the overflow panic of `Instant + Duration` for an absurd `timeout_ms`.
    pub(crate) fn after(timeout: Duration) -> Self {
        let now = Instant::now();
        let at = now
            .checked_add(timeout)
            .or_else(|| now.checked_add(Duration::from_secs(86_400)))
            .unwrap_or(now);
        Self(at)
    }

    /// Whether the deadline has come.
    pub(crate) fn passed(&self) -> bool {
        self.0 <= Instant::now()
    }

    /// Sleeps for `interval`, or until the deadline if that comes first.
    pub(crate) async fn pause(&self, interval: Duration) {
        let left = self.0.saturating_duration_since(Instant::now());
        tokio::time::sleep(interval.min(left)).await;
    }
}
