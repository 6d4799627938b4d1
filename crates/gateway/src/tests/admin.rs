//! The sandbox's admin routes for deliveries (`GET /sim/deliveries`, `POST /sim/deliveries/{id}/replay`) and the
//! latency fault: filters, bad queries and unknown ids get the documented JSON error body.

use super::party::FakeParty;
use super::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use sandbox_api::DeliveryKind;
use sandbox_api::DeliveryList;
use sandbox_api::DeliveryState;
use sandbox_api::paths::DELIVERIES_PATH;
use sandbox_api::paths::gateway_misbehave_path;
use sandbox_api::paths::replay_path;
use serde_json::json;
use std::time::{Duration, Instant};

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

async fn list(state: &crate::AppState, query: &str) -> DeliveryList {
    let (code, body) = send(state, get(&format!("{DELIVERIES_PATH}{query}"))).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

#[tokio::test]
async fn the_delivery_log_is_listed_filtered_and_replayed_by_id() {
    let party = FakeParty::start(StatusCode::OK).await;
    // Callbacks go to a listener that never answers: they stay pending for the outbound timeout (2 s).
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}/callback", silent.local_addr().unwrap());
    let state = gateway(&party.url, |config| {
        config.endpoints[0].callback_url = Some(silent_url)
    });
    for invoice in ["INV-a", "INV-b"] {
        let token = perform(&state, invoice, &card_perform(invoice, "123")).await;
        wait_for_state(&state, invoice, &token, &["APPROVED"]).await;
    }
    let all = list(&state, "").await.deliveries;
    let shape: Vec<_> = all
        .iter()
        .map(|record| (record.invoice_id.as_str(), record.kind))
        .collect();
    assert_eq!(
        shape,
        [
            ("INV-a", DeliveryKind::Notification),
            ("INV-a", DeliveryKind::Callback),
            ("INV-b", DeliveryKind::Notification),
            ("INV-b", DeliveryKind::Callback),
        ],
        "oldest first"
    );
    let one = list(&state, "?invoiceId=INV-b&state=delivered")
        .await
        .deliveries;
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].kind, DeliveryKind::Notification);
    let pending = list(&state, "?state=pending").await.deliveries;
    assert!(
        pending.iter().all(|r| r.kind == DeliveryKind::Callback),
        "{pending:#?}"
    );
    assert!(
        list(&state, "?state=dead-lettered")
            .await
            .deliveries
            .is_empty()
    );

    let callback = &pending[0];
    let (code, body) = send(&state, post_json(&replay_path(&callback.id), &json!({}))).await;
    assert_eq!(code, StatusCode::CONFLICT, "still pending: {body}");
    assert_eq!(body["error"]["cause"], "INVALID_REQUEST");
    let notification = &one[0];
    let (code, body) = send(
        &state,
        post_json(&replay_path(&notification.id), &json!({})),
    )
    .await;
    assert_eq!(
        code,
        StatusCode::ACCEPTED,
        "a delivered one may be sent again: {body}"
    );
    assert_eq!(body["state"], "pending");
    let again = wait_for_delivery(
        &state,
        "INV-b",
        DeliveryKind::Notification,
        DeliveryState::Delivered,
    )
    .await;
    assert_eq!(again.attempts.len(), 2);
}

#[tokio::test]
async fn bad_queries_and_unknown_ids_get_the_error_body() {
    let state = gateway("http://127.0.0.1:9", |_| {});
    for query in [
        "?state=lost",
        "?colour=blue",
        "?state=",
        "?invoiceId=a&invoiceId=b",
    ] {
        let (code, body) = send(&state, get(&format!("{DELIVERIES_PATH}{query}"))).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["cause"], "INVALID_REQUEST", "{query}");
        let parameter = query[1..].split('=').next().unwrap();
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("query") || message.contains(parameter),
            "{body}"
        );
    }
    for id in ["dlv-999", "nope", "dlv-"] {
        let (code, body) = send(&state, post_json(&replay_path(id), &json!({}))).await;
        assert_eq!(code, StatusCode::NOT_FOUND, "{id}: {body}");
        assert_eq!(body["error"]["cause"], "ORDER_NOT_FOUND");
        assert_eq!(body["error"]["code"], "DAPI-404-DELIVERY");
    }
    let (code, body) = send(&state, get(&replay_path("dlv-1"))).await;
    assert_eq!(code, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert!(body["error"]["cause"].is_string());
}

#[tokio::test]
async fn the_latency_fault_holds_back_perform_and_status_of_that_sale_only() {
    // The party never answers check sale: the sales stay PROCESSING, so only the latency is measured.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let party_url = format!("http://{}", silent.local_addr().unwrap());
    let state = gateway(&party_url, |_| {});
    let latency = Duration::from_millis(300);
    let misbehave = gateway_misbehave_path(&ENDPOINT.into(), &"INV-slow".into());
    let (code, body) = send(&state, post_json(&misbehave, &json!({"latencyMs": 300}))).await;
    assert_eq!(code, StatusCode::OK, "{body}");

    let started = Instant::now();
    let token = perform(&state, "INV-slow", &card_perform("INV-slow", "123")).await;
    assert!(started.elapsed() >= latency, "perform answered early");
    let started = Instant::now();
    assert_eq!(
        status(&state, "INV-slow", &token).await["state"],
        "PROCESSING"
    );
    assert!(started.elapsed() >= latency, "status answered early");

    let started = Instant::now();
    let other = perform(&state, "INV-fast", &card_perform("INV-fast", "123")).await;
    status(&state, "INV-fast", &other).await;
    assert!(started.elapsed() < latency, "other sales are not held back");
}
