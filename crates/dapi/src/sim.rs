//! Sandbox-only vocabulary, not part of the real API: what the reference Connecting Party server recorded about
//! a sale (`GET {cp}/sim/sales/{invoiceId}`), so a scripted client can check steps it cannot see (spec 2.1
//! steps 8, 19 and 23), and the 3-D Secure page's form fields (spec 3.6 decision).

use crate::ids::{ClientCardId, InvoiceId, OrderId, ServerCardId};
use crate::state::CallbackStatus;
use serde::{Deserialize, Serialize};

/// Path of the party's record of one sale, relative to its base URL.
pub fn party_record_path(invoice_id: &InvoiceId) -> String {
    format!("/sim/sales/{invoice_id}")
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
