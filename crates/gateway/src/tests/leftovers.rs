//! The spec's leftovers through the router, against the reference Connecting Party server: the random-sum check
//! (A21, its per-sale `randomSumCentis` setting), card data in a check answer (A25, its `cardData` setting), the
//! e-mail rule of a repeat sale broken in the check answer (2.2), the card mapping notification re-sent for a
//! repeat sale when configured (3.7 decision), and the currency the sandbox endpoint does not take (spec 6).

use super::reference_party::ReferenceParty;
use super::support::*;
use crate::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use dapi::ServerCardId;
use sandbox_api::DeliveryKind;
use serde_json::{Value, json};

const FORM: &str = "application/x-www-form-urlencoded";

/// Performs a 3-D Secure sale (CVV 321) and answers its page with `answer`; the final status and the page.
async fn three_ds_sale(state: &AppState, sale: &Terms, answer: &str) -> (Value, String) {
    let token = perform_card(state, sale, "321").await;
    wait_for_state(state, sale, &token, &["REDIRECT_REQUEST"]).await;
    let page = format!("/sim/3ds/{token}");
    let (_, _, html) = send_full(state, Request::get(&page).body(Body::empty()).unwrap()).await;
    let (code, _, _) = send_full(state, post_raw(&page, FORM, answer.to_owned())).await;
    assert_eq!(code, StatusCode::SEE_OTHER);
    let status = wait_for_state(state, sale, &token, &["APPROVED", "DECLINED"]).await;
    (status, html)
}

