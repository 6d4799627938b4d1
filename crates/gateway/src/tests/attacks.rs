//! The attack pack through the router. Against the reference Connecting Party server each attack is sent beside
//! the sale's own message, the sale still ends as it would, the answer is kept in the sale's record, and every
//! attack is refused as required (a repeated callback accepted), so no violation is recorded.
//!
//! That an answer against the rule is a contract violation at the attack's step naming the missing check needs a
//! server that answers wrongly. The reference server refuses attacks in its protocol code, which no sandbox
//! setting bends (a bent refusal would no longer test that code), so a purpose-built stub that accepts
//! everything plays it here ([`accepting_server`]); the e2e kit's naive server plays the whole pack end to end.

use super::reference_party::ReferenceParty;
use super::support::*;
use crate::AppState;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use dapi::CallbackStatus;
use sandbox_api::paths::{gateway_misbehave_path, gateway_record_path};
use sandbox_api::{Attack, AttackAnswer, DeliveryKind, DeliveryState, GatewaySaleRecord};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Sets `attack` for the sale, performs it with CVV 123 and waits until it is final; its final status.
async fn attacked_sale(state: &AppState, sale: &Terms, attack: Attack) -> serde_json::Value {
    let uri = gateway_misbehave_path(&ENDPOINT.into(), &sale.invoice.as_str().into());
    let misbehave = post_json(&uri, &json!({"attack": attack.name()}));
    assert_eq!(send(state, misbehave).await.0, StatusCode::OK);
    let token = perform_card(state, sale, "123").await;
    wait_for_state(state, sale, &token, &["APPROVED", "DECLINED"]).await
}

