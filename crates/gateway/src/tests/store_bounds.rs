//! Bounded memory: past `max_sales` the oldest settled sale is forgotten; a sale still in progress or still being
//! called back never is, and a perform that finds none to forget gets 503.

use super::party::FakeParty;
use super::support::*;
use crate::{AppState, DeliveryFilter};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// Performs and waits until the sale is final and its callback delivered.
async fn settled_sale(state: &AppState, invoice: &str) {
    let token = perform(state, invoice, &card_perform(invoice, "101")).await;
    wait_for_state(state, invoice, &token, &["DECLINED"]).await;
    wait_for_delivery(
        state,
        invoice,
        sandbox_api::DeliveryKind::Callback,
        sandbox_api::DeliveryState::Delivered,
    )
    .await;
}

async fn refused_perform(state: &AppState, invoice: &str) -> Value {
    let uri = sale_uri(ENDPOINT, invoice);
    let (code, body) = send(state, post_json(&uri, &card_perform(invoice, "101"))).await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    body
}

#[tokio::test]
async fn past_max_sales_the_oldest_settled_sale_is_forgotten() {
    let party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |config| config.max_sales = 2);
    settled_sale(&state, "INV-1").await;
    settled_sale(&state, "INV-2").await;
    settled_sale(&state, "INV-3").await;
    let kept = |invoice: &str| {
        state
            .sale_record(&ENDPOINT.into(), &invoice.into())
            .is_some()
    };
    assert_eq!(
        (kept("INV-1"), kept("INV-2"), kept("INV-3")),
        (false, true, true)
    );
    let poll = json!({"session":{"accessToken":ACCESS_TOKEN,"token":"0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b"}});
    let (code, body) = send(
        &state,
        post_json(&format!("{}/status", sale_uri(ENDPOINT, "INV-1")), &poll),
    )
    .await;
    assert_eq!(
        (code, &body["error"]["cause"]),
        (StatusCode::BAD_REQUEST, &json!("ORDER_NOT_FOUND"))
    );
    let filter = DeliveryFilter {
        invoice_id: Some("INV-1".into()),
        state: None,
    };
    assert_eq!(
        state.deliveries(&filter).len(),
        1,
        "its callback stays in the delivery log"
    );
    // The invoice is free again once forgotten: the gateway no longer knows it was processed.
    perform(&state, "INV-1", &card_perform("INV-1", "101")).await;
}

#[tokio::test]
async fn a_sale_whose_callback_is_pending_is_never_forgotten() {
    let party = FakeParty::start(StatusCode::INTERNAL_SERVER_ERROR).await;
    let state = gateway(&party.url, |config| {
        config.max_sales = 1;
        config.timings.callback_retry.first_delay = Duration::from_secs(60);
        config.timings.callback_retry.max_delay = Duration::from_secs(60);
    });
    let token = perform(&state, "INV-owed", &card_perform("INV-owed", "101")).await;
    wait_for_state(&state, "INV-owed", &token, &["DECLINED"]).await;
    let body = refused_perform(&state, "INV-next").await;
    assert_eq!(
        (&body["error"]["cause"], &body["error"]["code"]),
        (&json!("INTERNAL_ERROR"), &json!("DAPI-503-CAPACITY"))
    );
    assert!(
        state
            .sale_record(&ENDPOINT.into(), &"INV-owed".into())
            .is_some()
    );
    assert!(
        state
            .sale_record(&ENDPOINT.into(), &"INV-next".into())
            .is_none()
    );
}

#[tokio::test]
async fn a_sale_in_progress_is_never_forgotten() {
    let party = FakeParty::start(StatusCode::OK).await;
    let state = gateway(&party.url, |config| config.max_sales = 1);
    let token = perform(&state, "INV-3ds", &card_perform("INV-3ds", "321")).await;
    wait_for_state(&state, "INV-3ds", &token, &["REDIRECT_REQUEST"]).await;
    refused_perform(&state, "INV-next").await;
    assert_eq!(
        status(&state, "INV-3ds", &token).await["state"],
        "REDIRECT_REQUEST"
    );
}
