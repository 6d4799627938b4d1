//! The gateway against the reference party: check sale, notification, 3-D Secure, callback, dead letters.

use super::reference_party::ReferenceParty;
use super::support::*;
use crate::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use dapi::CallbackStatus;
use sandbox_api::DeliveryKind;
use sandbox_api::DeliveryState;
use serde_json::json;
use std::time::Duration;

async fn start() -> (ReferenceParty, AppState) {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |_| {});
    (party, state)
}

#[tokio::test]
async fn a_correct_check_signature_leads_to_approval_after_the_notification() {
    let (mut party, state) = start().await;
    let sale = party.sale().await;
    let token = perform_card(&state, &sale, "123").await;
    assert!(party.checked(&sale.invoice).await, "check sale comes first");
    // The party maps a card only for the gateway token its check sale carried.
    let (_, server_card_id) = party.card_mapped(&sale.invoice).await;
    let notification = sent_notification(&state, &sale.invoice);
    let source_card = notification.source_card.as_ref().unwrap();
    let reference = source_card.reference.as_ref().unwrap();
    assert_eq!(reference.server_card_id, server_card_id);
    assert!(reference.unique_reference_card_id.is_some());
    assert_eq!(source_card.bin, Some(411_111));

    let answer = wait_for_state(&state, &sale, &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(answer["state"], "APPROVED", "{answer}");
    assert_eq!(answer["secure3DAuthStatus"], "AUTHENTICATED");
    assert!(answer["bankOrderId"].is_string() && answer.get("errorMessage").is_none());
    assert_eq!(answer["transaction"]["amountCentis"], 1050);
    assert_eq!(
        status(&state, &sale, &token).await,
        answer,
        "a final body never changes"
    );

    // Received means verified: the party publishes only callbacks whose `control` verifies.
    let (callback, _) = party.callback(&sale.invoice).await;
    assert_eq!(callback, CallbackStatus::Approved);
    assert_eq!(sent_callback(&state, &sale.invoice).amount, "10.50");
    let record = party.record(&sale.invoice);
    let received = record.callback.unwrap();
    assert_eq!(
        received.order_id.as_str(),
        answer["orderId"].as_str().unwrap()
    );
    assert_eq!(record.card_mapping.unwrap().bin, Some(411_111));
    assert_eq!(
        record.violations,
        [],
        "the party saw nothing wrong, the callback's amount included"
    );
    let card = state.store().card(&server_card_id).unwrap();
    assert!(card.confirmed && card.email.is_some());
}

#[tokio::test]
async fn a_bad_check_signature_declines_the_sale_without_notification() {
    let (mut party, state) = start().await;
    let sale = party
        .misbehaving_sale(json!({"check":"wrong-check-signature"}))
        .await;
    let answer = perform_card_until(&state, &sale, "123", &["APPROVED", "DECLINED"]).await;
    assert_eq!(answer["state"], "DECLINED", "{answer}");
    assert_eq!(
        answer["errorMessage"],
        "check sale failed: bad checkSignature"
    );
    assert!(answer["bankOrderId"].is_string() && answer["orderId"].is_string());
    let (callback, _) = party.callback(&sale.invoice).await;
    assert_eq!(callback, CallbackStatus::Declined);
    assert_eq!(
        sent_callback(&state, &sale.invoice)
            .error_message
            .as_deref(),
        Some("check sale failed: bad checkSignature")
    );
    assert_eq!(kinds_sent(&state, &sale.invoice), [DeliveryKind::Callback]);
    assert!(party.record(&sale.invoice).card_mapping.is_none());
}

#[tokio::test]
async fn a_refused_notification_leaves_the_mapping_unconfirmed_and_the_sale_approved() {
    let (mut party, state) = start().await;
    let sale = party
        .misbehaving_sale(json!({"notification":"wrong-check-signature"}))
        .await;
    let answer = perform_card_until(&state, &sale, "111", &["APPROVED", "DECLINED"]).await;
    assert_eq!(
        (&answer["state"], &answer["secure3DAuthStatus"]),
        (&"APPROVED".into(), &"UNSUPPORTED".into())
    );
    let (_, server_card_id) = party.card_mapped(&sale.invoice).await;
    assert!(!state.store().card(&server_card_id).unwrap().confirmed);
    assert_eq!(
        party.callback(&sale.invoice).await.0,
        CallbackStatus::Approved
    );
}

#[tokio::test]
async fn a_filtered_check_is_called_back_as_filtered_and_an_unreachable_party_as_error() {
    let (mut party, state) = start().await;
    let sale = party.misbehaving_sale(json!({"check":"filtered"})).await;
    let answer = perform_card_until(&state, &sale, "123", &["DECLINED"]).await;
    // The reference party answers `FILTERED` with HTTP 400 (spec 5.1 leaves the status open).
    assert!(
        answer["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("check sale failed: HTTP 400 FILTERED"),
        "{answer}"
    );
    assert_eq!(
        party.callback(&sale.invoice).await.0,
        CallbackStatus::Filtered
    );

    let gone = closed_url().await;
    let state = gateway(&gone, |config| config.endpoints[0].callback_url = None);
    let sale = Terms::local("INV-gone");
    let answer = perform_card_until(&state, &sale, "123", &["DECLINED"]).await;
    assert!(
        answer["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("check sale failed: unreachable"),
        "{answer}"
    );
}

#[tokio::test]
async fn issuer_declines_carry_the_cvv_as_error_code() {
    let (mut party, state) = start().await;
    let sale = party.sale().await;
    let answer = perform_card_until(&state, &sale, "116", &["DECLINED"]).await;
    assert_eq!(
        (&answer["errorCode"], &answer["errorMessage"]),
        (&116.into(), &"Not sufficient funds".into())
    );
    assert_eq!(
        party.callback(&sale.invoice).await.0,
        CallbackStatus::Declined
    );
    assert_eq!(
        party.record(&sale.invoice).callback.unwrap().error_code,
        Some(116)
    );
}

#[tokio::test]
async fn three_ds_with_the_right_password_approves_and_a_second_answer_changes_nothing() {
    let (mut party, state) = start().await;
    let sale = party.sale().await;
    let token = perform_card(&state, &sale, "321").await;
    let answer = wait_for_state(&state, &sale, &token, &["REDIRECT_REQUEST"]).await;
    let redirect = format!("http://gw.test/sim/3ds/{token}");
    assert_eq!(answer["redirectUrl"], redirect.as_str());
    assert_eq!(
        status(&state, &sale, &token).await["redirectUrl"],
        redirect.as_str(),
        "stable URL"
    );

    let page = format!("/sim/3ds/{token}");
    let (code, _, html) = send_full(&state, Request::get(&page).body(Body::empty()).unwrap()).await;
    assert_eq!(code, StatusCode::OK);
    assert!(
        html.contains("the password is: hint")
            && html.contains("10.50 EUR")
            && html.contains("411111******1111")
    );
    assert!(html.contains(&format!(r#"action="{redirect}""#)));

    let form = "application/x-www-form-urlencoded";
    let (code, location, _) =
        send_full(&state, post_raw(&page, form, "password=hint&action=submit")).await;
    assert_eq!(code, StatusCode::SEE_OTHER);
    assert_eq!(location.unwrap(), format!("{redirect}/done?result=success"));
    let (code, _, _) = send_full(
        &state,
        post_raw(&page, form, "password=wrong&action=submit"),
    )
    .await;
    assert_eq!(code, StatusCode::CONFLICT, "the first answer counts");

    let (code, _, done) = send_full(
        &state,
        Request::get(format!("{page}/done?result=success"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert!(
        done.contains(r#"<meta name="dapi-close" content="1">"#) && done.contains("window.close()")
    );

    let answer = wait_for_state(&state, &sale, &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(
        (&answer["state"], &answer["secure3DAuthStatus"]),
        (&"APPROVED".into(), &"AUTHENTICATED".into())
    );
    assert_eq!(
        party.callback(&sale.invoice).await.0,
        CallbackStatus::Approved
    );
}

#[tokio::test]
async fn three_ds_failure_cancel_and_abandonment_decline_not_authenticated() {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |config| {
        config.timings.three_ds_timeout = Duration::from_millis(200)
    });
    let form = "application/x-www-form-urlencoded";
    for (answer, message) in [
        (
            Some("password=guess&action=submit"),
            "3-D Secure authentication failed",
        ),
        (Some("action=cancel"), "3-D Secure authentication cancelled"),
        (None, "3DS timeout"),
    ] {
        let sale = party.sale().await;
        let token = perform_card(&state, &sale, "321").await;
        wait_for_state(&state, &sale, &token, &["REDIRECT_REQUEST"]).await;
        if let Some(answer) = answer {
            let (code, location, _) =
                send_full(&state, post_raw(&format!("/sim/3ds/{token}"), form, answer)).await;
            assert_eq!(code, StatusCode::SEE_OTHER);
            assert!(location.unwrap().ends_with("/done?result=failure"));
        }
        let status = wait_for_state(&state, &sale, &token, &["APPROVED", "DECLINED"]).await;
        assert_eq!(status["state"], "DECLINED", "{status}");
        assert_eq!(status["secure3DAuthStatus"], "NOT_AUTHENTICATED");
        assert_eq!(status["errorMessage"], message);
    }
}

#[tokio::test]
async fn cvv_217_stays_processing_then_ends_with_callback_error() {
    let (mut party, state) = start().await;
    let sale = party.sale().await;
    let token = perform_card(&state, &sale, "217").await;
    let answer = wait_for_state(&state, &sale, &token, &["PROCESSING"]).await;
    assert!(answer.get("bankOrderId").is_none());
    let answer = wait_for_state(&state, &sale, &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(answer["state"], "DECLINED");
    assert!(answer.get("errorCode").is_none());
    assert_eq!(party.callback(&sale.invoice).await.0, CallbackStatus::Error);
    assert_eq!(
        party.record(&sale.invoice).callback.unwrap().error_code,
        None
    );
}

#[tokio::test]
async fn a_repeat_sale_uses_the_mapped_card_and_the_email_rule() {
    let (party, state) = start().await;
    let first = party.sale().await;
    perform_card_until(&state, &first, "123", &["APPROVED"]).await;
    let client_card_id = party.client_card_id(&first).await;
    let card = client_card_id.as_str();

    let repeat = party.sale().await;
    let body = reference_perform(&repeat, card, Some(EMAIL));
    let token = perform(&state, &repeat.invoice, &body).await;
    let answer = wait_for_state(&state, &repeat, &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(answer["state"], "APPROVED", "{answer}");

    // A card this gateway never issued: mapped at the same party through another gateway.
    let other_gateway = gateway(&party.url, |_| {});
    let cases = [
        (&state, json!({}), None, "consumer.email mismatch"),
        (
            &state,
            json!({"check":"other-email"}),
            Some(EMAIL),
            "consumer.email mismatch",
        ),
        (
            &other_gateway,
            json!({}),
            Some(EMAIL),
            "unknown serverCardId",
        ),
    ];
    let mut invoices = vec![repeat.invoice.clone()];
    for (state, settings, email, reason) in cases {
        let sale = party.misbehaving_sale(settings).await;
        let token = perform(state, &sale.invoice, &reference_perform(&sale, card, email)).await;
        let answer = wait_for_state(state, &sale, &token, &["APPROVED", "DECLINED"]).await;
        let message = format!("check sale failed: {reason}");
        assert_eq!(answer["errorMessage"], message.as_str(), "{answer}");
        invoices.push(sale.invoice);
    }
    for invoice in &invoices[..3] {
        assert_eq!(
            kinds_sent(&state, invoice),
            [DeliveryKind::Callback],
            "a repeat sale sends no notification"
        );
    }
    assert_eq!(
        kinds_sent(&other_gateway, &invoices[3]),
        [DeliveryKind::Callback]
    );
}

#[tokio::test]
async fn a_callback_refused_on_every_attempt_is_dead_lettered() {
    let (party, state) = start().await;
    let sale = party.misbehaving_sale(json!({"callback":"http-500"})).await;
    perform_card_until(&state, &sale, "101", &["DECLINED"]).await;
    let letter = wait_for_callback(&state, &sale.invoice, DeliveryState::DeadLettered).await;
    assert_eq!(
        (letter.invoice_id.as_str(), letter.attempts.len()),
        (sale.invoice.as_str(), 3)
    );
    assert_eq!(letter.url, format!("{}/callback", party.url));
    let last = &letter.attempts[2];
    assert_eq!((last.number, last.status), (3, Some(500)), "{letter:#?}");
    assert!(
        party.record(&sale.invoice).callback.is_none(),
        "the party accepted none"
    );
}

#[tokio::test]
async fn serve_answers_on_a_socket_and_returns_after_shutdown() {
    let (mut party, _) = start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = gateway(&party.url, |_| {});
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let sale = party.sale().await;
    let answer = reqwest::Client::new()
        .post(format!("{url}{}", sale_uri(ENDPOINT, &sale.invoice)))
        .json(&card_perform(&sale, "123"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    party.callback(&sale.invoice).await;
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
