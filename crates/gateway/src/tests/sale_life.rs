//! The gateway against a fake Connecting Party: check sale, notification, 3-D Secure, callback, dead letters.

use super::party::{CallbackUri, Event, FakeParty};
use super::support::*;
use crate::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use sandbox_api::DeliveryKind;
use sandbox_api::DeliveryState;
use std::time::Duration;

async fn start(callback_status: StatusCode) -> (FakeParty, AppState) {
    let party = FakeParty::start(callback_status).await;
    let state = gateway(&party.url, |_| {});
    (party, state)
}

#[tokio::test]
async fn a_correct_check_signature_leads_to_approval_after_the_notification() {
    let (mut party, state) = start(StatusCode::OK).await;
    let token = perform(&state, "INV-ok", &card_perform("INV-ok", "123")).await;
    let Event::Check(check) = party.next().await else {
        unreachable!("check sale comes first")
    };
    assert_eq!(check.session.token.as_str(), token);
    let Event::Notification(notification) = party.next().await else {
        unreachable!("then the notification")
    };
    let reference = notification
        .source_card
        .as_ref()
        .unwrap()
        .reference
        .as_ref()
        .unwrap();
    assert!(reference.unique_reference_card_id.is_some());
    assert_eq!(
        notification.source_card.as_ref().unwrap().bin,
        Some(411_111)
    );

    let answer = wait_for_state(&state, "INV-ok", &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(answer["state"], "APPROVED", "{answer}");
    assert_eq!(answer["secure3DAuthStatus"], "AUTHENTICATED");
    assert!(answer["bankOrderId"].is_string() && answer.get("errorMessage").is_none());
    assert_eq!(answer["transaction"]["amountCentis"], 1050);
    assert_eq!(
        status(&state, "INV-ok", &token).await,
        answer,
        "a final body never changes"
    );

    let callback = party.next_callback_uri().await.verified();
    assert_eq!(callback.status.as_str(), "approved");
    assert_eq!(callback.amount, "10.50");
    assert_eq!(
        callback.orderid.as_str(),
        answer["orderId"].as_str().unwrap()
    );
    assert_eq!(callback.client_orderid.as_str(), "INV-ok");
    let card = state.store().card(&reference.server_card_id).unwrap();
    assert!(card.confirmed && card.email.is_some());
}

#[tokio::test]
async fn a_bad_check_signature_declines_the_sale_without_notification() {
    let (mut party, state) = start(StatusCode::OK).await;
    let token = perform(&state, "INV-bad-sig", &card_perform("INV-bad-sig", "123")).await;
    let answer = wait_for_state(&state, "INV-bad-sig", &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(answer["state"], "DECLINED", "{answer}");
    assert_eq!(
        answer["errorMessage"],
        "check sale failed: bad checkSignature"
    );
    assert!(answer["bankOrderId"].is_string() && answer["orderId"].is_string());
    let callback = party.next_callback_uri().await.verified();
    assert_eq!(callback.status.as_str(), "declined");
    assert_eq!(
        callback.error_message.as_deref(),
        Some("check sale failed: bad checkSignature")
    );
    assert!(
        !party
            .drain()
            .iter()
            .any(|event| matches!(event, Event::Notification(_)))
    );
}

#[tokio::test]
async fn a_refused_notification_leaves_the_mapping_unconfirmed_and_the_sale_approved() {
    let (mut party, state) = start(StatusCode::OK).await;
    let token = perform(
        &state,
        "INV-bad-notify",
        &card_perform("INV-bad-notify", "111"),
    )
    .await;
    let answer = wait_for_state(&state, "INV-bad-notify", &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(
        (&answer["state"], &answer["secure3DAuthStatus"]),
        (&"APPROVED".into(), &"UNSUPPORTED".into())
    );
    let server_card_id = loop {
        if let Event::Notification(n) = party.next().await {
            break n.source_card.unwrap().reference.unwrap().server_card_id;
        }
    };
    assert!(!state.store().card(&server_card_id).unwrap().confirmed);
    assert_eq!(party.next_callback().await["status"], "approved");
}

#[tokio::test]
async fn a_filtered_check_is_called_back_as_filtered_and_an_unreachable_party_as_error() {
    let (mut party, state) = start(StatusCode::OK).await;
    let token = perform(&state, "INV-filtered", &card_perform("INV-filtered", "123")).await;
    let answer = wait_for_state(&state, "INV-filtered", &token, &["DECLINED"]).await;
    assert!(
        answer["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("check sale failed: HTTP 403 FILTERED"),
        "{answer}"
    );
    assert_eq!(party.next_callback().await["status"], "filtered");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gone = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let state = gateway(&gone, |config| config.endpoints[0].callback_url = None);
    let token = perform(&state, "INV-gone", &card_perform("INV-gone", "123")).await;
    let answer = wait_for_state(&state, "INV-gone", &token, &["DECLINED"]).await;
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
    let (mut party, state) = start(StatusCode::OK).await;
    let token = perform(&state, "INV-116", &card_perform("INV-116", "116")).await;
    let answer = wait_for_state(&state, "INV-116", &token, &["DECLINED"]).await;
    assert_eq!(
        (&answer["errorCode"], &answer["errorMessage"]),
        (&116.into(), &"Not sufficient funds".into())
    );
    let callback = party.next_callback_uri().await.verified();
    assert_eq!(
        (callback.status.as_str(), callback.error_code),
        ("declined", Some(116))
    );
}

#[tokio::test]
async fn three_ds_with_the_right_password_approves_and_a_second_answer_changes_nothing() {
    let (mut party, state) = start(StatusCode::OK).await;
    let token = perform(&state, "INV-3ds", &card_perform("INV-3ds", "321")).await;
    let answer = wait_for_state(&state, "INV-3ds", &token, &["REDIRECT_REQUEST"]).await;
    let redirect = format!("http://gw.test/sim/3ds/{token}");
    assert_eq!(answer["redirectUrl"], redirect.as_str());
    assert_eq!(
        status(&state, "INV-3ds", &token).await["redirectUrl"],
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

    let answer = wait_for_state(&state, "INV-3ds", &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(
        (&answer["state"], &answer["secure3DAuthStatus"]),
        (&"APPROVED".into(), &"AUTHENTICATED".into())
    );
    assert_eq!(party.next_callback().await["status"], "approved");
}

#[tokio::test]
async fn three_ds_failure_cancel_and_abandonment_decline_not_authenticated() {
    let party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |config| {
        config.timings.three_ds_timeout = Duration::from_millis(200)
    });
    let form = "application/x-www-form-urlencoded";
    for (invoice, answer, message) in [
        (
            "INV-3ds-wrong",
            Some("password=guess&action=submit"),
            "3-D Secure authentication failed",
        ),
        (
            "INV-3ds-cancel",
            Some("action=cancel"),
            "3-D Secure authentication cancelled",
        ),
        ("INV-3ds-gone", None, "3DS timeout"),
    ] {
        let token = perform(&state, invoice, &card_perform(invoice, "321")).await;
        wait_for_state(&state, invoice, &token, &["REDIRECT_REQUEST"]).await;
        if let Some(answer) = answer {
            let (code, location, _) =
                send_full(&state, post_raw(&format!("/sim/3ds/{token}"), form, answer)).await;
            assert_eq!(code, StatusCode::SEE_OTHER);
            assert!(location.unwrap().ends_with("/done?result=failure"));
        }
        let status = wait_for_state(&state, invoice, &token, &["APPROVED", "DECLINED"]).await;
        assert_eq!(status["state"], "DECLINED", "{status}");
        assert_eq!(status["secure3DAuthStatus"], "NOT_AUTHENTICATED");
        assert_eq!(status["errorMessage"], message);
    }
}

#[tokio::test]
async fn cvv_217_stays_processing_then_ends_with_callback_error() {
    let (mut party, state) = start(StatusCode::OK).await;
    let token = perform(&state, "INV-217", &card_perform("INV-217", "217")).await;
    let answer = wait_for_state(&state, "INV-217", &token, &["PROCESSING"]).await;
    assert!(answer.get("bankOrderId").is_none());
    let answer = wait_for_state(&state, "INV-217", &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(answer["state"], "DECLINED");
    assert!(answer.get("errorCode").is_none());
    let callback = party.next_callback_uri().await.verified();
    assert_eq!(
        (callback.status.as_str(), callback.error_code),
        ("error", None)
    );
}

#[tokio::test]
async fn a_repeat_sale_uses_the_mapped_card_and_the_email_rule() {
    let (mut party, state) = start(StatusCode::OK).await;
    let token = perform(&state, "INV-first", &card_perform("INV-first", "123")).await;
    wait_for_state(&state, "INV-first", &token, &["APPROVED"]).await;
    let server_card_id = loop {
        if let Event::Notification(n) = party.next().await {
            break n.source_card.unwrap().reference.unwrap().server_card_id;
        }
    };
    let client_card_id = format!("cc-{server_card_id}");

    let body = reference_perform("INV-repeat", &client_card_id, Some("jane@example.com"));
    let token = perform(&state, "INV-repeat", &body).await;
    let answer = wait_for_state(&state, "INV-repeat", &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(answer["state"], "APPROVED", "{answer}");

    let cases = [
        (
            "INV-no-mail",
            Some(client_card_id.as_str()),
            None,
            "check sale failed: consumer.email mismatch",
        ),
        (
            "INV-other-mail",
            Some(client_card_id.as_str()),
            Some("jane@example.com"),
            "check sale failed: consumer.email mismatch",
        ),
        (
            "INV-unknown-card",
            Some("cc-1"),
            Some("jane@example.com"),
            "check sale failed: unknown serverCardId",
        ),
    ];
    for (invoice, card, email, message) in cases {
        let token = perform(
            &state,
            invoice,
            &reference_perform(invoice, card.unwrap(), email),
        )
        .await;
        let answer = wait_for_state(&state, invoice, &token, &["APPROVED", "DECLINED"]).await;
        assert_eq!(answer["errorMessage"], message, "{invoice}: {answer}");
    }
    let notifications = party
        .drain()
        .into_iter()
        .filter(|event| matches!(event, Event::Notification(_)))
        .count();
    assert_eq!(notifications, 0, "a repeat sale sends no notification");
}

#[tokio::test]
async fn a_callback_refused_on_every_attempt_is_dead_lettered() {
    let (mut party, state) = start(StatusCode::INTERNAL_SERVER_ERROR).await;
    let token = perform(&state, "INV-dead", &card_perform("INV-dead", "101")).await;
    wait_for_state(&state, "INV-dead", &token, &["DECLINED"]).await;
    for _ in 0..3 {
        party.next_callback().await;
    }
    let letter = wait_for_delivery(
        &state,
        "INV-dead",
        DeliveryKind::Callback,
        DeliveryState::DeadLettered,
    )
    .await;
    assert_eq!(
        (letter.invoice_id.as_str(), letter.attempts.len()),
        ("INV-dead", 3)
    );
    assert_eq!(letter.url, format!("{}/callback", party.url));
    let last = &letter.attempts[2];
    assert_eq!((last.number, last.status), (3, Some(500)), "{letter:#?}");
}

#[tokio::test]
async fn serve_answers_on_a_socket_and_returns_after_shutdown() {
    let (mut party, _) = start(StatusCode::OK).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = gateway(&party.url, |_| {});
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let body = card_perform("INV-net", "123");
    let answer = reqwest::Client::new()
        .post(format!("{url}{}", sale_uri(ENDPOINT, "INV-net")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    party.next_callback().await;
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
