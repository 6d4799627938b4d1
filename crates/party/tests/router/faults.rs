//! Per-sale faults set with `POST /sim/sales/{invoiceId}/misbehave`: `callbackFailFirst` and
//! `notificationFailFirst` refuse exactly N attempts with 503 and the documented body, then accept; `latencyMs`
//! holds back every answer about the sale. Other sales never notice, and no violation is recorded.

use crate::support::*;
use axum::http::StatusCode;
use dapi::messages::callback::Callback;
use dapi::messages::check::{CardMappingResponse, CheckSaleResponse};
use dapi::{CallbackStatus, InvoiceId, PartyCause};
use party::{Config, FaultStats, PartyEvent};
use serde_json::{Value, json};
use server_kit::Limits;

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
    let (_, faulty) = party.initiated().await;
    let (_, honest) = party.initiated().await;
    party
        .set(&faulty.invoice_id, json!({"callbackFailFirst": 2}))
        .await;
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
    reply.assert_ok();
    for deliveries in 1..=2 {
        let reply = party
            .callback(&faulty.invoice_id, CallbackStatus::Approved)
            .await;
        reply.assert_ok();
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
    let (token, faulty) = party.initiated().await;
    let (other_token, honest) = party.initiated().await;
    party
        .set(&faulty.invoice_id, json!({"notificationFailFirst": 1}))
        .await;
    party
        .check_as(&token, &faulty, GATEWAY_TOKEN)
        .await
        .ok::<CheckSaleResponse>();
    party
        .check_as(&other_token, &honest, GATEWAY_TOKEN_2)
        .await
        .ok::<CheckSaleResponse>();
    unavailable(&party.notify(&token, GATEWAY_TOKEN).await, None);
    let record = party.record(&faulty.invoice_id).await;
    assert_eq!((record.card_mapping, record.violations), (None, Vec::new()));
    party
        .notify(&other_token, GATEWAY_TOKEN_2)
        .await
        .ok::<CardMappingResponse>();
    assert!(
        party
            .record(&honest.invoice_id)
            .await
            .card_mapping
            .is_some()
    );
    let answer: CardMappingResponse = party.notify(&token, GATEWAY_TOKEN).await.ok();
    assert_eq!(answer.invoice_id, faulty.invoice_id);
    let record = party.record(&faulty.invoice_id).await;
    assert!(record.card_mapping.is_some() && record.violations.is_empty());
    assert_eq!(party.state.fault_stats().notifications_refused, 1);
}

#[tokio::test]
async fn faults_are_stored_answered_back_and_bounded() {
    let party = Sandbox::new();
    let (_, sale) = party.initiated().await;
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
    let (token, slow) = party.initiated().await;
    let (other_token, honest) = party.initiated().await;
    let body = json!({"latencyMs": 400, "callbackFailFirst": 1});
    party.set(&slow.invoice_id, body).await;
    let (reply, ms) = timed(party.check_as(&token, &slow, GATEWAY_TOKEN)).await;
    reply.ok::<CheckSaleResponse>();
    assert!((400..500).contains(&ms), "check: {ms} ms");
    let (reply, ms) = timed(party.notify(&token, GATEWAY_TOKEN)).await;
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

    let (reply, ms) = timed(party.check_as(&other_token, &honest, GATEWAY_TOKEN_2)).await;
    reply.ok::<CheckSaleResponse>();
    let (notified, notify_ms) = timed(party.notify(&other_token, GATEWAY_TOKEN_2)).await;
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

#[tokio::test]
async fn what_the_protocol_cannot_read_is_refused_as_usual_and_is_no_attempt() {
    // The sandbox reads a notification's body and a callback's query to find the sale; what the protocol
    // refuses before reading it (too large, broken) is refused as before, and is not counted.
    let party = Sandbox::with(Config {
        limits: Limits { body_bytes: 512 },
        ..Config::sandbox()
    });
    let faults = json!({"notificationFailFirst": 1, "callbackFailFirst": 1});
    let (token, sale) = party.misbehaving(faults).await;
    party.check(&token, &sale).await.ok::<CheckSaleResponse>();
    let mut large = notification_body(&token, GATEWAY_TOKEN);
    large["consumer"]["device"]["serialNumber"] = json!("x".repeat(600));
    let reply = party.post("/sale/notification", &large).await;
    reply.refused(StatusCode::PAYLOAD_TOO_LARGE, "DAPI-413-TOO-LARGE");
    let mut broken = notification_body(&token, GATEWAY_TOKEN);
    broken["session"]["accessToken"] = json!("abc");
    let reply = party.post("/sale/notification", &broken).await;
    reply.refused_for(StatusCode::BAD_REQUEST, "DAPI-400-INVALID", "accessToken");
    let violations = party.record(&sale.invoice_id).await.violations;
    assert_eq!(
        violations.len(),
        1,
        "the broken body is recorded: {violations:?}"
    );
    unavailable(&party.notify(&token, GATEWAY_TOKEN).await, None);
    party
        .notify(&token, GATEWAY_TOKEN)
        .await
        .ok::<CardMappingResponse>();

    let fields = callback_fields(&sale.invoice_id, CallbackStatus::Approved);
    let uri = callback_uri(&Callback::sign(fields, &party.key));
    let unreadable = party
        .get(&uri.replace("status=approved", "status=maybe"))
        .await;
    unreadable.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
    unavailable(&party.get(&uri).await, Some(&sale.invoice_id));
    party.get(&uri).await.assert_ok();
    let expected = FaultStats {
        callbacks_refused: 1,
        notifications_refused: 1,
        ..FaultStats::default()
    };
    assert_eq!(party.state.fault_stats(), expected);
}
