//! The sandbox's control plane through the router: the `/sim/sales` routes (the gateway's record of a sale,
//! misbehaviour on purpose for one sale — `wrong-control`: the reference party refuses the first callback, the
//! retry is delivered), the delivery log routes (`GET /sim/deliveries`, `POST /sim/deliveries/{id}/replay`: filters, bad
//! queries and unknown ids get the documented JSON error body) and the latency fault.

use super::reference_party::ReferenceParty;
use super::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use dapi::CallbackStatus;
use sandbox_api::paths::{
    DELIVERIES_PATH, gateway_misbehave_path, gateway_record_path, replay_path,
};
use sandbox_api::{
    CallbackMisbehaviour, DeliveryKind, DeliveryList, DeliveryState, GatewayMisbehaviour,
    GatewaySaleRecord,
};
use serde_json::json;
use std::time::{Duration, Instant};

fn record_uri(endpoint: &str, invoice: &str) -> String {
    gateway_record_path(&endpoint.into(), &invoice.into())
}

fn misbehave_uri(invoice: &str) -> String {
    gateway_misbehave_path(&ENDPOINT.into(), &invoice.into())
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn the_record_shows_state_and_violations_and_unknown_sales_are_404() {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |_| {});
    let sale = party
        .misbehaving_sale(json!({"check":"wrong-check-signature"}))
        .await;
    perform_card_until(&state, &sale, "123", &["DECLINED"]).await;

    let (code, body) = send(&state, get(&record_uri(ENDPOINT, &sale.invoice))).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let record: GatewaySaleRecord = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(record.invoice_id.as_str(), sale.invoice);
    assert_eq!(record.state, dapi::SaleState::Declined);
    assert_eq!(record.violations.len(), 1, "{body}");
    let violation = &body["violations"][0];
    assert_eq!(
        (
            &violation["observer"],
            &violation["step"],
            &violation["path"]
        ),
        (
            &json!("gateway"),
            &json!(9),
            &json!("session.checkSignature")
        )
    );

    let (code, body) = send(&state, get(&record_uri(ENDPOINT, "INV-none"))).await;
    assert_eq!(code, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["cause"], "ORDER_NOT_FOUND");
    assert_eq!(body["invoiceId"], "INV-none");
    let (code, body) = send(&state, get(&record_uri("999", &sale.invoice))).await;
    assert_eq!(
        (code, &body["error"]["cause"]),
        (StatusCode::BAD_REQUEST, &json!("INVALID_CONFIGURATION"))
    );
}

#[tokio::test]
async fn misbehaviour_is_stored_per_sale_and_bad_bodies_get_the_error_body() {
    let state = gateway("http://127.0.0.1:9", |_| {});
    let uri = misbehave_uri("INV-later");
    let (code, body) = send(
        &state,
        post_json(&uri, &json!({"callback":"wrong-control"})),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"callback":"wrong-control"}));
    assert_eq!(
        state
            .sandbox()
            .misbehaviour(&ENDPOINT.into(), &"INV-later".into()),
        GatewayMisbehaviour {
            callback: Some(CallbackMisbehaviour::WrongControl),
            ..GatewayMisbehaviour::default()
        }
    );
    assert_eq!(
        state
            .sandbox()
            .misbehaviour(&ENDPOINT.into(), &"INV-other".into()),
        GatewayMisbehaviour::default(),
        "scoped to one sale"
    );
    let (code, body) = send(&state, post_json(&uri, &json!({}))).await;
    assert_eq!((code, body), (StatusCode::OK, json!({})), "replaced");

    let cases = [
        post_raw(&uri, "application/json", "{"),
        post_json(&uri, &json!({"callback":"sing"})),
        post_json(&uri, &json!({"check":"slow"})),
        post_json(&uri, &json!([])),
        post_json(&uri, &json!({"latencyMs":-1})),
        // Found by the schema-driven fuzz run: a latency of years held the sale's answers back indefinitely.
        post_json(&uri, &json!({"latencyMs": 300_001})),
        post_json(&uri, &json!({"latencyMs": u64::MAX})),
        post_raw(&uri, "text/plain", "{}"),
    ];
    for request in cases {
        let (code, body) = send(&state, request).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["cause"], "INVALID_REQUEST", "{body}");
        assert_eq!(body["invoiceId"], "INV-later");
    }
    let stored = state
        .sandbox()
        .misbehaviour(&ENDPOINT.into(), &"INV-later".into());
    assert_eq!(
        stored,
        GatewayMisbehaviour::default(),
        "a refused body changes nothing"
    );
    assert!(!state.sandbox().any_latency(), "no latency was armed");
    let longest = json!({"latencyMs": sandbox_api::misbehaviour::MAX_DELAY_MS});
    let (code, body) = send(&state, post_json(&uri, &longest)).await;
    assert_eq!(
        code,
        StatusCode::OK,
        "5 minutes is the longest latency: {body}"
    );
    let (code, body) = send(
        &state,
        post_json(
            &gateway_misbehave_path(&"999".into(), &"INV-later".into()),
            &json!({}),
        ),
    )
    .await;
    assert_eq!(
        (code, &body["error"]["cause"]),
        (StatusCode::BAD_REQUEST, &json!("INVALID_CONFIGURATION"))
    );
}

