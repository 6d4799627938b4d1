//! The gateway checks its peers: each class of contract violation in the reference party's answers, which it
//! gives on purpose when a sale is set to misbehave (and in a repeat sale's perform), is recorded with its step,
//! path and observer, while the sale ends as spec 3.4 and 3.7 say.

use super::reference_party::ReferenceParty;
use super::support::*;
use crate::AppState;
use dapi::CallbackStatus;
use sandbox_api::Observer;
use sandbox_api::text::short;
use serde_json::{Value, json};
use std::time::Duration;

async fn start() -> (ReferenceParty, AppState) {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |_| {});
    (party, state)
}

/// Performs a card sale and waits for its final status.
async fn final_status(state: &AppState, sale: &Terms, cvv: &str) -> Value {
    let token = perform_card(state, sale, cvv).await;
    wait_for_state(state, sale, &token, &["APPROVED", "DECLINED"]).await
}

/// A nonce as a violation shows it, for one that is not `right`: shortened, and not the right one.
fn assert_other_nonce(shown: Option<&str>, right: &str) {
    let shown = shown.expect("the nonce answered is shown");
    assert!(shown.ends_with('…'), "nonces are shortened: {shown}");
    assert_ne!(shown, short(right), "another nonce than the sale's");
}

#[tokio::test]
async fn a_plain_approved_sale_records_no_violation() {
    let (mut party, state) = start().await;
    let sale = party.sale().await;
    let answer = final_status(&state, &sale, "123").await;
    assert_eq!(answer["state"], "APPROVED");
    assert_eq!(
        party.callback(&sale.invoice).await.0,
        CallbackStatus::Approved
    );
    assert_eq!(violations(&state, &sale.invoice), []);
    let record = state
        .sale_record(&ENDPOINT.into(), &sale.invoice.as_str().into())
        .unwrap();
    assert_eq!(
        (record.state, record.violations.len()),
        (dapi::SaleState::Approved, 0)
    );
    assert_eq!(party.record(&sale.invoice).violations, [], "nor the party");
}

#[tokio::test]
async fn each_broken_check_answer_declines_and_is_recorded_at_step_9() {
    let (mut party, state) = start().await;
    let cases = [
        (
            "wrong-check-signature",
            "bad checkSignature",
            "session.checkSignature",
            "does not verify",
        ),
        (
            "wrong-nonce",
            "nonce mismatch",
            "session.nonce",
            "must echo the nonce of initiate sale",
        ),
        (
            "wrong-token",
            "token mismatch",
            "session.token",
            "must echo the gateway's session token",
        ),
        (
            "wrong-invoice",
            "invoiceId mismatch",
            "invoiceId",
            "must echo the sale's invoiceId",
        ),
        (
            "wrong-currency",
            "transaction.currency mismatch",
            "transaction.currency",
            "must be the sale's currency",
        ),
        (
            "missing-check-signature",
            "invalid answer: session.checkSignature is required",
            "session.checkSignature",
            "is required",
        ),
    ];
    let mut sales = Vec::new();
    for (misbehaviour, reason, path, rule) in cases {
        let sale = party
            .misbehaving_sale(json!({ "check": misbehaviour }))
            .await;
        let answer = final_status(&state, &sale, "123").await;
        assert_eq!(answer["state"], "DECLINED", "{misbehaviour}: {answer}");
        let message = format!("check sale failed: {reason}");
        assert_eq!(answer["errorMessage"], message.as_str(), "{misbehaviour}");
        assert_eq!(
            only_violation(&state, &sale.invoice),
            (Observer::Gateway, 9, path.to_owned(), rule.to_owned()),
            "{misbehaviour}"
        );
        assert_eq!(
            party.callback(&sale.invoice).await.0,
            CallbackStatus::Declined
        );
        sales.push(sale);
    }
    let wrong_nonce = &sales[1];
    let nonce = &violations(&state, &wrong_nonce.invoice)[0];
    assert_eq!(
        nonce.expected.as_deref(),
        Some(short(&wrong_nonce.nonce).as_str()),
        "nonces are shortened"
    );
    assert_other_nonce(nonce.actual.as_deref(), &wrong_nonce.nonce);
    let currency = &violations(&state, &sales[4].invoice)[0];
    assert_eq!(
        (currency.expected.as_deref(), currency.actual.as_deref()),
        (Some("EUR"), Some("USD"))
    );
}

#[tokio::test]
async fn a_bare_http_500_and_a_slow_party_decline_with_error_and_are_recorded() {
    let mut party = ReferenceParty::start().await;
    let state = gateway(&party.url, |config| {
        config.timings.check_timeout = Duration::from_millis(500)
    });
    let bare = party.misbehaving_sale(json!({"check":"http-500"})).await;
    let answer = final_status(&state, &bare, "123").await;
    assert_eq!(answer["errorMessage"], "check sale failed: HTTP 500");
    assert_eq!(
        only_violation(&state, &bare.invoice),
        (
            Observer::Gateway,
            9,
            String::new(),
            "HTTP 500 without the documented error body".to_owned()
        )
    );
    let slow = party
        .misbehaving_sale(json!({"check":"slow","delayMs":1000}))
        .await;
    let answer = final_status(&state, &slow, "123").await;
    assert_eq!(answer["errorMessage"], "check sale failed: timeout");
    assert_eq!(
        only_violation(&state, &slow.invoice),
        (
            Observer::Gateway,
            9,
            String::new(),
            "no answer within 500 ms".to_owned()
        )
    );
    for sale in [&bare, &slow] {
        assert_eq!(party.callback(&sale.invoice).await.0, CallbackStatus::Error);
    }
}

