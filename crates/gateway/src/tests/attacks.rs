//! The attack pack through the router, against the fake Connecting Party, which (unlike a real one) checks little
//! in check sale and the notification: each attack is sent beside the sale's own message, the sale still ends as
//! it would, the answer is kept in the sale's record, and an answer against the rule is a contract violation at
//! the attack's step naming the missing check.

use super::party::{CallbackUri, Event, FakeParty};
use super::support::*;
use crate::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use dapi::messages::callback::Callback;
use sandbox_api::paths::{gateway_misbehave_path, gateway_record_path};
use sandbox_api::{Attack, AttackAnswer, GatewaySaleRecord};
use serde_json::json;
use std::time::Duration;

/// Sets `attack` for the sale `invoice`, performs it with CVV 123 and waits until it is final.
async fn attacked_sale(state: &AppState, invoice: &str, attack: Attack) -> String {
    let uri = gateway_misbehave_path(&ENDPOINT.into(), &invoice.into());
    let misbehave = post_json(&uri, &json!({"attack": attack.name()}));
    assert_eq!(send(state, misbehave).await.0, StatusCode::OK);
    let token = perform(state, invoice, &card_perform(invoice, "123")).await;
    let answer = wait_for_state(state, invoice, &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(
        answer["state"], "APPROVED",
        "the attack does not change the sale: {answer}"
    );
    token
}

/// The sale's record once it holds an attack answer (within 10 s).
async fn answered(state: &AppState, invoice: &str) -> (GatewaySaleRecord, AttackAnswer) {
    let uri = gateway_record_path(&ENDPOINT.into(), &invoice.into());
    let poll = async {
        loop {
            let (status, body) = send(state, Request::get(&uri).body(Body::empty()).unwrap()).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let record: GatewaySaleRecord = serde_json::from_value(body).unwrap();
            if let Some(answer) = record.attacks.first().cloned() {
                return (record, answer);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), poll)
        .await
        .expect("the attack should be answered within 10 s")
}

#[tokio::test]
async fn a_check_attack_goes_before_the_real_check_and_an_accepting_party_is_a_violation() {
    let mut party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |_| {});
    attacked_sale(&state, "INV-att-nonce", Attack::CheckWrongNonce).await;
    let Event::Check(attack) = party.next().await else {
        unreachable!("the attack comes first")
    };
    let Event::Check(real) = party.next().await else {
        unreachable!("then the real check sale")
    };
    assert_ne!(attack.session.nonce, real.session.nonce);
    assert_eq!(real.session.nonce.as_str(), NONCE);
    let (record, answer) = answered(&state, "INV-att-nonce").await;
    assert_eq!(
        (answer.attack, answer.step, answer.status),
        (Attack::CheckWrongNonce, 9, Some(200))
    );
    let [violation] = record.violations.as_slice() else {
        panic!("one violation: {:?}", record.violations)
    };
    assert_eq!(violation.step, 9);
    assert!(
        violation.rule.starts_with("accepted a check sale with a nonce it never issued: a Connecting Party server must compare session.nonce"),
        "{violation}"
    );
}

#[tokio::test]
async fn check_attacks_change_the_serial_the_token_or_the_invoice() {
    let mut party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |_| {});
    let earlier = perform(
        &state,
        "INV-att-earlier",
        &card_perform("INV-att-earlier", "123"),
    )
    .await;
    wait_for_state(&state, "INV-att-earlier", &earlier, &["APPROVED"]).await;
    party.drain();
    let mut other_token = card_perform("INV-att-token", "123");
    other_token["session"]["accessToken"] = json!("b".repeat(32));
    other_token["session"]["signature"] =
        json!(signature_with("b".repeat(32).as_str(), "INV-att-token"));
    let uri = gateway_misbehave_path(&ENDPOINT.into(), &"INV-att-token".into());
    send(
        &state,
        post_json(&uri, &json!({"attack":"check-foreign-token"})),
    )
    .await;
    perform(&state, "INV-att-token", &other_token).await;
    let Event::Check(attack) = party.next().await else {
        unreachable!("the attack comes first")
    };
    assert_eq!(
        attack.session.access_token.as_str(),
        ACCESS_TOKEN,
        "the earlier sale's token"
    );
    let Event::Check(real) = party.next().await else {
        unreachable!("then the real check sale")
    };
    assert_eq!(real.session.access_token.as_str(), "b".repeat(32));
    party.drain();
    attacked_sale(&state, "INV-att-serial", Attack::CheckWrongSerial).await;
    let Event::Check(attack) = party.next().await else {
        unreachable!("the attack comes first")
    };
    assert_ne!(attack.consumer.device.serial_number.as_str(), SERIAL);
    party.drain();
    attacked_sale(&state, "INV-att-invoice", Attack::CheckUnknownInvoice).await;
    let (record, answer) = answered(&state, "INV-att-invoice").await;
    assert_eq!(
        answer.status,
        Some(200),
        "the fake party answers any invoice"
    );
    assert!(
        record.violations[0].rule.contains("look the invoiceId up"),
        "{:?}",
        record.violations
    );
}

