//! Refused tokens, initiates, checks and notifications: each asserts the status, `error.cause`, the code, and that the body is an
//! `ErrorBody<PartyCause>` (checked by `Reply::refused`).

use crate::support::*;
use axum::http::StatusCode;
use dapi::InvoiceId;
use dapi::messages::check::CheckSaleResponse;
use party::{Config, PartyEvent};
use serde_json::json;
use server_kit::Limits;
use std::time::Duration;

#[tokio::test]
async fn malformed_json_wrong_content_type_and_missing_fields_are_invalid_requests() {
    let party = Sandbox::new();
    let malformed = party
        .post_raw("/sale/initiate-sale", "{\"consumer\":", "application/json")
        .await;
    malformed.refused_for(
        StatusCode::BAD_REQUEST,
        "DAPI-400-INVALID",
        "malformed JSON",
    );
    let token = party.token(SERIAL, None).await;
    let body = initiate_body(token.as_str(), SERIAL).to_string();
    let plain = party
        .post_raw("/sale/initiate-sale", body, "text/plain")
        .await;
    plain.refused_for(StatusCode::BAD_REQUEST, "DAPI-400-INVALID", "Content-Type");
    let mut missing = initiate_body(token.as_str(), SERIAL);
    missing.as_object_mut().unwrap().remove("transaction");
    let reply = party.post("/sale/initiate-sale", &missing).await;
    reply.refused_for(
        StatusCode::BAD_REQUEST,
        "DAPI-400-INVALID",
        "transaction is required",
    );
    let unnamed = party
        .post(
            "/auth/request-access-token",
            &json!({"consumer": {"device": {}}}),
        )
        .await;
    unnamed.refused_for(
        StatusCode::BAD_REQUEST,
        "DAPI-400-INVALID",
        "consumer.device.serialNumber",
    );
    let no_serial = party.get("/auth/request-access-token?email=a%40b.c").await;
    no_serial.refused_for(
        StatusCode::BAD_REQUEST,
        "DAPI-400-INVALID",
        "serialNumber is required",
    );
    let long_serial = party
        .get(&format!(
            "/auth/request-access-token?serialNumber={}",
            "x".repeat(51)
        ))
        .await;
    long_serial.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
}

#[tokio::test]
async fn a_zero_amount_or_a_bad_currency_is_refused_at_initiate() {
    let party = Sandbox::new();
    let token = party.token(SERIAL, None).await;
    for (path, value) in [
        ("amountCentis", json!(0)),
        ("currency", json!("eur")),
        ("currency", json!("EURO")),
    ] {
        let mut body = initiate_body(token.as_str(), SERIAL);
        body["transaction"][path] = value;
        let reply = party.post("/sale/initiate-sale", &body).await;
        reply.refused_for(StatusCode::BAD_REQUEST, "DAPI-400-INVALID", path);
    }
}

#[tokio::test]
async fn an_oversized_body_gets_the_error_body() {
    let party = Sandbox::with(Config {
        limits: Limits { body_bytes: 256 },
        ..Config::sandbox()
    });
    let body = initiate_body(&"a".repeat(300), SERIAL);
    let reply = party.post("/sale/initiate-sale", &body).await;
    reply.refused(StatusCode::PAYLOAD_TOO_LARGE, "DAPI-413-TOO-LARGE");
}

#[tokio::test]
async fn unknown_tokens_and_foreign_devices_cannot_initiate() {
    let party = Sandbox::new();
    let unknown = initiate_body(&"Z".repeat(64), SERIAL);
    let reply = party.post("/sale/initiate-sale", &unknown).await;
    reply.refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN");
    let token = party.token(SERIAL, None).await;
    let other_device = initiate_body(token.as_str(), OTHER_SERIAL);
    let reply = party.post("/sale/initiate-sale", &other_device).await;
    reply.refused(StatusCode::FORBIDDEN, "DAPI-403-SERIAL");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    // A zero TTL expires a token at once (the TTL arithmetic itself is unit-tested in `auth`): no sleep needed.
    let party = Sandbox::with(Config {
        token_ttl: Duration::ZERO,
        ..Config::sandbox()
    });
    let token = party.token(SERIAL, None).await;
    let body = initiate_body(token.as_str(), SERIAL);
    let reply = party.post("/sale/initiate-sale", &body).await;
    reply.refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN");
}

