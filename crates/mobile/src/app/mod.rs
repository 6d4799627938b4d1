//! Playing the app and the consumer: every HTTP exchange of a scenario, in the diagram's order, each one
//! recorded in the report's step log as it happens.
//!
//! # Layout
//! - this file: [`SaleRun`] and [`GatewaySale`], what the steps of one sale share, and [`Deadline`].
//! - `client`: [`Client`], the one `reqwest` client, and its typed JSON, page, form and sandbox calls.
//! - `wire`: reading answers: the documented error body, excerpts; which errors are a peer's breach.
//! - `exchange`: one JSON request and its answer, with their steps, violations and failure.
//! - `play`: one scenario: access token, then per sale the card reference, initiate, misbehave, perform,
//!   polling, the servers' records, and the judge's verdict.
//! - `messages`: the app's DAPI messages built from the scenario, with the masked labels reports show.
//! - `misbehave`: setting a sale's sandbox misbehaviour on the servers before perform sale.
//! - `status`: sale status polling until a final state, opening the 3-D Secure page when asked.
//! - `browser`: the consumer on the 3-D Secure page (spec 3.6): open, fill, submit, close.
//! - `form`: reading the page's HTML form and the close-browser marker with `scraper`.

mod browser;
pub(crate) mod client;
mod exchange;
mod form;
mod messages;
mod misbehave;
mod play;
mod status;
pub(crate) mod wire;

use std::time::{Duration, Instant};

use dapi::{AccessToken, EndpointId, InvoiceId, SessionToken};
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
}

/// The sale as the gateway knows it, once perform sale succeeded.
pub(crate) struct GatewaySale {
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
