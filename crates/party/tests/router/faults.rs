//! Per-sale faults set with `POST /sim/sales/{invoiceId}/misbehave`: `callbackFailFirst` and
//! `notificationFailFirst` refuse exactly N attempts with 503 and the documented body, then accept; `latencyMs`
//! holds back every answer about the sale. Other sales never notice, and no violation is recorded.

use crate::support::*;
use axum::http::StatusCode;
use dapi::messages::check::{CardMappingResponse, CheckSaleResponse};
use dapi::messages::initiate::InitiateSaleResponse;
use dapi::{AccessToken, CallbackStatus, InvoiceId, PartyCause};
use party::{FaultStats, PartyEvent};
use serde_json::{Value, json};

async fn initiated(party: &Sandbox) -> (AccessToken, InitiateSaleResponse) {
    let token = party.token(SERIAL, Some(EMAIL)).await;
    let sale = party.initiate(&token, SERIAL).await;
    (token, sale)
}

async fn set(party: &Sandbox, invoice_id: &InvoiceId, body: Value) {
    party.misbehave(invoice_id, &body).await.ok::<Value>();
}

/// Check sale with the given gateway token, so each sale's notification finds its own sale.
async fn check(
    party: &Sandbox,
    token: &AccessToken,
    sale: &InitiateSaleResponse,
    gateway_token: &str,
) -> Reply {
    let mut body = check_body(sale, token, SERIAL, None);
    body["session"]["token"] = json!(gateway_token);
    party.post(&check_uri(&sale.invoice_id), &body).await
}

async fn notify(party: &Sandbox, token: &AccessToken, gateway_token: &str) -> Reply {
    let body = notification_body(token, gateway_token);
    party.post("/sale/notification", &body).await
}

/// Asserts the documented 503 body of a fault.
fn unavailable(reply: &Reply, invoice_id: Option<&InvoiceId>) {
    let code = "DAPI-503-UNAVAILABLE";
    let cause = PartyCause::ServerUnavailable;
    let body = reply.failed(StatusCode::SERVICE_UNAVAILABLE, cause, code);
    assert_eq!(body.invoice_id.as_ref(), invoice_id);
    assert!(
        body.error.message.contains("unavailable"),
        "{}",
        body.error.message
    );
}

/// The answer and how long it took, in (paused, virtual) milliseconds.
async fn timed(reply: impl Future<Output = Reply>) -> (Reply, u128) {
    let started = tokio::time::Instant::now();
    let reply = reply.await;
    (reply, started.elapsed().as_millis())
}

const GATEWAY_TOKEN_2: &str = "22222222-2222-4222-8222-222222222222";

#[tokio::test]
async fn callback_fail_first_refuses_exactly_n_attempts_then_accepts_them_as_deliveries() {
    let party = Sandbox::new();
    let mut events = party.state.subscribe();
    let (_, faulty) = initiated(&party).await;
    let (_, honest) = initiated(&party).await;
    set(&party, &faulty.invoice_id, json!({"callbackFailFirst": 2})).await;
    for _ in 0..2 {
        let reply = party
            .callback(&faulty.invoice_id, CallbackStatus::Approved)
            .await;
        unavailable(&reply, Some(&faulty.invoice_id));
        assert_eq!(party.record(&faulty.invoice_id).await.callback, None);
    }
    let reply = party
        .callback(&honest.invoice_id, CallbackStatus::Approved)
        .await;
    assert_eq!((reply.status, reply.text()), (StatusCode::OK, "OK".into()));
    for deliveries in 1..=2 {
        let reply = party
            .callback(&faulty.invoice_id, CallbackStatus::Approved)
            .await;
        assert_eq!((reply.status, reply.text()), (StatusCode::OK, "OK".into()));
        let record = party.record(&faulty.invoice_id).await;
        let callback = record.callback.expect("recorded once accepted");
        assert_eq!(callback.deliveries, deliveries, "accepted deliveries only");
        assert!(record.violations.is_empty(), "{:?}", record.violations);
    }
    let stats = party.state.fault_stats();
    let expected = FaultStats {
        callbacks_refused: 2,
        ..FaultStats::default()
    };
    assert_eq!(stats, expected);
    let received: Vec<(InvoiceId, bool)> = std::iter::from_fn(|| events.try_recv().ok())
        .filter_map(|event| match event {
            PartyEvent::CallbackReceived {
                invoice_id,
                duplicate,
                ..
            } => Some((invoice_id, duplicate)),
            _ => None,
        })
        .collect();
    let (faulty, honest) = (faulty.invoice_id, honest.invoice_id);
    assert_eq!(
        received,
        [(honest, false), (faulty.clone(), false), (faulty, true)]
    );
}