#[tokio::test]
async fn documented_error_bodies_decline_without_a_violation() {
    let (mut party, state) = start().await;
    let filtered = party.misbehaving_sale(json!({"check":"filtered"})).await;
    let answer = final_status(&state, &filtered, "123").await;
    assert_eq!(answer["state"], "DECLINED");
    assert_eq!(
        party.callback(&filtered.invoice).await.0,
        CallbackStatus::Filtered
    );
    assert_eq!(violations(&state, &filtered.invoice), []);
    let failed = party
        .misbehaving_sale(json!({"check":"server-failed"}))
        .await;
    let answer = final_status(&state, &failed, "123").await;
    assert!(
        answer["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("check sale failed: HTTP 500 SERVER_FAILED"),
        "{answer}"
    );
    assert_eq!(
        party.callback(&failed.invoice).await.0,
        CallbackStatus::Error
    );
    assert_eq!(violations(&state, &failed.invoice), []);
}

#[tokio::test]
async fn repeat_sale_breaches_are_recorded_at_step_6_or_9() {
    let (party, state) = start().await;
    let first = party.sale().await;
    final_status(&state, &first, "123").await;
    let card = party.client_card_id(&first).await;
    // A card this gateway never issued: mapped at the same party through another gateway.
    let other_gateway = gateway(&party.url, |_| {});
    let cases = [
        (
            &state,
            json!({}),
            None,
            "consumer.email mismatch",
            6,
            "consumer.email",
        ),
        (
            &state,
            json!({"check":"other-email"}),
            Some(EMAIL),
            "consumer.email mismatch",
            9,
            "consumer.email",
        ),
        (
            &other_gateway,
            json!({}),
            Some(EMAIL),
            "unknown serverCardId",
            9,
            "sourceOfFunds.reference.serverCardId",
        ),
        (
            &state,
            json!({"check":"missing-server-card-id"}),
            Some(EMAIL),
            "no serverCardId for the clientCardId",
            9,
            "sourceOfFunds.reference.serverCardId",
        ),
    ];
    let mut sales = Vec::new();
    for (state, settings, email, reason, step, path) in cases {
        let sale = party.misbehaving_sale(settings).await;
        let body = reference_perform(&sale, card.as_str(), email);
        let token = perform(state, &sale.invoice, &body).await;
        let answer = wait_for_state(state, &sale, &token, &["APPROVED", "DECLINED"]).await;
        let message = format!("check sale failed: {reason}");
        assert_eq!(answer["errorMessage"], message.as_str(), "{reason}");
        let (observer, seen_step, seen_path, _) = only_violation(state, &sale.invoice);
        assert_eq!(
            (observer, seen_step, seen_path.as_str()),
            (Observer::Gateway, step, path),
            "{reason}"
        );
        sales.push(sale);
    }
    let other = &violations(&state, &sales[1].invoice)[0];
    assert_eq!(
        (other.expected.as_deref(), other.actual.as_deref()),
        (Some(EMAIL), Some("other@example.com"))
    );
    let absent = &violations(&state, &sales[0].invoice)[0];
    assert_eq!(
        (absent.expected.as_deref(), absent.actual.as_deref()),
        (Some(EMAIL), None)
    );
}

#[tokio::test]
async fn notification_breaches_are_recorded_at_step_20_and_the_sale_still_approved() {
    let (mut party, state) = start().await;
    let cases = [
        (
            "wrong-check-signature",
            "session.checkSignature",
            "does not verify",
            None,
        ),
        (
            "refuse",
            "error.cause",
            "card mapping refused",
            Some("INVALID_REQUEST"),
        ),
        (
            "http-500",
            "",
            "HTTP 500 without the documented error body",
            None,
        ),
        (
            "wrong-nonce",
            "session.nonce",
            "must echo the nonce of initiate sale",
            None,
        ),
        ("missing-token", "session.token", "is required", None),
    ];
    for (misbehaviour, path, rule, actual) in cases {
        let sale = party
            .misbehaving_sale(json!({ "notification": misbehaviour }))
            .await;
        let answer = final_status(&state, &sale, "123").await;
        assert_eq!(answer["state"], "APPROVED", "{misbehaviour}: {answer}");
        assert_eq!(
            only_violation(&state, &sale.invoice),
            (Observer::Gateway, 20, path.to_owned(), rule.to_owned()),
            "{misbehaviour}: retried refusals are recorded once"
        );
        let found = &violations(&state, &sale.invoice)[0];
        match (misbehaviour, actual) {
            ("wrong-nonce", _) => assert_other_nonce(found.actual.as_deref(), &sale.nonce),
            (_, Some(actual)) => {
                assert_eq!(found.actual.as_deref(), Some(actual), "{misbehaviour}")
            }
            (_, None) => {}
        }
        assert_eq!(
            party.callback(&sale.invoice).await.0,
            CallbackStatus::Approved
        );
    }
}

#[tokio::test]
async fn a_refused_correct_callback_is_recorded_at_step_24() {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |_| {});
    let sale = party.misbehaving_sale(json!({"callback":"http-500"})).await;
    final_status(&state, &sale, "101").await;
    let found = wait_for_violation(&state, &sale.invoice, 24).await;
    assert_eq!(
        only_violation(&state, &sale.invoice),
        (
            Observer::Gateway,
            24,
            String::new(),
            "answered HTTP 500, expected 200".to_owned()
        ),
        "{found:#?}"
    );
    // The party refuses it before reading it, so the gateway's own copy shows it was correct.
    let callback = sent_callback(&state, &sale.invoice);
    callback
        .verify(&key())
        .expect("the callback control should verify");
}