/// A perform signature over this access token (the support module signs its own token).
fn signature_with(access_token: &str, invoice: &str) -> String {
    let signed = dapi::signature::SaleSigned {
        access_token,
        serial_number: SERIAL,
        endpoint_id: ENDPOINT,
        nonce: NONCE,
        invoice_id: invoice,
        amount_centis: 1050,
        currency: "EUR",
    };
    dapi::signature::sign(&key(), &signed.string_to_sign()).to_string()
}

#[tokio::test]
async fn callback_attacks_go_around_the_real_delivery_which_stays_correct() {
    let mut party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |_| {});
    attacked_sale(&state, "INV-att-forged", Attack::CallbackForgedControl).await;
    let forged = party.next_callback_uri().await;
    let axum::extract::Query(forged) =
        axum::extract::Query::<Callback>::try_from_uri(&forged).unwrap();
    assert!(forged.verify(&key()).is_err());
    let real = party.next_callback_uri().await.verified();
    assert_eq!(real.client_orderid.as_str(), "INV-att-forged");
    let (record, answer) = answered(&state, "INV-att-forged").await;
    assert_eq!(
        (answer.step, answer.status),
        (24, Some(403)),
        "the fake party checks control"
    );
    assert!(record.violations.is_empty(), "{:?}", record.violations);
    let delivery = wait_for_delivery(
        &state,
        "INV-att-forged",
        sandbox_api::DeliveryKind::Callback,
        sandbox_api::DeliveryState::Delivered,
    )
    .await;
    assert_eq!(
        delivery.attempts.len(),
        1,
        "the attack is no attempt of the delivery"
    );
    assert_eq!(
        delivery.callback_status,
        Some(dapi::CallbackStatus::Approved)
    );

    party.drain();
    attacked_sale(&state, "INV-att-unknown", Attack::CallbackUnknownInvoice).await;
    let unknown = party.next_callback_uri().await.verified();
    assert!(unknown.client_orderid.as_str().starts_with("UNKNOWN-"));
    let (record, answer) = answered(&state, "INV-att-unknown").await;
    assert_eq!(answer.status, Some(200));
    assert!(
        record.violations[0]
            .rule
            .starts_with("accepted a callback for an invoice it never issued")
    );

    party.drain();
    attacked_sale(&state, "INV-att-twice", Attack::CallbackTwice).await;
    let first = party.next_callback_uri().await.verified();
    let second = party.next_callback_uri().await.verified();
    assert_eq!(first, second, "the same callback twice");
    let (record, answer) = answered(&state, "INV-att-twice").await;
    assert_eq!(answer.status, Some(200));
    assert!(
        record.violations.is_empty(),
        "a repeat accepted is as required"
    );
}

#[tokio::test]
async fn a_refused_repeat_callback_and_an_accepted_unknown_notification_are_violations() {
    let mut party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |_| {});
    attacked_sale(&state, "INV-att-notify", Attack::NotificationUnknownToken).await;
    let Event::Check(_) = party.next().await else {
        unreachable!("check sale first")
    };
    let Event::Notification(attack) = party.next().await else {
        unreachable!("then the attack")
    };
    let Event::Notification(real) = party.next().await else {
        unreachable!("then the real notification")
    };
    assert_ne!(attack.session.token, real.session.token);
    let (record, answer) = answered(&state, "INV-att-notify").await;
    assert_eq!(answer.step, 20);
    assert!(
        record.violations[0]
            .rule
            .contains("find the sale by the session.token"),
        "{:?}",
        record.violations
    );

    party.answer_next_callbacks_with(&[StatusCode::OK, StatusCode::CONFLICT]);
    attacked_sale(&state, "INV-att-again", Attack::CallbackTwice).await;
    let (record, answer) = answered(&state, "INV-att-again").await;
    assert_eq!(answer.status, Some(409));
    assert!(
        record.violations[0]
            .rule
            .starts_with("did not accept the same callback a second time"),
        "{:?}",
        record.violations
    );
}
