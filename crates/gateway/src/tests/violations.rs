//! The gateway checks its peers: each class of contract violation in the fake party's answers (and in a repeat
//! sale's perform) is recorded with its step, path and observer, while the sale ends as spec 3.4 and 3.7 say.

use super::party::{CallbackUri, Event, FakeParty};
use super::support::*;
use crate::AppState;
use axum::http::StatusCode;
use sandbox_api::Observer;
use std::time::Duration;

async fn start() -> (FakeParty, AppState) {
    let party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |_| {});
    (party, state)
}

/// Performs a card sale and waits for its final status.
async fn final_status(state: &AppState, invoice: &str, cvv: &str) -> serde_json::Value {
    let token = perform(state, invoice, &card_perform(invoice, cvv)).await;
    wait_for_state(state, invoice, &token, &["APPROVED", "DECLINED"]).await
}

#[tokio::test]
async fn a_plain_approved_sale_records_no_violation() {
    let (mut party, state) = start().await;
    let answer = final_status(&state, "INV-plain", "123").await;
    assert_eq!(answer["state"], "APPROVED");
    assert_eq!(party.next_callback().await["status"], "approved");
    assert_eq!(violations(&state, "INV-plain"), []);
    let record = state
        .sale_record(&ENDPOINT.into(), &"INV-plain".into())
        .unwrap();
    assert_eq!(
        (record.state, record.violations.len()),
        (dapi::SaleState::Approved, 0)
    );
}

#[tokio::test]
async fn each_broken_check_answer_declines_and_is_recorded_at_step_9() {
    let (mut party, state) = start().await;
    let cases = [
        (
            "INV-bad-sig",
            "bad checkSignature",
            "session.checkSignature",
            "does not verify",
        ),
        (
            "INV-wrong-nonce",
            "nonce mismatch",
            "session.nonce",
            "must echo the nonce of initiate sale",
        ),
        (
            "INV-wrong-token",
            "token mismatch",
            "session.token",
            "must echo the gateway's session token",
        ),
        (
            "INV-wrong-invoice",
            "invoiceId mismatch",
            "invoiceId",
            "must echo the sale's invoiceId",
        ),
        (
            "INV-usd",
            "transaction.currency mismatch",
            "transaction.currency",
            "must be the sale's currency",
        ),
        (
            "INV-no-sig-field",
            "invalid answer: session.checkSignature is required",
            "session.checkSignature",
            "is required",
        ),
    ];
    for (invoice, reason, path, rule) in cases {
        let answer = final_status(&state, invoice, "123").await;
        assert_eq!(answer["state"], "DECLINED", "{invoice}: {answer}");
        let message = format!("check sale failed: {reason}");
        assert_eq!(answer["errorMessage"], message.as_str(), "{invoice}");
        assert_eq!(
            only_violation(&state, invoice),
            (Observer::Gateway, 9, path.to_owned(), rule.to_owned()),
            "{invoice}"
        );
        assert_eq!(party.next_callback().await["status"], "declined");
    }
    let nonce = &violations(&state, "INV-wrong-nonce")[0];
    assert_eq!(
        (nonce.expected.as_deref(), nonce.actual.as_deref()),
        (Some("7f3b9c1d…"), Some("00000000…")),
        "nonces are shortened"
    );
    let currency = &violations(&state, "INV-usd")[0];
    assert_eq!(
        (currency.expected.as_deref(), currency.actual.as_deref()),
        (Some("EUR"), Some("USD"))
    );
}

#[tokio::test]
async fn a_bare_http_500_and_a_slow_party_decline_with_error_and_are_recorded() {
    let party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |config| {
        config.timings.check_timeout = Duration::from_millis(500)
    });
    let answer = final_status(&state, "INV-http500", "123").await;
    assert_eq!(answer["errorMessage"], "check sale failed: HTTP 500");
    assert_eq!(
        only_violation(&state, "INV-http500"),
        (
            Observer::Gateway,
            9,
            String::new(),
            "HTTP 500 without the documented error body".to_owned()
        )
    );
    let answer = final_status(&state, "INV-slow", "123").await;
    assert_eq!(answer["errorMessage"], "check sale failed: timeout");
    assert_eq!(
        only_violation(&state, "INV-slow"),
        (
            Observer::Gateway,
            9,
            String::new(),
            "no answer within 500 ms".to_owned()
        )
    );
    let mut party = party;
    for _ in 0..2 {
        assert_eq!(party.next_callback().await["status"], "error");
    }
}

