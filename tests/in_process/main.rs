//! In-process end-to-end tests: the gateway, the Connecting Party server and the mobile client as libraries in
//! one process, talking real HTTP on loopback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod attacks;
mod bad_input;
mod https;
mod openapi;
mod races;
mod reliability;
mod scenarios;
mod verdicts;
mod verification;

use dapi::messages::initiate::InitiateSaleResponse;
use serde_json::{Value, json};

/// Perform sale by card for a sale the Connecting Party server initiated, as the app sends it: the URL on
/// `gateway` and the body (`consumer` as in initiate sale, CVV 123, 10.50 EUR).
pub(crate) fn card_perform(
    gateway: &str,
    consumer: &Value,
    access_token: &str,
    initiated: &InitiateSaleResponse,
    pan: &str,
) -> (String, Value) {
    let url = format!(
        "{gateway}/paynet/dapi/v1/sale/{}/{}",
        initiated.endpoint_id, initiated.invoice_id
    );
    let body = json!({"consumer": consumer,
        "session": {"accessToken": access_token, "nonce": initiated.session.nonce, "signature": initiated.session.signature},
        "sourceOfFunds": {"card": {"number": pan, "securityCode": "123", "expiry": {"month": 12, "year": 2030},
            "holder": {"printedName": "JANE DOE"}}},
        "transaction": {"amountCentis": 1050, "currency": "EUR"}});
    (url, body)
}
