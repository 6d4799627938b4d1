//! Contract violations the server sees in the gateway's messages (check sale, step 8; card mapping
//! notification, step 19; callback, step 23), recorded per sale as [`ContractViolation`]s seen by
//! [`Observer::Party`]. Recording never changes an answer: the refusals stay those of spec 3.4, 3.7 and 3.8.
//!
//! Values are shown so a CI log says what broke, but never the control key nor the expected callback
//! `control` (it is derived from the key); access tokens and nonces are cut to 8 characters (see [`short`]).

use crate::sale::{Sale, SaleTerms};
use crate::state::AppState;
use dapi::Step;
use dapi::messages::callback::{Callback, major_units};
use dapi::messages::check::{CardMappingNotification, CheckSaleRequest};
use dapi::steps;
use dapi::{ClientCardId, ControlKey, InvoiceId, Violations};
use sandbox_api::{ContractViolation, Observer};

/// At most this many violations are kept per sale; later ones are counted and dropped, so a misbehaving
/// peer cannot grow the server's memory without bound.
pub const MAX_VIOLATIONS_PER_SALE: usize = 50;

/// The violations kept for one sale, and how many were dropped past [`MAX_VIOLATIONS_PER_SALE`].
#[derive(Debug, Default)]
pub(crate) struct ViolationLog {
    kept: Vec<ContractViolation>,
    dropped: u64,
}

impl ViolationLog {
    /// The violations kept, oldest first.
    pub(crate) fn kept(&self) -> &[ContractViolation] {
        &self.kept
    }

    /// Keeps (and logs) a violation while there is room; returns `false` when it was dropped.
    fn push(&mut self, invoice_id: &InvoiceId, violation: ContractViolation) -> bool {
        if self.kept.len() < MAX_VIOLATIONS_PER_SALE {
            tracing::warn!(%invoice_id, %violation, "contract violation");
            self.kept.push(violation);
            return true;
        }
        self.dropped = self.dropped.saturating_add(1);
        if self.dropped == 1 {
            tracing::warn!(%invoice_id, MAX_VIOLATIONS_PER_SALE, "violation log full; dropping more");
        }
        false
    }
}

pub(crate) use sandbox_api::text::short;

fn seen(step: Step, path: &str, rule: &str) -> ContractViolation {
    ContractViolation::new(Observer::Party, step, path, rule)
}

/// Schema violations of a message that could not be decoded, or broke a rule of spec 3.
pub(crate) fn schema(step: Step, violations: &Violations) -> Vec<ContractViolation> {
    ContractViolation::from_violations(Observer::Party, step, violations)
}

/// Step 8: what the check sale request carries against what initiate sale stored (spec 3.4).
pub(crate) fn check_request(
    terms: &SaleTerms,
    request: &CheckSaleRequest,
    key: &ControlKey,
) -> Vec<ContractViolation> {
    let step = steps::CHECK_SALE_REQUEST;
    let session = &request.session;
    let mut found = Vec::new();
    if terms.access_token != session.access_token {
        let rule = "must be the access token the sale was initiated with";
        found.push(seen(step, "session.accessToken", rule).values(
            short(terms.access_token.as_str()),
            short(session.access_token.as_str()),
        ));
    }
    let serial_number = &request.consumer.device.serial_number;
    if &terms.serial_number != serial_number {
        let rule = "must be the device the sale was initiated on";
        found.push(
            seen(step, "consumer.device.serialNumber", rule)
                .values(terms.serial_number.as_str(), serial_number.as_str()),
        );
    }
    if terms.nonce != session.nonce {
        let rule = "must be the nonce issued at initiate sale";
        found.push(
            seen(step, "session.nonce", rule)
                .values(short(terms.nonce.as_str()), short(session.nonce.as_str())),
        );
    }
    if !terms.signature_matches(key, &session.signature) {
        let rule = "must be the signature issued at initiate sale";
        found.push(
            seen(step, "session.signature", rule)
                .values(terms.signature(key).as_str(), session.signature.as_str()),
        );
    }
    found
}

/// Step 8: a `clientCardId` that is no card reference of the sale's device (spec 3.4 \[DECISION\]).
pub(crate) fn unknown_card(client_card_id: &ClientCardId) -> ContractViolation {
    let rule = "must be a card reference made on this device";
    let path = "sourceOfFunds.reference.clientCardId";
    ContractViolation {
        actual: Some(client_card_id.to_string()),
        ..seen(steps::CHECK_SALE_REQUEST, path, rule)
    }
}