#[tokio::test]
async fn notification_fail_first_maps_nothing_until_the_first_accepted_attempt() {
    let party = Sandbox::new();
    let (token, faulty) = initiated(&party).await;
    let (other_token, honest) = initiated(&party).await;
    set(
        &party,
        &faulty.invoice_id,
        json!({"notificationFailFirst": 1}),
    )
    .await;
    check(&party, &token, &faulty, GATEWAY_TOKEN)
        .await
        .ok::<CheckSaleResponse>();
    check(&party, &other_token, &honest, GATEWAY_TOKEN_2)
        .await
        .ok::<CheckSaleResponse>();
    unavailable(&notify(&party, &token, GATEWAY_TOKEN).await, None);
    let record = party.record(&faulty.invoice_id).await;
    assert_eq!((record.card_mapping, record.violations), (None, Vec::new()));
    notify(&party, &other_token, GATEWAY_TOKEN_2)
        .await
        .ok::<CardMappingResponse>();
    assert!(
        party
            .record(&honest.invoice_id)
            .await
            .card_mapping
            .is_some()
    );
    let answer: CardMappingResponse = notify(&party, &token, GATEWAY_TOKEN).await.ok();
    assert_eq!(answer.invoice_id, faulty.invoice_id);
    let record = party.record(&faulty.invoice_id).await;
    assert!(record.card_mapping.is_some() && record.violations.is_empty());
    assert_eq!(party.state.fault_stats().notifications_refused, 1);
}

#[tokio::test]
async fn faults_are_stored_answered_back_and_bounded() {
    let party = Sandbox::new();
    let (_, sale) = initiated(&party).await;
    let body = json!({"callbackFailFirst": 3, "notificationFailFirst": 1, "latencyMs": 250});
    let stored: Value = party.misbehave(&sale.invoice_id, &body).await.ok();
    assert_eq!(stored, body);
    let reply = party
        .misbehave(&sale.invoice_id, &json!({"latencyMs": 300_001}))
        .await;
    let refusal = reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
    let message = refusal.error.message;
    assert!(
        message.contains("latencyMs must be between 0 and 300000"),
        "{message}"
    );
    let reply = party
        .misbehave(&sale.invoice_id, &json!({"callbackFailFirst": -1}))
        .await;
    reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
}

#[tokio::test(start_paused = true)]
async fn latency_holds_back_every_answer_about_the_sale_and_no_other() {
    let party = Sandbox::new();
    let (token, slow) = initiated(&party).await;
    let (other_token, honest) = initiated(&party).await;
    let body = json!({"latencyMs": 400, "callbackFailFirst": 1});
    set(&party, &slow.invoice_id, body).await;
    let (reply, ms) = timed(check(&party, &token, &slow, GATEWAY_TOKEN)).await;
    reply.ok::<CheckSaleResponse>();
    assert!((400..500).contains(&ms), "check: {ms} ms");
    let (reply, ms) = timed(notify(&party, &token, GATEWAY_TOKEN)).await;
    reply.ok::<CardMappingResponse>();
    assert!((400..500).contains(&ms), "notification: {ms} ms");
    let refused = party.callback(&slow.invoice_id, CallbackStatus::Approved);
    let (reply, ms) = timed(refused).await;
    unavailable(&reply, Some(&slow.invoice_id));
    assert!((400..500).contains(&ms), "refused callback: {ms} ms");
    let accepted = party.callback(&slow.invoice_id, CallbackStatus::Approved);
    let (reply, ms) = timed(accepted).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!((400..500).contains(&ms), "callback: {ms} ms");

    let (reply, ms) = timed(check(&party, &other_token, &honest, GATEWAY_TOKEN_2)).await;
    reply.ok::<CheckSaleResponse>();
    let (notified, notify_ms) = timed(notify(&party, &other_token, GATEWAY_TOKEN_2)).await;
    notified.ok::<CardMappingResponse>();
    let called = party.callback(&honest.invoice_id, CallbackStatus::Approved);
    let (called, callback_ms) = timed(called).await;
    assert_eq!(called.status, StatusCode::OK);
    assert!(
        ms < 100 && notify_ms < 100 && callback_ms < 100,
        "{ms} {notify_ms} {callback_ms}"
    );
    assert!(party.record(&slow.invoice_id).await.violations.is_empty());
}
