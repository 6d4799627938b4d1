//! What the server records about the gateway's messages: each class of violation appears in the sale's record
//! (`GET /sim/sales/{invoiceId}`) with its step, path, observer and values, while the answers stay the
//! documented ones; tokens and nonces are cut short, the control key never appears, and the log is bounded.

use crate::support::*;
use axum::http::StatusCode;
use dapi::messages::callback::Callback;
use dapi::messages::check::{CardMappingResponse, CheckSaleResponse};
use dapi::messages::initiate::InitiateSaleResponse;
use dapi::{AccessToken, CallbackStatus, InvoiceId};
use party::MAX_VIOLATIONS_PER_SALE;
use sandbox_api::PartySaleRecord;
use sandbox_api::{ContractViolation, Observer};
use serde_json::json;

/// The one violation recorded at `path`, after asserting it was seen by the party in `step`.
fn at<'a>(record: &'a PartySaleRecord, step: u8, path: &str) -> &'a ContractViolation {
    let found: Vec<_> = record
        .violations
        .iter()
        .filter(|v| v.path == path)
        .collect();
    let [violation] = found.as_slice() else {
        panic!("one violation at {path}: {:#?}", record.violations);
    };
    assert_eq!(
        (violation.observer, violation.step),
        (Observer::Party, step)
    );
    violation
}

fn values(violation: &ContractViolation) -> (Option<&str>, Option<&str>) {
    (violation.expected.as_deref(), violation.actual.as_deref())
}

/// The first 8 characters and `…`, as the server shows tokens and nonces.
fn short(value: &str) -> String {
    format!("{}…", &value[..8])
}

/// The record never shows the key (with or without dashes), nor a whole access token or nonce.
fn assert_no_secrets(record: &PartySaleRecord, token: &AccessToken, sale: &InitiateSaleResponse) {
    let text = serde_json::to_string(record).unwrap();
    for secret in [
        "3F2A1B4C-5D6E-4F70-8192-A3B4C5D6E7F8",
        "3F2A1B4C5D6E4F708192A3B4C5D6E7F8",
        token.as_str(),
        sale.session.nonce.as_str(),
    ] {
        assert!(
            !text
                .to_ascii_uppercase()
                .contains(&secret.to_ascii_uppercase()),
            "{text}"
        );
    }
}

#[tokio::test]
async fn check_mismatches_and_schema_breaches_are_recorded_with_short_values() {
    let party = Sandbox::new();
    let (token, sale) = party.initiated().await;
    let (other_token, _) = party.initiated().await;
    let uri = check_uri(&sale.invoice_id);
    let mut nonce_and_signature = check_body(&sale, &token, SERIAL, None);
    nonce_and_signature["session"]["nonce"] = json!("n".repeat(64));
    nonce_and_signature["session"]["signature"] = json!("ab".repeat(20));
    let reply = party.post(&uri, &nonce_and_signature).await;
    reply.refused(StatusCode::FORBIDDEN, "DAPI-403-NONCE");
    let foreign = check_body(&sale, &other_token, SERIAL, None);
    let reply = party.post(&uri, &foreign).await;
    reply.refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN");
    let other_device = check_body(&sale, &token, OTHER_SERIAL, None);
    let reply = party.post(&uri, &other_device).await;
    reply.refused(StatusCode::FORBIDDEN, "DAPI-403-SERIAL");
    let mut malformed = check_body(&sale, &token, SERIAL, None);
    malformed["session"]
        .as_object_mut()
        .unwrap()
        .remove("token");
    let reply = party.post(&uri, &malformed).await;
    reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
    let unknown_card = check_body(&sale, &token, SERIAL, Some("cc_unknown"));
    let reply = party.post(&uri, &unknown_card).await;
    reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-CLIENT-CARD");

    let record = party.record(&sale.invoice_id).await;
    assert_eq!(record.violations.len(), 6, "{:#?}", record.violations);
    let nonce = sale.session.nonce.as_str();
    let expected_nonce = short(nonce);
    let seen = at(&record, 8, "session.nonce");
    assert_eq!(
        values(seen),
        (Some(expected_nonce.as_str()), Some("nnnnnnnn…"))
    );
    let seen = at(&record, 8, "session.signature");
    let signature = sale.session.signature.as_str();
    assert_eq!(
        values(seen),
        (None, Some("ab".repeat(20).as_str())),
        "no key-derived value is shown"
    );
    assert!(
        seen.rule.contains("HMAC-SHA1 of accessToken"),
        "{}",
        seen.rule
    );
    let shown = serde_json::to_string(&record).unwrap();
    assert!(
        !shown.contains(signature),
        "the expected signature leaked: {shown}"
    );
    let seen = at(&record, 8, "session.accessToken");
    let (expected, actual) = (short(token.as_str()), short(other_token.as_str()));
    assert_eq!(
        values(seen),
        (Some(expected.as_str()), Some(actual.as_str()))
    );
    let seen = at(&record, 8, "consumer.device.serialNumber");
    assert_eq!(values(seen), (Some(SERIAL), Some(OTHER_SERIAL)));
    assert_eq!(at(&record, 8, "session.token").rule, "is required");
    let seen = at(&record, 8, "sourceOfFunds.reference.clientCardId");
    assert_eq!(values(seen), (None, Some("cc_unknown")));
    assert_eq!(seen.message, "Check sale request");
    assert_no_secrets(&record, &token, &sale);

    // A check of an unknown invoice is refused as before, and recorded nowhere.
    let reply = party
        .post(&check_uri(&InvoiceId::from("INV-unknown")), &malformed)
        .await;
    reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
    assert_eq!(party.record(&sale.invoice_id).await, record);
}