#[tokio::test]
async fn a_random_sum_check_is_asked_on_the_page_and_answered_right_wrong_or_not_at_all() {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |_| {});
    let random_sum = json!({"randomSumCentis":37});
    let sale = party.misbehaving_sale(random_sum.clone()).await;
    let answer = "password=hint&randomSum=37&action=submit";
    let (right, html) = three_ds_sale(&state, &sale, answer).await;
    assert!(html.contains(r#"name="randomSum""#), "{html}");
    assert!(
        !html.contains(">37<") && !html.contains("0.37"),
        "the page never shows the sum"
    );
    assert_eq!(
        (&right["state"], &right["randomSumAuthStatus"]),
        (&"APPROVED".into(), &"AUTHENTICATED".into())
    );
    for (answer, message) in [
        (
            "password=hint&randomSum=38&action=submit",
            "random sum check failed: wrong amount",
        ),
        (
            "password=hint&randomSum=+&action=submit",
            "random sum check failed: no amount entered",
        ),
    ] {
        let sale = party.misbehaving_sale(random_sum.clone()).await;
        let (status, _) = three_ds_sale(&state, &sale, answer).await;
        assert_eq!(status["state"], "DECLINED", "{status}");
        assert_eq!(
            status["secure3DAuthStatus"], "AUTHENTICATED",
            "the password was right"
        );
        assert_eq!(status["randomSumAuthStatus"], "NOT_AUTHENTICATED");
        assert_eq!(status["errorMessage"], message);
    }
    let sale = party.misbehaving_sale(random_sum.clone()).await;
    let (cancelled, _) = three_ds_sale(&state, &sale, "action=cancel").await;
    assert_eq!(cancelled["randomSumAuthStatus"], "NOT_AUTHENTICATED");
    let sale = party.sale().await;
    let (plain, html) = three_ds_sale(&state, &sale, "password=hint&action=submit").await;
    assert!(!html.contains("randomSum"));
    assert!(plain.get("randomSumAuthStatus").is_none(), "{plain}");
    let sale = party.misbehaving_sale(random_sum).await;
    let token = perform_card(&state, &sale, "123").await;
    let frictionless = wait_for_state(&state, &sale, &token, &["APPROVED"]).await;
    assert!(
        frictionless.get("randomSumAuthStatus").is_none(),
        "no 3-D Secure step: omitted (spec 6)"
    );
}

/// A first sale with full card data (made with `settings`), approved; the app's card reference and the
/// gateway's `serverCardId` for it.
async fn mapped_card(
    state: &AppState,
    party: &mut ReferenceParty,
    settings: Value,
) -> (Terms, String, ServerCardId) {
    let first = party.misbehaving_sale(settings).await;
    let token = perform_card(state, &first, "123").await;
    wait_for_state(state, &first, &token, &["APPROVED"]).await;
    let (_, server_card_id) = party.card_mapped(&first.invoice).await;
    let client_card_id = party.client_card_id(&first).await;
    (first, client_card_id.to_string(), server_card_id)
}

#[tokio::test]
async fn card_data_in_a_check_answer_is_accepted_alone_and_refused_beside_a_reference() {
    let mut party = ReferenceParty::start().await;
    let state = gateway(&party.url, |_| {});
    let card_data = json!({"cardData":true});
    let (first, card, _) = mapped_card(&state, &mut party, card_data.clone()).await;
    assert_eq!(
        violations(&state, &first.invoice),
        [],
        "card data alone is accepted (spec A25)"
    );
    let again = party.misbehaving_sale(card_data).await;
    let body = reference_perform(&again, &card, Some(EMAIL));
    let token = perform(&state, &again.invoice, &body).await;
    let answer = wait_for_state(&state, &again, &token, &["DECLINED"]).await;
    let message = answer["errorMessage"].as_str().unwrap_or_default();
    assert!(message.contains("never both"), "{answer}");
    let found = violations(&state, &again.invoice);
    assert!(
        found
            .iter()
            .any(|v| (v.step, v.path.as_str()) == (9, "sourceOfFunds")),
        "{found:?}"
    );
}

#[tokio::test]
async fn a_check_answer_with_another_email_than_the_cards_breaks_the_email_rule() {
    let mut party = ReferenceParty::start().await;
    let state = gateway(&party.url, |_| {});
    let (_, card, _) = mapped_card(&state, &mut party, json!({})).await;
    let sale = party.misbehaving_sale(json!({"check":"other-email"})).await;
    let body = reference_perform(&sale, &card, Some(EMAIL));
    let token = perform(&state, &sale.invoice, &body).await;
    let answer = wait_for_state(&state, &sale, &token, &["DECLINED"]).await;
    assert_eq!(
        answer["errorMessage"],
        "check sale failed: consumer.email mismatch"
    );
    let (_, step, path, rule) = only_violation(&state, &sale.invoice);
    assert_eq!((step, path.as_str()), (9, "consumer.email"));
    assert!(rule.contains("spec 2.2"), "{rule}");
}

#[tokio::test]
async fn a_repeat_sale_re_sends_the_notification_only_when_configured() {
    let mut party = ReferenceParty::start().await;
    let state = gateway(&party.url, |config| config.resend_card_mapping = true);
    let (_, card, server_card_id) = mapped_card(&state, &mut party, json!({})).await;
    let again = party.sale().await;
    let body = reference_perform(&again, &card, Some(EMAIL));
    let token = perform(&state, &again.invoice, &body).await;
    wait_for_state(&state, &again, &token, &["APPROVED"]).await;
    let kinds = kinds_sent(&state, &again.invoice);
    assert_eq!(kinds, [DeliveryKind::Notification, DeliveryKind::Callback]);
    let resent = sent_notification(&state, &again.invoice);
    assert_eq!(resent.session.token.as_str(), token);
    let reference = resent.source_card.and_then(|card| card.reference);
    let resent_id = reference.map(|reference| reference.server_card_id);
    assert_eq!(
        resent_id,
        Some(server_card_id),
        "the same serverCardId again"
    );

    let plain = gateway(&party.url, |_| {});
    let (_, card, _) = mapped_card(&plain, &mut party, json!({})).await;
    let again = party.sale().await;
    let token = perform(
        &plain,
        &again.invoice,
        &reference_perform(&again, &card, Some(EMAIL)),
    )
    .await;
    wait_for_state(&plain, &again, &token, &["APPROVED"]).await;
    assert_eq!(kinds_sent(&plain, &again.invoice), [DeliveryKind::Callback]);
}

#[tokio::test]
async fn the_sandbox_endpoint_does_not_take_xts() {
    // Refused before any call to a Connecting Party server: none listens.
    let state = gateway("http://127.0.0.1:9", |_| {});
    let sale = Terms::local("INV-xts");
    let mut body = card_perform(&sale, "123");
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
