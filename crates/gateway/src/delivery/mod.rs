//! One delivery mechanism for the gateway's messages to the Connecting Party server: the card mapping
//! notification (spec 3.7) and the final-status callback (spec 3.8).
//!
//! At least once: a delivery is retried on its schedule ([`crate::Timings::notification_retry`], 3 attempts;
//! [`crate::Timings::callback_retry`], 30) while the receiver refuses (non-2xx), takes longer than
//! `outbound_timeout` or is down. Every attempt is logged and kept in the delivery's [`DeliveryRecord`] (start
//! offset, status, latency, the first 200 characters of the answer or the transport error, card-like digit runs
//! masked); after the last one the delivery is dead-lettered (logged at error) and kept for inspection and replay
//! (`POST /sim/deliveries/{id}/replay`, [`AppState::replay`]). What a message's attempt sends and how its answer
//! is judged (and recorded as a contract violation) lives with the message in `sale` (`approval`, `callback`).
//!
//! A delivery is opened in the log synchronously ([`open`]), by the code that decides to send it, and its
//! attempts run in a tracked job (`AppState::spawn_outbound`), never in a request handler. Each attempt copies
//! what it needs out of the log, awaits with no guard held, then writes its result back. When the delivery
//! opens, the sandbox plans once whether any of its attempts is bent on purpose ([`Tamper`]); a planned
//! deviation replaces that attempt, every other attempt is the message's own.

mod log;

pub use log::{DeliveryFilter, ReplayError};
pub(crate) use log::{DeliveryLog, parse_id};

use crate::config::{Retry, Timings};
use crate::party_client::{Answer, CallError};
use crate::sale::{CallbackJob, NotificationJob};
use crate::sandbox::Tamper;
use crate::state::AppState;
use dapi::{EndpointId, InvoiceId, SessionToken};
use sandbox_api::{DeliveryAttempt, DeliveryKind, DeliveryRecord, DeliveryState};
use std::time::Duration;
use tokio::time::Instant;
use tracing::Instrument;

/// The most characters of an answer (or transport error) an attempt keeps.
pub(crate) const MAX_EXCERPT: usize = 200;

/// A message to deliver, with everything its attempts need.
#[derive(Clone, Debug)]
pub(crate) enum Message {
    /// The card mapping notification.
    Notification(NotificationJob),
    /// The final-status callback.
    Callback(CallbackJob),
}

impl Message {
    pub(crate) fn kind(&self) -> DeliveryKind {
        match self {
            Self::Notification(_) => DeliveryKind::Notification,
            Self::Callback(_) => DeliveryKind::Callback,
        }
    }

    pub(crate) fn endpoint_id(&self) -> &EndpointId {
        match self {
            Self::Notification(job) => &job.endpoint_id,
            Self::Callback(job) => &job.endpoint_id,
        }
    }

    pub(crate) fn invoice_id(&self) -> &InvoiceId {
        match self {
            Self::Notification(job) => &job.invoice_id,
            Self::Callback(job) => &job.callback.client_orderid,
        }
    }

    pub(crate) fn token(&self) -> &SessionToken {
        match self {
            Self::Notification(job) => &job.token,
            Self::Callback(job) => &job.token,
        }
    }

    /// Where it goes; for a callback without any query, which would carry its `control`.
    pub(crate) fn url(&self) -> String {
        let url = match self {
            Self::Notification(job) => &job.url,
            Self::Callback(job) => &job.url,
        };
        url.split_once('?')
            .map_or(url.as_str(), |(base, _)| base)
            .to_owned()
    }

    fn retry(&self, timings: &Timings) -> Retry {
        match self {
            Self::Notification(_) => timings.notification_retry,
            Self::Callback(_) => timings.callback_retry,
        }
    }

    /// One attempt, as specified.
    async fn attempt(&self, state: &AppState) -> Tried {
        match self {
            Self::Notification(job) => job.attempt(state).await,
            Self::Callback(job) => job.attempt(state).await,
        }
    }
}

/// How one attempt went.
#[derive(Debug)]
pub(crate) struct Tried {
    status: Option<u16>,
    excerpt: String,
    verdict: Verdict,
}

/// What the answer to one attempt means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Accepted, with a valid answer: delivered.
    Acknowledged,
    /// Accepted with an answer that breaks the contract (recorded as a violation); asking again would not make it
    /// right: delivered.
    BadAnswer,
    /// Refused, unanswered or not understood: try again.
    Failed,
}

impl Tried {
    /// An answer came.
    pub(crate) fn answered(answer: &Answer, verdict: Verdict) -> Self {
        Self {
            status: Some(answer.status),
            excerpt: excerpt(&answer.text()),
            verdict,
        }
    }

    /// No answer (timeout, connection refused…).
    pub(crate) fn unanswered(error: &CallError) -> Self {
        Self {
            status: None,
            excerpt: excerpt(&error.to_string()),
            verdict: Verdict::Failed,
        }
    }
}