#[tokio::test]
async fn check_sale_refuses_every_mismatch_with_403_and_the_invoice_id() {
    let party = Sandbox::new();
    let mut events = party.state.subscribe();
    let (token, sale) = party.initiated().await;
    let (other_token, other_sale) = party.initiated().await;
    let uri = check_uri(&sale.invoice_id);
    let base = check_body(&sale, &token, SERIAL, None);
    let mut unknown_token = base.clone();
    unknown_token["session"]["accessToken"] = json!("Z".repeat(64));
    let mut other_device = base.clone();
    other_device["consumer"]["device"]["serialNumber"] = json!(OTHER_SERIAL);
    let mut nonce = base.clone();
    nonce["session"]["nonce"] = json!("n".repeat(64));
    let mut signature = base.clone();
    signature["session"]["signature"] = other_sale.session.signature.as_str().into();
    let mut not_hex = base.clone();
    not_hex["session"]["signature"] = json!("z".repeat(40));
    let foreign = check_body(&sale, &other_token, SERIAL, None);
    let cases = [
        (&uri, unknown_token, "DAPI-403-TOKEN"),
        (&uri, other_device, "DAPI-403-SERIAL"),
        (&uri, foreign, "DAPI-403-TOKEN"),
        (&uri, nonce, "DAPI-403-NONCE"),
        (&uri, signature, "DAPI-403-SIGNATURE"),
        (&uri, not_hex, "DAPI-403-SIGNATURE"),
        (
            &check_uri(&InvoiceId::from("INV-unknown")),
            base.clone(),
            "DAPI-403-INVOICE",
        ),
    ];
    for (uri, body, code) in cases {
        let refusal = party
            .post(uri, &body)
            .await
            .refused(StatusCode::FORBIDDEN, code);
        assert!(
            refusal.invoice_id.is_some(),
            "{code}: the path's invoice id is echoed"
        );
    }
    assert_eq!(party.stored(&sale.invoice_id).checks, 0);
    let first = events.try_recv().unwrap();
    assert!(matches!(first, PartyEvent::Initiated { .. }), "{first:?}");
    while let Ok(event) = events.try_recv() {
        if let PartyEvent::Checked { accepted, .. } = event {
            assert!(!accepted);
        }
    }
    party.post(&uri, &base).await.ok::<CheckSaleResponse>();
}

#[tokio::test]
async fn a_malformed_check_is_a_400_with_the_invoice_id() {
    let party = Sandbox::new();
    let (token, sale) = party.initiated().await;
    let mut body = check_body(&sale, &token, SERIAL, None);
    body["session"].as_object_mut().unwrap().remove("token");
    let reply = party.post(&check_uri(&sale.invoice_id), &body).await;
    let refusal = reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
    assert_eq!(refusal.invoice_id, Some(sale.invoice_id));
    assert!(refusal.error.message.contains("session.token is required"));
}

#[tokio::test]
async fn unknown_client_card_ids_and_other_devices_cards_are_refused_at_check() {
    let party = Sandbox::new();
    let (token, sale) = party.initiated().await;
    party.check(&token, &sale).await.ok::<CheckSaleResponse>();
    party
        .notify(&token, GATEWAY_TOKEN)
        .await
        .ok::<serde_json::Value>();
    let client_card_id = party
        .stored(&sale.invoice_id)
        .card_mapping
        .unwrap()
        .client_card_id;

    let repeat = party.initiate(&token, SERIAL).await;
    let reply = party.check_card(&token, &repeat, "cc_unknown").await;
    reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-CLIENT-CARD");

    let other_token = party.token(OTHER_SERIAL, None).await;
    let other_sale = party.initiate(&other_token, OTHER_SERIAL).await;
    let borrowed = check_body(
        &other_sale,
        &other_token,
        OTHER_SERIAL,
        Some(client_card_id.as_str()),
    );
    let reply = party
        .post(&check_uri(&other_sale.invoice_id), &borrowed)
        .await;
    reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-CLIENT-CARD");
}

#[tokio::test]
async fn a_notification_needs_a_checked_token_and_the_sales_access_token() {
    let party = Sandbox::new();
    let (token, sale) = party.initiated().await;
    let unknown = party.notify(&token, GATEWAY_TOKEN).await;
    unknown.refused(StatusCode::BAD_REQUEST, "DAPI-400-SESSION-TOKEN");
    party.check(&token, &sale).await.ok::<CheckSaleResponse>();
    let other_token = party.token(SERIAL, None).await;
    let foreign = party.notify(&other_token, GATEWAY_TOKEN).await;
    foreign.refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN");
    assert_eq!(party.stored(&sale.invoice_id).card_mapping, None);
}

#[tokio::test]
async fn a_notification_body_is_refused_like_every_other_body() {
    // The notification is read in full first (to find the sale of a body that does not decode), then decoded
    // as every other body: Content-Type before size, 413 past the limit.
    let party = Sandbox::with(Config {
        limits: Limits { body_bytes: 256 },
        ..Config::sandbox()
    });
    let token = party.token(SERIAL, None).await;
    let mut large = notification_body(&token, GATEWAY_TOKEN);
    large["consumer"]["device"]["serialNumber"] = json!("x".repeat(300));
    let large = large.to_string();
    let reply = party
        .post_raw("/sale/notification", large.clone(), "application/json")
        .await;
    reply.refused(StatusCode::PAYLOAD_TOO_LARGE, "DAPI-413-TOO-LARGE");
    let reply = party
        .post_raw("/sale/notification", large, "text/plain")
        .await;
    reply.refused_for(StatusCode::BAD_REQUEST, "DAPI-400-INVALID", "Content-Type");
    let malformed = party
        .post_raw("/sale/notification", "{\"session\":", "application/json")
        .await;
    malformed.refused_for(
        StatusCode::BAD_REQUEST,
        "DAPI-400-INVALID",
        "malformed JSON",
    );
}
