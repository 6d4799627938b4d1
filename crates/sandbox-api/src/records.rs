//! What each server recorded about a sale (`GET {cp}/sim/sales/{invoiceId}`,
//! `GET {gw}/sim/sales/{endpointId}/{invoiceId}`), so a scripted client can check steps it cannot see (spec 2.1
//! steps 8, 19 and 23) and collect the contract violations each party saw.

use crate::attacks::AttackAnswer;
use crate::contract::ContractViolation;
use dapi::{CallbackStatus, ClientCardId, InvoiceId, OrderId, SaleState, ServerCardId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the gateway saw of one sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GatewaySaleRecord {
    /// The sale.
    pub invoice_id: InvoiceId,
    /// Its state now.
    pub state: SaleState,
    /// The contract violations the gateway saw in the app's requests and the Connecting Party's answers.
    #[serde(default)]
    pub violations: Vec<ContractViolation>,
    /// What the Connecting Party server answered the attacks sent on purpose in this sale ([`crate::attacks`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attacks: Vec<AttackAnswer>,
}

/// What the reference Connecting Party server saw of one sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
    /// How many times the server booked it: 1 for a server that de-duplicates callbacks (spec 3.8), however
    /// many deliveries; a record without the field says 1.
    #[serde(default = "one_booking")]
    pub bookings: u32,
}

fn one_booking() -> u32 {
    1
}