/// [`attacked_sale`] on a sale of the reference party, which must still be approved.
async fn approved_despite(state: &AppState, party: &ReferenceParty, attack: Attack) -> Terms {
    let sale = party.sale().await;
    let answer = attacked_sale(state, &sale, attack).await;
    assert_eq!(
        answer["state"], "APPROVED",
        "the attack does not change the sale: {answer}"
    );
    sale
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

/// Asserts the reference party answered the sale's attack as required: at the attack's step, no violation.
async fn answered_as_required(state: &AppState, sale: &Terms, attack: Attack) -> AttackAnswer {
    let (record, answer) = answered(state, &sale.invoice).await;
    assert_eq!((answer.attack, answer.step), (attack, attack.step().number));
    assert_eq!(answer.accepted(), !attack.must_refuse(), "{answer:?}");
    assert!(record.violations.is_empty(), "{:?}", record.violations);
    answer
}

#[tokio::test]
async fn check_attacks_go_before_the_real_check_and_the_reference_party_refuses_them() {
    let mut party = ReferenceParty::start().await;
    let state = gateway(&party.url, |_| {});
    // An earlier sale of the same device, whose access token the foreign-token attack sends.
    let earlier = party.sale().await;
    let token = perform_card(&state, &earlier, "123").await;
    wait_for_state(&state, &earlier, &token, &["APPROVED"]).await;
    assert!(party.checked(&earlier.invoice).await);
    for attack in [
        Attack::CheckWrongNonce,
        Attack::CheckWrongSerial,
        Attack::CheckForeignToken,
    ] {
        let sale = approved_despite(&state, &party, attack).await;
        assert!(
            !party.checked(&sale.invoice).await,
            "{attack}: refused first"
        );
        assert!(
            party.checked(&sale.invoice).await,
            "{attack}: then the real one"
        );
        let answer = answered_as_required(&state, &sale, attack).await;
        assert_eq!(answer.status.map(|code| code / 100), Some(4), "{answer:?}");
    }
    let sale = approved_despite(&state, &party, Attack::CheckUnknownInvoice).await;
    let answer = answered_as_required(&state, &sale, Attack::CheckUnknownInvoice).await;
    assert_eq!(answer.status.map(|code| code / 100), Some(4), "{answer:?}");
    assert!(
        party.checked(&sale.invoice).await,
        "only the real check is the sale's"
    );
}

#[tokio::test]
async fn delivery_attacks_go_around_the_real_delivery_which_stays_correct() {
    let mut party = ReferenceParty::start().await;
    let state = gateway(&party.url, |_| {});
    let sale = approved_despite(&state, &party, Attack::NotificationUnknownToken).await;
    answered_as_required(&state, &sale, Attack::NotificationUnknownToken).await;
    party.card_mapped(&sale.invoice).await;

    let sale = approved_despite(&state, &party, Attack::CallbackForgedControl).await;
    answered_as_required(&state, &sale, Attack::CallbackForgedControl).await;
    assert_eq!(
        party.callback(&sale.invoice).await,
        (CallbackStatus::Approved, false)
    );
    let delivery = wait_for_delivery(
        &state,
        &sale.invoice,
        DeliveryKind::Callback,
        DeliveryState::Delivered,
    )
    .await;
    assert_eq!(
        delivery.attempts.len(),
        1,
        "the attack is no attempt of the delivery"
    );
    assert_eq!(delivery.callback_status, Some(CallbackStatus::Approved));
    assert!(sent_callback(&state, &sale.invoice).verify(&key()).is_ok());

    let sale = approved_despite(&state, &party, Attack::CallbackUnknownInvoice).await;
    answered_as_required(&state, &sale, Attack::CallbackUnknownInvoice).await;
    assert_eq!(
        party.callback(&sale.invoice).await,
        (CallbackStatus::Approved, false)
    );

    let sale = approved_despite(&state, &party, Attack::CallbackTwice).await;
    let answer = answered_as_required(&state, &sale, Attack::CallbackTwice).await;
    assert_eq!(answer.status, Some(200), "a repeat accepted, as required");
    assert_eq!(
        party.callback(&sale.invoice).await,
        (CallbackStatus::Approved, false)
    );
    assert_eq!(
        party.callback(&sale.invoice).await,
        (CallbackStatus::Approved, true)
    );
}

/// A server that answers every request 200 `{}`, so it accepts every attack; with `refuse_repeats`, every
/// callback after the first gets 409. `{}` is no valid check answer, so its sales are declined and send no
/// notification; that changes nothing in how an attack's answer is judged.
async fn accepting_server(refuse_repeats: bool) -> String {
    let callbacks = Arc::new(AtomicU32::new(0));
    let app = Router::new().fallback(move |method: Method| {
        let repeat = method == Method::GET && callbacks.fetch_add(1, Ordering::SeqCst) > 0;
        let status = if refuse_repeats && repeat {
            StatusCode::CONFLICT
        } else {
            StatusCode::OK
        };
        async move { (status, "{}") }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn an_answer_against_the_rule_is_a_violation_at_the_attacks_step_naming_the_check() {
    let accepting = accepting_server(false).await;
    let state = gateway(&accepting, |_| {});
    let attacks = [
        Attack::CheckWrongNonce,
        Attack::CheckWrongSerial,
        Attack::CheckForeignToken,
        Attack::CheckUnknownInvoice,
        Attack::CallbackForgedControl,
        Attack::CallbackUnknownInvoice,
    ];
    for (n, attack) in attacks.into_iter().enumerate() {
        let sale = Terms::local(&format!("INV-accepted-{n}"));
        attacked_sale(&state, &sale, attack).await;
        let (record, answer) = answered(&state, &sale.invoice).await;
        assert_eq!(answer.status, Some(200), "{attack}");
        let rule = format!(
            "accepted {}: a Connecting Party server must {}",
            attack.sent(),
            attack.check()
        );
        let found = record.violations.iter().find(|v| v.rule == rule);
        let violation = found.unwrap_or_else(|| panic!("{attack}: {:?}", record.violations));
        assert_eq!(violation.step, attack.step().number);
    }

    let refusing_repeats = accepting_server(true).await;
    let state = gateway(&refusing_repeats, |_| {});
    let sale = Terms::local("INV-refused-repeat");
    attacked_sale(&state, &sale, Attack::CallbackTwice).await;
    let (record, answer) = answered(&state, &sale.invoice).await;
    assert_eq!(answer.status, Some(409));
    let refused = record.violations.iter().find(|v| {
        v.rule
            .starts_with("did not accept the same callback a second time")
    });
    let violation = refused.unwrap_or_else(|| panic!("{:?}", record.violations));
    assert_eq!(violation.step, Attack::CallbackTwice.step().number);
}