#[tokio::test]
async fn notification_breaches_are_recorded_on_the_sale_of_the_gateway_token() {
    let party = Sandbox::new();
    let (token, sale) = party.initiated().await;
    let (other_token, _) = party.initiated().await;
    party.check(&token, &sale).await.ok::<CheckSaleResponse>();
    let mut short_token = notification_body(&token, GATEWAY_TOKEN);
    short_token["session"]["accessToken"] = json!("abc");
    let reply = party.post("/sale/notification", &short_token).await;
    reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
    let reply = party.notify(&other_token, GATEWAY_TOKEN).await;
    reply.refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN");
    let mut bare = notification_body(&token, GATEWAY_TOKEN);
    bare.as_object_mut().unwrap().remove("sourceCard");
    let reply = party.post("/sale/notification", &bare).await;
    reply.ok::<CardMappingResponse>();
    let unknown = notification_body(&token, "99999999-9999-4999-8999-999999999999");
    let reply = party.post("/sale/notification", &unknown).await;
    reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-SESSION-TOKEN");

    let record = party.record(&sale.invoice_id).await;
    assert_eq!(record.violations.len(), 3, "{:#?}", record.violations);
    assert!(
        record
            .violations
            .iter()
            .all(|v| (v.observer, v.step) == (Observer::Party, 19))
    );
    let schema = &record.violations[0];
    assert_eq!(schema.path, "session.accessToken");
    assert_eq!(schema.rule, "must be 32–128 characters long");
    let foreign = &record.violations[1];
    assert_eq!(foreign.path, "session.accessToken");
    let (expected, actual) = (short(token.as_str()), short(other_token.as_str()));
    assert_eq!(
        values(foreign),
        (Some(expected.as_str()), Some(actual.as_str()))
    );
    let missing = &record.violations[2];
    assert_eq!(missing.path, "sourceCard.reference.serverCardId");
    assert_eq!(missing.message, "Sale card mapping notification request");
    assert_eq!(record.card_mapping, None);
    assert_no_secrets(&record, &token, &sale);
}

#[tokio::test]
async fn callback_breaches_are_recorded_and_the_answers_do_not_change() {
    let party = Sandbox::new();
    let (token, sale) = party.initiated().await;
    let signed = Callback::sign(
        callback_fields(&sale.invoice_id, CallbackStatus::Approved),
        &party.key,
    );
    let forged = Callback {
        control: "0".repeat(40),
        ..signed.clone()
    };
    let reply = party.get(&callback_uri(&forged)).await;
    reply.refused(StatusCode::FORBIDDEN, "DAPI-403-CONTROL");
    let short_control = Callback {
        control: "0".repeat(39),
        ..signed.clone()
    };
    let reply = party.get(&callback_uri(&short_control)).await;
    reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
    let not_hex = Callback {
        control: "z".repeat(40),
        ..signed.clone()
    };
    let reply = party.get(&callback_uri(&not_hex)).await;
    reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
    // amount, currency and merchant_order are not covered by `control`: the callback is accepted.
    let altered = Callback {
        amount: "10.5".into(),
        currency: "USD".into(),
        merchant_order: "INV-other".into(),
        ..signed
    };
    let reply = party.get(&callback_uri(&altered)).await;
    reply.assert_ok();

    let record = party.record(&sale.invoice_id).await;
    assert_eq!(record.violations.len(), 6, "{:#?}", record.violations);
    let control = &record.violations[0];
    assert_eq!((control.step, control.path.as_str()), (23, "control"));
    assert_eq!(
        control.rule,
        "does not verify with the endpoint's control key"
    );
    assert_eq!(values(control), (None, Some("0".repeat(40).as_str())));
    for format in &record.violations[1..3] {
        assert_eq!((format.step, format.path.as_str()), (23, "control"));
        assert_eq!(format.rule, "must be 40 hexadecimal digits (a SHA-1)");
    }
    let seen = at(&record, 23, "amount");
    assert_eq!(values(seen), (Some("10.50"), Some("10.5")));
    let seen = at(&record, 23, "currency");
    assert_eq!(values(seen), (Some("EUR"), Some("USD")));
    let seen = at(&record, 23, "merchant_order");
    assert_eq!(
        values(seen),
        (Some(sale.invoice_id.as_str()), Some("INV-other"))
    );
    assert!(record.callback.is_some());
    assert_no_secrets(&record, &token, &sale);
}

#[tokio::test]
async fn at_most_fifty_violations_are_kept_per_sale_and_other_sales_keep_their_own() {
    let party = Sandbox::new();
    let (token, sale) = party.initiated().await;
    let (other_token, other) = party.initiated().await;
    let mut wrong_nonce = check_body(&sale, &token, SERIAL, None);
    wrong_nonce["session"]["nonce"] = json!("n".repeat(64));
    let uri = check_uri(&sale.invoice_id);
    for _ in 0..MAX_VIOLATIONS_PER_SALE + 10 {
        let reply = party.post(&uri, &wrong_nonce).await;
        reply.refused(StatusCode::FORBIDDEN, "DAPI-403-NONCE");
    }
    assert_eq!(MAX_VIOLATIONS_PER_SALE, 50);
    let record = party.record(&sale.invoice_id).await;
    assert_eq!(record.violations.len(), MAX_VIOLATIONS_PER_SALE);
    assert!(record.violations.iter().all(|v| v.path == "session.nonce"));
    let reply = party.check(&other_token, &other).await;
    reply.ok::<CheckSaleResponse>();
    assert_eq!(party.record(&other.invoice_id).await.violations, []);
}