/// Step 19: the notification against the sale its gateway token belongs to (spec 3.7).
pub(crate) fn notification(
    terms: &SaleTerms,
    notification: &CardMappingNotification,
) -> Vec<ContractViolation> {
    let step = steps::CARD_MAPPING_NOTIFICATION;
    let mut found = Vec::new();
    let access_token = &notification.session.access_token;
    if &terms.access_token != access_token {
        let rule = "must be the access token of the sale the gateway token belongs to";
        found.push(seen(step, "session.accessToken", rule).values(
            short(terms.access_token.as_str()),
            short(access_token.as_str()),
        ));
    }
    let serial_number = &notification.consumer.device.serial_number;
    if &terms.serial_number != serial_number {
        let rule = "must be the device of the sale the gateway token belongs to";
        found.push(
            seen(step, "consumer.device.serialNumber", rule)
                .values(terms.serial_number.as_str(), serial_number.as_str()),
        );
    }
    if notification.server_card_id().is_none() {
        // Optional in the field table, but the notification exists to carry it: the reference gateway sends
        // `sourceCard` only with a serverCardId (spec 3.7 reference observations), and nothing can be mapped.
        let rule = "is required to map the card";
        found.push(seen(step, "sourceCard.reference.serverCardId", rule));
    }
    found
}

/// Step 23: the callback against the stored sale (spec 3.8, A15). `control_verified` is the outcome of
/// checking `control`; the expected value is never shown, as it is derived from the control key.
pub(crate) fn callback(
    terms: &SaleTerms,
    callback: &Callback,
    control_verified: bool,
) -> Vec<ContractViolation> {
    let step = steps::CALLBACK;
    let mut found = Vec::new();
    if !control_verified {
        let rule = "does not verify with the endpoint's control key";
        found.push(ContractViolation {
            actual: Some(callback.control.clone()),
            ..seen(step, "control", rule)
        });
    }
    if callback.merchant_order != callback.client_orderid {
        found.push(
            seen(step, "merchant_order", "must equal client_orderid").values(
                callback.client_orderid.as_str(),
                callback.merchant_order.as_str(),
            ),
        );
    }
    let amount = major_units(terms.amount_centis, &terms.currency);
    if callback.amount != amount {
        let rule = "must be the sale's amount in major units";
        found.push(seen(step, "amount", rule).values(amount, callback.amount.as_str()));
    }
    if callback.currency != terms.currency {
        let rule = "must be the sale's currency";
        found.push(
            seen(step, "currency", rule)
                .values(terms.currency.as_str(), callback.currency.as_str()),
        );
    }
    found
}

impl Sale {
    /// Records violations on this sale, up to [`MAX_VIOLATIONS_PER_SALE`].
    pub(crate) fn observe(&mut self, violations: impl IntoIterator<Item = ContractViolation>) {
        for violation in violations {
            self.violations.push(&self.terms.invoice_id, violation);
        }
    }
}

impl AppState {
    /// Records violations on a sale; nothing happens when the sale is unknown.
    pub(crate) fn observe(
        &self,
        invoice_id: &InvoiceId,
        violations: impl IntoIterator<Item = ContractViolation>,
    ) {
        if let Some(mut sale) = self.0.sales.get_mut(invoice_id) {
            sale.observe(violations);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_nonces_are_cut_to_eight_characters() {
        assert_eq!(short("7f3b9c1d2e4a5f60"), "7f3b9c1d…");
        assert_eq!(short("7f3b9c1d"), "7f3b9c1d");
        assert_eq!(short("äöüäöüäöü"), "äöüäöüäö…");
        assert_eq!(short(""), "");
    }

    #[test]
    fn the_log_keeps_the_first_fifty_and_counts_the_rest() {
        let mut log = ViolationLog::default();
        for index in 0..60 {
            let violation = seen(steps::CALLBACK, &format!("p{index}"), "r");
            let kept = log.push(&InvoiceId::from("INV-1"), violation);
            assert_eq!(kept, index < MAX_VIOLATIONS_PER_SALE);
        }
        assert_eq!(log.kept().len(), MAX_VIOLATIONS_PER_SALE);
        assert_eq!(log.kept()[49].path, "p49");
        assert_eq!(log.dropped, 10);
    }
}