#[tokio::test]
async fn wrong_control_is_refused_first_and_the_retry_is_delivered() {
    let mut party = ReferenceParty::start().await;
    let state = gateway(&party.url, |_| {});
    let sale = party.sale().await;
    let misbehave = post_json(
        &misbehave_uri(&sale.invoice),
        &json!({"callback":"wrong-control"}),
    );
    assert_eq!(send(&state, misbehave).await.0, StatusCode::OK);
    perform_card_until(&state, &sale, "123", &["APPROVED"]).await;

    assert_eq!(
        party.callback(&sale.invoice).await,
        (CallbackStatus::Approved, false),
        "the retry is the first callback the party accepts"
    );
    let callback =
        wait_for_callback(&state, &sale.invoice, sandbox_api::DeliveryState::Delivered).await;
    let statuses: Vec<_> = callback.attempts.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses,
        [Some(403), Some(200)],
        "only attempt 1 is spoiled"
    );
    // The party checks the amount, currency and merchant_order of every callback, the refused one too: only
    // the control was wrong.
    let seen = party.record(&sale.invoice).violations;
    let shape: Vec<_> = seen.iter().map(|v| (v.step, v.path.as_str())).collect();
    assert_eq!(
        shape,
        [(23, "control")],
        "the first attempt carries a wrong control, and only that: {seen:#?}"
    );
    assert_ne!(
        seen[0].actual.as_deref(),
        Some(sent_callback(&state, &sale.invoice).control.as_str())
    );
    assert_eq!(
        violations(&state, &sale.invoice),
        [],
        "a refusal of a wrong callback is no violation"
    );
    let plain = party.sale().await;
    let other = perform_card(&state, &plain, "123").await;
    wait_for_state(&state, &plain, &other, &["APPROVED"]).await;
    let delivered = wait_for_callback(
        &state,
        &plain.invoice,
        sandbox_api::DeliveryState::Delivered,
    )
    .await;
    assert_eq!(
        delivered.attempts.len(),
        1,
        "other sales are not touched: their first callback is right"
    );
    assert_eq!(party.record(&plain.invoice).violations, []);
}

async fn list(state: &crate::AppState, query: &str) -> DeliveryList {
    let (code, body) = send(state, get(&format!("{DELIVERIES_PATH}{query}"))).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

#[tokio::test]
async fn the_delivery_log_is_listed_filtered_and_replayed_by_id() {
    let party = ReferenceParty::start().await;
    // Callbacks go to a listener that never answers: they stay pending for the outbound timeout (2 s).
    let (_silent, silent) = silent_url().await;
    let silent_url = format!("{silent}/callback");
    let state = gateway(&party.url, |config| {
        config.endpoints[0].callback_url = Some(silent_url)
    });
    let (a, b) = (party.sale().await, party.sale().await);
    for sale in [&a, &b] {
        perform_card_until(&state, sale, "123", &["APPROVED"]).await;
    }
    let all = list(&state, "").await.deliveries;
    let shape: Vec<_> = all
        .iter()
        .map(|record| (record.invoice_id.as_str(), record.kind))
        .collect();
    assert_eq!(
        shape,
        [
            (a.invoice.as_str(), DeliveryKind::Notification),
            (a.invoice.as_str(), DeliveryKind::Callback),
            (b.invoice.as_str(), DeliveryKind::Notification),
            (b.invoice.as_str(), DeliveryKind::Callback),
        ],
        "oldest first"
    );
    let one = list(&state, &format!("?invoiceId={}&state=delivered", b.invoice))
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
        &b.invoice,
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
    let (_silent, party_url) = silent_url().await;
    let state = gateway(&party_url, |_| {});
    let latency = Duration::from_millis(300);
    let misbehave = gateway_misbehave_path(&ENDPOINT.into(), &"INV-slow".into());
    let (code, body) = send(&state, post_json(&misbehave, &json!({"latencyMs": 300}))).await;
    assert_eq!(code, StatusCode::OK, "{body}");

    let started = Instant::now();
    let (slow, fast) = (Terms::local("INV-slow"), Terms::local("INV-fast"));
    let token = perform_card(&state, &slow, "123").await;
    assert!(started.elapsed() >= latency, "perform answered early");
    let started = Instant::now();
    assert_eq!(status(&state, &slow, &token).await["state"], "PROCESSING");
    assert!(started.elapsed() >= latency, "status answered early");

    let started = Instant::now();
    let other = perform_card(&state, &fast, "123").await;
    status(&state, &fast, &other).await;
    assert!(started.elapsed() < latency, "other sales are not held back");
}
