//! Sandbox-only vocabulary, not part of the real API, all under `/sim/` paths:
//! - what each server recorded about a sale (`GET {cp}/sim/sales/{invoiceId}`,
//!   `GET {gw}/sim/sales/{endpointId}/{invoiceId}`), so a scripted client can check steps it cannot see (spec 2.1
//!   steps 8, 19 and 23) and collect the contract violations each party saw;
//! - misbehaviour on purpose, scoped to one sale (`POST …/misbehave` on the same paths), so negative paths are
//!   tested, not assumed;
//! - the 3-D Secure page's form fields (spec 3.6 decision).

use crate::contract::ContractViolation;
use crate::ids::{ClientCardId, EndpointId, InvoiceId, OrderId, ServerCardId};
use crate::state::{CallbackStatus, SaleState};
use serde::{Deserialize, Serialize};

/// Path of the party's record of one sale, relative to its base URL.
pub fn party_record_path(invoice_id: &InvoiceId) -> String {
    format!("/sim/sales/{invoice_id}")
}

/// Path that sets the party's misbehaviour for one sale ([`PartyMisbehaviour`]).
pub fn party_misbehave_path(invoice_id: &InvoiceId) -> String {
    format!("/sim/sales/{invoice_id}/misbehave")
}

/// Path of the gateway's record of one sale ([`GatewaySaleRecord`]), relative to its base URL.
pub fn gateway_record_path(endpoint_id: &EndpointId, invoice_id: &InvoiceId) -> String {
    format!("/sim/sales/{endpoint_id}/{invoice_id}")
}

/// Path that sets the gateway's misbehaviour for one sale ([`GatewayMisbehaviour`]); may be set before perform.
pub fn gateway_misbehave_path(endpoint_id: &EndpointId, invoice_id: &InvoiceId) -> String {
    format!("/sim/sales/{endpoint_id}/{invoice_id}/misbehave")
}

/// How the reference Connecting Party server misbehaves towards the gateway for one sale.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartyMisbehaviour {
    /// How it answers check sale (step 9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckMisbehaviour>,
    /// How it answers the card mapping notification (step 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<NotificationMisbehaviour>,
    /// For [`CheckMisbehaviour::Slow`]: how long the answer is held back, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Fault: refuse (HTTP 503, documented body) the first N callback attempts of this sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_fail_first: Option<u32>,
    /// Fault: refuse (HTTP 503, documented body) the first N card mapping notification attempts of this sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_fail_first: Option<u32>,
    /// Fault: extra latency, in milliseconds, on every answer about this sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
}

/// A wrong check sale answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckMisbehaviour {
    /// `checkSignature` signed over the wrong fields.
    WrongCheckSignature,
    /// A nonce other than the one of initiate sale.
    WrongNonce,
    /// No `serverCardId` although the request carried a `clientCardId`.
    MissingServerCardId,
    /// An error body with cause `FILTERED` (HTTP 400).
    Filtered,
    /// An error body with cause `SERVER_FAILED` (HTTP 500).
    ServerFailed,
    /// HTTP 500 with a body that is not the documented one.
    #[serde(rename = "http-500")]
    Http500,
    /// The right answer, later than the gateway waits (see [`PartyMisbehaviour::delay_ms`]).
    Slow,
}

/// A wrong card mapping notification answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotificationMisbehaviour {
    /// Refused with an error body (HTTP 400 `INVALID_REQUEST`).
    Refuse,
    /// `checkSignature` signed over the wrong fields.
    WrongCheckSignature,
}

/// How the gateway misbehaves towards the Connecting Party server for one sale.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayMisbehaviour {
    /// How it sends the final callback (step 23).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<CallbackMisbehaviour>,
    /// Fault: extra latency, in milliseconds, on the gateway's answers about this sale (perform, status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
}

/// A wrong callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallbackMisbehaviour {
    /// The first attempt carries a wrong `control`; retries carry the right one (at-least-once delivery).
    WrongControl,
}

/// What the gateway saw of one sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewaySaleRecord {
    /// The sale.
    pub invoice_id: InvoiceId,
    /// Its state now.
    pub state: SaleState,
    /// The contract violations the gateway saw in the app's requests and the Connecting Party's answers.
    #[serde(default)]
    pub violations: Vec<ContractViolation>,
}

/// What the reference Connecting Party server saw of one sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartySaleRecord {
    /// The sale.
    pub invoice_id: InvoiceId,
    /// How many check sale requests it answered for this sale.
    pub checks: u32,
    /// The card mapping it created from the gateway's notification, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_mapping: Option<CardMappingRecord>,
    /// The final-status callback it accepted, if any (duplicates are counted, not recorded twice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<CallbackRecord>,
    /// The contract violations the party saw in the gateway's requests (check, notification, callback).
    #[serde(default)]
    pub violations: Vec<ContractViolation>,
}

/// A card mapping as recorded by the Connecting Party server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardMappingRecord {
    /// The alias the party created.
    pub client_card_id: ClientCardId,
    /// The gateway's reference.
    pub server_card_id: ServerCardId,
    /// The BIN from the notification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bin: Option<u32>,
}

/// A final-status callback as recorded by the Connecting Party server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallbackRecord {
    /// `status`.
    pub status: CallbackStatus,
    /// `orderid`.
    pub order_id: OrderId,
    /// `error_code`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u32>,
    /// How many times it arrived (at-least-once delivery may repeat it).
    pub deliveries: u32,
}

/// Name of the password field of the simulated 3-D Secure form.
pub const THREE_DS_PASSWORD_FIELD: &str = "password";
/// Name of the submit button field; its value says which button was pressed.
pub const THREE_DS_ACTION_FIELD: &str = "action";
/// Value of [`THREE_DS_ACTION_FIELD`] for "Submit".
pub const THREE_DS_SUBMIT: &str = "submit";
/// Value of [`THREE_DS_ACTION_FIELD`] for "Cancel".
pub const THREE_DS_CANCEL: &str = "cancel";
/// The `<meta name=...>` of the "close browser request" page.
pub const CLOSE_BROWSER_META: &str = "dapi-close";

/// Path of the gateway's delivery log (`GET`, optional `?invoiceId=` and `?state=`).
pub const DELIVERIES_PATH: &str = "/sim/deliveries";

/// Path that re-sends one delivery (`POST`), e.g. a dead-lettered callback.
pub fn replay_path(delivery_id: &str) -> String {
    format!("/sim/deliveries/{delivery_id}/replay")
}

/// The gateway's outbound messages to the Connecting Party server that are retried until delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryKind {
    /// Sale card mapping notification (step 19).
    Notification,
    /// Final-status callback (step 23).
    Callback,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Every attempt, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

/// One attempt to deliver.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// `GET /sim/deliveries` answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryList {
    /// The deliveries, oldest first.
    pub deliveries: Vec<DeliveryRecord>,
}