/// The start of a text, masked, at most [`MAX_EXCERPT`] characters.
fn excerpt(text: &str) -> String {
    sandbox_api::text::excerpt(text, MAX_EXCERPT)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Opens a pending delivery in the log, with the sandbox's plan for it; its number, for [`deliver`].
pub(crate) fn open(state: &AppState, message: Message) -> u64 {
    let tamper = Tamper::plan(state, &message);
    let token = message.token().clone();
    let opened = Instant::now();
    state
        .store()
        .delivery_log()
        .open(message, tamper, token, opened)
}

/// Sends a delivered or dead-lettered delivery again, now, in a tracked job ([`AppState::replay`]).
///
/// # Errors
/// [`ReplayError`]: unknown id, or a delivery still pending.
pub(crate) fn replay(state: &AppState, id: &str) -> Result<DeliveryRecord, ReplayError> {
    let (number, token, record) = state.store().delivery_log().replay(id)?;
    tracing::info!(delivery = id, kind = ?record.kind, invoice_id = %record.invoice_id, "delivery replayed");
    state.spawn_outbound(&token, deliver(state.clone(), number));
    Ok(record)
}

/// Pending deliveries, oldest first: at shutdown, the ones cut off.
pub(crate) fn pending(state: &AppState) -> Vec<DeliveryRecord> {
    let pending = DeliveryFilter {
        state: Some(DeliveryState::Pending),
        ..DeliveryFilter::default()
    };
    state.deliveries(&pending)
}

/// Runs one series of attempts of a pending delivery, until delivered or dead-lettered; for a notification, then
/// confirms the card mapping, or not.
pub(crate) async fn deliver(state: AppState, number: u64) {
    let Some(series) = state.store().delivery_log().series(number) else {
        return;
    };
    let span = tracing::info_span!("delivery", id = %format!("dlv-{number}"), kind = ?series.message.kind());
    let verdict = attempts(&state, number, &series).instrument(span).await;
    if let Message::Notification(job) = &series.message {
        let confirmed = verdict == Verdict::Acknowledged;
        state.store().confirm_card(&job.server_card_id, confirmed);
    }
}

/// The attempts of one series; `Verdict::Failed` when dead-lettered.
async fn attempts(state: &AppState, number: u64, series: &log::Series) -> Verdict {
    let retry = series.message.retry(&state.config().timings);
    if series.first_number == 1 {
        series
            .tamper
            .before_first_attempt(state, &series.message)
            .await;
    }
    for attempt in 1..=retry.attempts {
        // A pause after the previous attempt ended; none before the first.
        tokio::time::sleep(retry.delay(attempt)).await;
        let number_in_record = series.first_number.saturating_add(attempt - 1);
        let started = Instant::now();
        journal::clear_current_entry();
        let tried = match series.tamper.deviation(&series.message, number_in_record) {
            Some(deviation) => deviation.attempt(state).await,
            None => series.message.attempt(state).await,
        };
        let record = DeliveryAttempt {
            number: number_in_record,
            started_after_ms: millis(started.duration_since(series.created)),
            status: tried.status,
            latency_ms: millis(started.elapsed()),
            excerpt: tried.excerpt,
            // The attempt's call, whole bodies included, in the journal.
            journal_entry: journal::current_entry(),
        };
        let (status, latency_ms) = (record.status, record.latency_ms);
        if tried.verdict == Verdict::Failed {
            tracing::warn!(attempt, attempts = retry.attempts, status, latency_ms, excerpt = %record.excerpt, "delivery attempt failed");
        } else {
            tracing::info!(attempt, status, latency_ms, "delivered");
        }
        state.store().delivery_log().push_attempt(number, record);
        if tried.verdict != Verdict::Failed {
            let delivered = DeliveryState::Delivered;
            state.store().delivery_log().conclude(number, delivered);
            if series.first_number == 1 {
                series.tamper.after_delivered(state, &series.message).await;
            }
            return tried.verdict;
        }
    }
    tracing::error!(attempts = retry.attempts, invoice_id = %series.message.invoice_id(), "delivery dead-lettered: kept for inspection and replay");
    let dead = DeliveryState::DeadLettered;
    state.store().delivery_log().conclude(number, dead);
    Verdict::Failed
}

/// Logs each delivery cut off by shutdown (id, kind, invoiceId, attempts so far) at error level; returns them.
pub(crate) fn report_cut_off(state: &AppState) -> Vec<DeliveryRecord> {
    let cut_off = pending(state);
    for record in &cut_off {
        tracing::error!(
            delivery = %record.id,
            kind = ?record.kind,
            invoice_id = %record.invoice_id,
            attempts = record.attempts.len(),
            "shutdown cut off a pending delivery: it was not delivered"
        );
    }
    cut_off
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_masked_and_short() {
        let long = format!("card 4111111111111111 {}", "x".repeat(500));
        let text = excerpt(&long);
        assert!(text.starts_with("card 411111******1111 "), "{text}");
        assert_eq!(text.chars().count(), MAX_EXCERPT + 1, "the text and `…`");
        assert_eq!(millis(Duration::from_micros(2_900)), 2);
    }
}
