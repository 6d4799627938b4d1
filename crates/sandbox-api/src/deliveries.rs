//! The gateway's delivery log (`GET /sim/deliveries`): every card mapping notification and final callback with
//! each attempt to deliver it.

use dapi::{CallbackStatus, EndpointId, InvoiceId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The most attempts a delivery record keeps: past it the oldest go, counted in
/// [`DeliveryRecord::earlier_attempts`] (a callback has 30 attempts; each replay adds a series).
pub const MAX_ATTEMPTS_KEPT: usize = 50;

/// How many records `GET /sim/deliveries` returns when the query gives no `limit`.
pub const DEFAULT_PAGE: usize = 100;

/// The largest `limit` `GET /sim/deliveries` accepts.
pub const MAX_PAGE: usize = 1_000;

/// The gateway's outbound messages to the Connecting Party server that are retried until delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryKind {
    /// Sale card mapping notification (step 19).
    Notification,
    /// Final-status callback (step 23).
    Callback,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryState {
    /// Not yet accepted; more attempts are scheduled.
    Pending,
    /// The Connecting Party server accepted it.
    Delivered,
    /// Every attempt failed; kept for inspection and replay.
    DeadLettered,
}

/// One outbound message and every attempt to deliver it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    /// Stable id, for replay.
    pub id: String,
    /// What is delivered.
    pub kind: DeliveryKind,
    /// The sale's endpoint.
    pub endpoint_id: EndpointId,
    /// The sale.
    pub invoice_id: InvoiceId,
    /// Where it goes (the callback URL without its query).
    pub url: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// For a callback, its `status` parameter (what the sale's final status was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_status: Option<CallbackStatus>,
    /// The latest attempts, oldest first, at most [`MAX_ATTEMPTS_KEPT`].
    pub attempts: Vec<DeliveryAttempt>,
    /// How many older attempts were made and are no longer kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub earlier_attempts: u32,
}

impl DeliveryRecord {
    /// How many attempts were made in all, the ones no longer kept included.
    pub fn attempts_made(&self) -> u32 {
        let kept = u32::try_from(self.attempts.len()).unwrap_or(u32::MAX);
        self.earlier_attempts.saturating_add(kept)
    }
}

fn is_zero(count: &u32) -> bool {
    *count == 0
}

/// One attempt to deliver.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAttempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// When it started, milliseconds since the delivery was created.
    pub started_after_ms: u64,
    /// The HTTP status, when an answer came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// How long it took, in milliseconds.
    pub latency_ms: u64,
    /// The start of the answer, or why there was none (timeout, connection refused).
    pub excerpt: String,
    /// The id of the gateway's journal entry of this attempt (`GET /sim/journal`), whole bodies included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_entry: Option<u64>,
}

impl DeliveryRecord {
    /// The last attempt, if any.
    pub fn last_attempt(&self) -> Option<&DeliveryAttempt> {
        self.attempts.last()
    }
}

impl DeliveryAttempt {
    /// Whether the receiver accepted this attempt (a 2xx answer).
    pub fn accepted(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }
}

/// `GET /sim/deliveries` answer: one page of the matching deliveries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryList {
    /// The deliveries, oldest first, at most the query's `limit`.
    pub deliveries: Vec<DeliveryRecord>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