#[tokio::test]
async fn documented_error_bodies_decline_without_a_violation() {
    let (mut party, state) = start().await;
    let answer = final_status(&state, "INV-filtered", "123").await;
    assert_eq!(answer["state"], "DECLINED");
    assert_eq!(party.next_callback().await["status"], "filtered");
    assert_eq!(violations(&state, "INV-filtered"), []);
    let answer = final_status(&state, "INV-server-failed", "123").await;
    assert!(
        answer["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("check sale failed: HTTP 500 SERVER_FAILED"),
        "{answer}"
    );
    assert_eq!(party.next_callback().await["status"], "error");
    assert_eq!(violations(&state, "INV-server-failed"), []);
}

#[tokio::test]
async fn repeat_sale_breaches_are_recorded_at_step_6_or_9() {
    let (mut party, state) = start().await;
    final_status(&state, "INV-first", "123").await;
    let server_card_id = loop {
        if let Event::Notification(n) = party.next().await {
            break n.source_card.unwrap().reference.unwrap().server_card_id;
        }
    };
    let card = format!("cc-{server_card_id}");
    let jane = Some("jane@example.com");
    let cases = [
        (
            "INV-no-mail",
            card.as_str(),
            None,
            "consumer.email mismatch",
            6,
            "consumer.email",
        ),
        (
            "INV-other-mail",
            card.as_str(),
            jane,
            "consumer.email mismatch",
            9,
            "consumer.email",
        ),
        (
            "INV-unknown-card",
            "cc-1",
            jane,
            "unknown serverCardId",
            9,
            "sourceOfFunds.reference.serverCardId",
        ),
        (
            "INV-no-card-id",
            card.as_str(),
            jane,
            "no serverCardId for the clientCardId",
            9,
            "sourceOfFunds.reference.serverCardId",
        ),
    ];
    for (invoice, client_card_id, email, reason, step, path) in cases {
        let body = reference_perform(invoice, client_card_id, email);
        let token = perform(&state, invoice, &body).await;
        let answer = wait_for_state(&state, invoice, &token, &["APPROVED", "DECLINED"]).await;
        let message = format!("check sale failed: {reason}");
        assert_eq!(answer["errorMessage"], message.as_str(), "{invoice}");
        let (observer, seen_step, seen_path, _) = only_violation(&state, invoice);
        assert_eq!(
            (observer, seen_step, seen_path.as_str()),
            (Observer::Gateway, step, path),
            "{invoice}"
        );
    }
    let other = &violations(&state, "INV-other-mail")[0];
    assert_eq!(
        (other.expected.as_deref(), other.actual.as_deref()),
        (Some("jane@example.com"), Some("other@example.com"))
    );
    let absent = &violations(&state, "INV-no-mail")[0];
    assert_eq!(
        (absent.expected.as_deref(), absent.actual.as_deref()),
        (Some("jane@example.com"), None)
    );
}

#[tokio::test]
async fn notification_breaches_are_recorded_at_step_20_and_the_sale_still_approved() {
    let (mut party, state) = start().await;
    let cases = [
        (
            "INV-bad-notify",
            "session.checkSignature",
            "does not verify",
            None,
        ),
        (
            "INV-refuse-notify",
            "error.cause",
            "card mapping refused",
            Some("INVALID_REQUEST"),
        ),
        (
            "INV-notify-500",
            "",
            "HTTP 500 without the documented error body",
            None,
        ),
        (
            "INV-notify-nonce",
            "session.nonce",
            "must echo the nonce of initiate sale",
            Some("00000000…"),
        ),
        ("INV-notify-schema", "session.token", "is required", None),
    ];
    for (invoice, path, rule, actual) in cases {
        let answer = final_status(&state, invoice, "123").await;
        assert_eq!(answer["state"], "APPROVED", "{invoice}: {answer}");
        assert_eq!(
            only_violation(&state, invoice),
            (Observer::Gateway, 20, path.to_owned(), rule.to_owned()),
            "{invoice}: retried refusals are recorded once"
        );
        if let Some(actual) = actual {
            let found = &violations(&state, invoice)[0];
            assert_eq!(found.actual.as_deref(), Some(actual), "{invoice}");
        }
        assert_eq!(party.next_callback().await["status"], "approved");
    }
}

#[tokio::test]
async fn a_refused_correct_callback_is_recorded_at_step_24() {
    let mut party = FakeParty::start(StatusCode::INTERNAL_SERVER_ERROR).await;
    let state = gateway(&party.url, |_| {});
    final_status(&state, "INV-cb-500", "101").await;
    party.next_callback_uri().await.verified();
    let found = wait_for_violation(&state, "INV-cb-500", 24).await;
    assert_eq!(
        only_violation(&state, "INV-cb-500"),
        (
            Observer::Gateway,
            24,
            String::new(),
            "answered HTTP 500, expected 200".to_owned()
        ),
        "{found:#?}"
    );
}
