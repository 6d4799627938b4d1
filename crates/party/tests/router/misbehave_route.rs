//! `POST /sim/sales/{invoiceId}/misbehave` itself: the settings are stored and answered back, `{}` resets them,
//! and bad settings or an unknown invoice get the documented error body.

use crate::support::*;
use axum::http::StatusCode;
use dapi::messages::check::CheckSaleResponse;
use dapi::{InvoiceId, PartyCause};
use sandbox_api::{
    CallbackAnswerMisbehaviour, CheckMisbehaviour, NotificationMisbehaviour, PartyMisbehaviour,
};
use serde_json::json;

#[tokio::test]
async fn the_misbehave_route_answers_the_stored_settings_and_an_empty_body_resets_them() {
    let party = Sandbox::new();
    let (token, sale) = party.initiated().await;
    let body =
        json!({"check": "slow", "notification": "refuse", "callback": "http-500", "delayMs": 10});
    let stored = party.set(&sale.invoice_id, body).await;
    let expected = PartyMisbehaviour {
        check: Some(CheckMisbehaviour::Slow),
        notification: Some(NotificationMisbehaviour::Refuse),
        callback: Some(CallbackAnswerMisbehaviour::Http500),
        delay_ms: Some(10),
        ..PartyMisbehaviour::default()
    };
    assert_eq!(stored, expected);
    party
        .set(&sale.invoice_id, json!({"check": "filtered"}))
        .await;
    let reply = party.check(&token, &sale).await;
    reply.failed(
        StatusCode::BAD_REQUEST,
        PartyCause::Filtered,
        "DAPI-400-FILTERED",
    );
    let reset = party.set(&sale.invoice_id, json!({})).await;
    assert_eq!(reset, PartyMisbehaviour::default());
    party.check(&token, &sale).await.ok::<CheckSaleResponse>();
}

#[tokio::test]
async fn bad_misbehave_bodies_and_unknown_invoices_get_the_error_body() {
    let party = Sandbox::new();
    let (_, sale) = party.initiated().await;
    let uri = sandbox_api::paths::party_misbehave_path(&sale.invoice_id);
    let cases = [
        (json!({"check": "sometimes"}), "check"),
        (json!({"check": "slow", "delayMs": -1}), "delayMs"),
        (
            json!({"check": "slow", "delayMs": 300_001}),
            "delayMs must be between 0 and 300000",
        ),
        (
            json!({"check": "filtered", "bogus": true}),
            "unknown member",
        ),
        (json!("filtered"), "body has the wrong type"),
    ];
    for (body, mentioned) in cases {
        let reply = party.post(&uri, &body).await;
        let refusal = reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
        assert!(
            refusal.error.message.contains(mentioned),
            "{}",
            refusal.error.message
        );
        assert_eq!(refusal.invoice_id.as_ref(), Some(&sale.invoice_id));
    }
    let malformed = party
        .post_raw(&uri, "{\"check\":", "application/json")
        .await;
    malformed.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
    let plain = party.post_raw(&uri, "{}", "text/plain").await;
    plain.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
    assert_eq!(party.record(&sale.invoice_id).await.checks, 0);
    let unknown = party
        .misbehave(&InvoiceId::from("INV-unknown"), &json!({}))
        .await;
    let refusal = unknown.refused(StatusCode::NOT_FOUND, "DAPI-404-INVOICE");
    assert_eq!(refusal.invoice_id, Some(InvoiceId::from("INV-unknown")));
}
