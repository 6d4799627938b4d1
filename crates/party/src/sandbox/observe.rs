//! The rules of the contract violations the server sees in the gateway's messages (check sale, step 8; card
//! mapping notification, step 19; callback, step 23): pure functions making [`ContractViolation`]s seen by
//! [`Observer::Party`], which the protocol records on the sale (`super::record`) where it learns something.
//! Recording never changes an answer: the refusals stay those of spec 3.4, 3.7 and 3.8.
//!
//! Values are shown so a CI log says what broke, but never the control key nor any expected value derived from
//! it (the callback `control`, the initiate sale `signature`): for those only the received value is shown;
//! access tokens and nonces are cut to 8 characters (see [`short`]).

use crate::mapping::Notification;
use crate::sale::SaleTerms;
use dapi::Step;
use dapi::messages::callback::{Callback, major_units};
use dapi::messages::check::CheckSession;
use dapi::steps;
use dapi::{AccessToken, ClientCardId, ControlKey, SerialNumber, Violations};
use sandbox_api::{ContractViolation, Observer};

use sandbox_api::text::short;

pub(super) fn seen(step: Step, path: &str, rule: &str) -> ContractViolation {
    ContractViolation::new(Observer::Party, step, path, rule)
}

/// Schema violations of a message that could not be decoded, or broke a rule of spec 3.
pub(crate) fn schema(step: Step, violations: &Violations) -> Vec<ContractViolation> {
    ContractViolation::from_violations(Observer::Party, step, violations)
}

/// Who a message of the gateway says the consumer is: the access token and the device.
struct Consumer<'a> {
    access_token: &'a AccessToken,
    serial_number: &'a SerialNumber,
}

impl Consumer<'_> {
    /// The access token and the device against the sale's; `rules` are the two rules broken, in that order.
    fn mismatches(
        &self,
        step: Step,
        terms: &SaleTerms,
        rules: [&str; 2],
    ) -> Vec<ContractViolation> {
        let [token_rule, device_rule] = rules;
        let mut found = Vec::new();
        if &terms.access_token != self.access_token {
            found.push(seen(step, "session.accessToken", token_rule).values(
                short(terms.access_token.as_str()),
                short(self.access_token.as_str()),
            ));
        }
        if &terms.serial_number != self.serial_number {
            found.push(
                seen(step, "consumer.device.serialNumber", device_rule)
                    .values(terms.serial_number.as_str(), self.serial_number.as_str()),
            );
        }
        found
    }
}

/// Step 8: what the check sale (or check verification) request carries against what initiate stored (spec 3.4,
/// addendum §2.4).
pub(crate) fn check_request(
    terms: &SaleTerms,
    serial_number: &SerialNumber,
    session: &CheckSession,
    key: &ControlKey,
) -> Vec<ContractViolation> {
    let step = terms.flow.steps().check_request;
    let consumer = Consumer {
        access_token: &session.access_token,
        serial_number,
    };
    let rules = [
        "must be the access token the sale was initiated with",
        "must be the device the sale was initiated on",
    ];
    let mut found = consumer.mismatches(step, terms, rules);
    if terms.nonce != session.nonce {
        let rule = "must be the nonce issued at initiate sale";
        found.push(
            seen(step, "session.nonce", rule)
                .values(short(terms.nonce.as_str()), short(session.nonce.as_str())),
        );
    }
    if !terms.signature_matches(key, &session.signature) {
        // The expected value is an HMAC keyed with the control key: only what was received is shown, and the
        // rule names the fields the signature covers instead.
        let rule = "must be the signature issued at initiate sale (HMAC-SHA1 of accessToken + serialNumber + \
            endpointId + nonce + invoiceId + amountCentis + currency)";
        found.push(ContractViolation {
            actual: Some(session.signature.to_string()),
            ..seen(step, "session.signature", rule)
        });
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

/// Step 19: the notification against the sale (or verification) its gateway token belongs to (spec 3.7,
/// addendum §2.7).
pub(crate) fn notification<N: Notification>(
    terms: &SaleTerms,
    notification: &N,
) -> Vec<ContractViolation> {
    let step = N::FLOW.steps().notification;
    let consumer = Consumer {
        access_token: &notification.session().access_token,
        serial_number: notification.serial_number(),
    };
    let rules = [
        "must be the access token of the sale the gateway token belongs to",
        "must be the device of the sale the gateway token belongs to",
    ];
    let mut found = consumer.mismatches(step, terms, rules);
    if notification.server_card_id().is_none() {
        // Optional in the field table, but the notification exists to carry it: the reference gateway sends
        // `sourceCard` only with a serverCardId (spec 3.7 reference observations; addendum V13: always), and
        // nothing can be mapped.
        let rule = "is required to map the card";
        found.push(seen(step, N::SERVER_CARD_ID_PATH, rule));
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
    let kind = terms.flow.callback_type();
    if callback.kind != kind {
        let rule = "must be the transaction type of the invoice (spec 3.8; addendum V7)";
        found.push(seen(step, "type", rule).values(kind, callback.kind.as_str()));
    }
    // A verification's is 0.00: it moves no money (addendum §5).
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
}
