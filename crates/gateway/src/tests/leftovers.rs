//! The spec's leftovers through the router, against the fake Connecting Party: the random-sum check (A21), card
//! data in a check answer (A25), both halves of the e-mail rule of a repeat sale (2.2), the card mapping
//! notification re-sent for a repeat sale when configured (3.7 decision), and the currency the sandbox endpoint
//! does not take (spec 6).

use super::party::{Event, FakeParty};
use super::support::*;
use crate::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;

const FORM: &str = "application/x-www-form-urlencoded";

/// Performs a 3-D Secure sale (CVV 321) and answers its page with `answer`; the final status and the page.
async fn three_ds_sale(state: &AppState, invoice: &str, answer: &str) -> (Value, String) {
    let token = perform(state, invoice, &card_perform(invoice, "321")).await;
    wait_for_state(state, invoice, &token, &["REDIRECT_REQUEST"]).await;
    let page = format!("/sim/3ds/{token}");
    let (_, _, html) = send_full(state, Request::get(&page).body(Body::empty()).unwrap()).await;
    let (code, _, _) = send_full(state, post_raw(&page, FORM, answer.to_owned())).await;
    assert_eq!(code, StatusCode::SEE_OTHER);
    let status = wait_for_state(state, invoice, &token, &["APPROVED", "DECLINED"]).await;
    (status, html)
}

#[tokio::test]
async fn a_random_sum_check_is_asked_on_the_page_and_answered_right_wrong_or_not_at_all() {
    let party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |_| {});
    let (right, html) = three_ds_sale(
        &state,
        "INV-random-sum-1",
        "password=hint&randomSum=37&action=submit",
    )
    .await;
    assert!(html.contains(r#"name="randomSum""#), "{html}");
    assert!(
        !html.contains(">37<") && !html.contains("0.37"),
        "the page never shows the sum"
    );
    assert_eq!(
        (&right["state"], &right["randomSumAuthStatus"]),
        (&"APPROVED".into(), &"AUTHENTICATED".into())
    );
    for (invoice, answer, message) in [
        (
            "INV-random-sum-2",
            "password=hint&randomSum=38&action=submit",
            "random sum check failed: wrong amount",
        ),
        (
            "INV-random-sum-3",
            "password=hint&randomSum=+&action=submit",
            "random sum check failed: no amount entered",
        ),
    ] {
        let (status, _) = three_ds_sale(&state, invoice, answer).await;
        assert_eq!(status["state"], "DECLINED", "{status}");
        assert_eq!(
            status["secure3DAuthStatus"], "AUTHENTICATED",
            "the password was right"
        );
        assert_eq!(status["randomSumAuthStatus"], "NOT_AUTHENTICATED");
        assert_eq!(status["errorMessage"], message);
    }
    let (cancelled, _) = three_ds_sale(&state, "INV-random-sum-4", "action=cancel").await;
    assert_eq!(cancelled["randomSumAuthStatus"], "NOT_AUTHENTICATED");
    let (plain, html) = three_ds_sale(&state, "INV-plain-3ds", "password=hint&action=submit").await;
    assert!(!html.contains("randomSum"));
    assert!(plain.get("randomSumAuthStatus").is_none(), "{plain}");
    let token = perform(
        &state,
        "INV-random-sum-5",
        &card_perform("INV-random-sum-5", "123"),
    )
    .await;
    let frictionless = wait_for_state(&state, "INV-random-sum-5", &token, &["APPROVED"]).await;
    assert!(
        frictionless.get("randomSumAuthStatus").is_none(),
        "no 3-D Secure step: omitted (spec 6)"
    );
}

/// The first sale with full card data on the fake party, and its card reference.
async fn mapped_card(state: &AppState, party: &mut FakeParty, invoice: &str) -> String {
    let token = perform(state, invoice, &card_perform(invoice, "123")).await;
    wait_for_state(state, invoice, &token, &["APPROVED"]).await;
    loop {
        if let Event::Notification(n) = party.next().await {
            return format!(
                "cc-{}",
                n.source_card.unwrap().reference.unwrap().server_card_id
            );
        }
    }
}

#[tokio::test]
async fn card_data_in_a_check_answer_is_accepted_alone_and_refused_beside_a_reference() {
    let mut party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |_| {});
    let card = mapped_card(&state, &mut party, "INV-card-data").await;
    assert_eq!(
        violations(&state, "INV-card-data"),
        [],
        "card data alone is accepted (spec A25)"
    );
    let body = reference_perform("INV-card-data-again", &card, Some("jane@example.com"));
    let token = perform(&state, "INV-card-data-again", &body).await;
    let answer = wait_for_state(&state, "INV-card-data-again", &token, &["DECLINED"]).await;
    assert!(
        answer["errorMessage"]
            .as_str()
            .unwrap()
            .contains("never both"),
        "{answer}"
    );
    let found = violations(&state, "INV-card-data-again");
    assert!(
        found
            .iter()
            .any(|v| (v.step, v.path.as_str()) == (9, "sourceOfFunds")),
        "{found:?}"
    );
}

#[tokio::test]
async fn a_check_answer_without_the_cards_email_breaks_the_email_rule() {
    let mut party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |_| {});
    let card = mapped_card(&state, &mut party, "INV-mapped").await;
    let invoice = "INV-answer-no-mail";
    let token = perform(
        &state,
        invoice,
        &reference_perform(invoice, &card, Some("jane@example.com")),
    )
    .await;
    let answer = wait_for_state(&state, invoice, &token, &["DECLINED"]).await;
    assert_eq!(
        answer["errorMessage"],
        "check sale failed: consumer.email mismatch"
    );
    let (_, step, path, rule) = only_violation(&state, invoice);
    assert_eq!((step, path.as_str()), (9, "consumer.email"));
    assert!(rule.contains("spec 2.2"), "{rule}");
}

#[tokio::test]
async fn a_repeat_sale_re_sends_the_notification_only_when_configured() {
    let mut party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |config| config.resend_card_mapping = true);
    let card = mapped_card(&state, &mut party, "INV-resend-first").await;
    let invoice = "INV-resend-again";
    let token = perform(
        &state,
        invoice,
        &reference_perform(invoice, &card, Some("jane@example.com")),
    )
    .await;
    wait_for_state(&state, invoice, &token, &["APPROVED"]).await;
    let resent = loop {
        if let Event::Notification(n) = party.next().await {
            break n;
        }
    };
    assert_eq!(resent.session.token.as_str(), token);
    let server_card_id = resent
        .source_card
        .unwrap()
        .reference
        .unwrap()
        .server_card_id;
    assert_eq!(
        format!("cc-{server_card_id}"),
        card,
        "the same serverCardId again"
    );
}

#[tokio::test]
async fn the_sandbox_endpoint_does_not_take_xts() {
    let party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |_| {});
    let mut body = card_perform("INV-xts", "123");
    body["transaction"]["currency"] = "XTS".into();
    body["session"]["signature"] = signature(ENDPOINT, "INV-xts", 1050, "XTS").into();
    let (code, answer) = send(&state, post_json(&sale_uri(ENDPOINT, "INV-xts"), &body)).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["error"]["cause"], "INVALID_CONFIGURATION",
        "{answer}"
    );
    assert_eq!(
        answer["error"]["message"],
        "currency XTS not allowed on endpoint 1234"
    );
}
