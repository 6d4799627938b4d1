//! Bounded memory: past `max_sales` the oldest settled sale is forgotten; a sale still in progress or still being
//! called back never is, and a perform that finds none to forget gets 503.

use super::reference_party::ReferenceParty;
use super::support::*;
use crate::{AppState, DeliveryFilter};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// Performs and waits until the sale is final and its callback delivered.
async fn settled_sale(state: &AppState, sale: &Terms) {
    perform_card_until(state, sale, "101", &["DECLINED"]).await;
    wait_for_callback(state, &sale.invoice, sandbox_api::DeliveryState::Delivered).await;
}

async fn refused_perform(state: &AppState, sale: &Terms) -> Value {
    let uri = sale_uri(ENDPOINT, &sale.invoice);
    let (code, body) = send(state, post_json(&uri, &card_perform(sale, "101"))).await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    body
}

#[tokio::test]
async fn past_max_sales_the_oldest_settled_sale_is_forgotten() {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |config| config.max_sales = 2);
    let sales = [party.sale().await, party.sale().await, party.sale().await];
    for sale in &sales {
        settled_sale(&state, sale).await;
    }
    let kept = |sale: &Terms| {
        state
            .sale_record(&ENDPOINT.into(), &sale.invoice.as_str().into())
            .is_some()
    };
    assert_eq!(
        (kept(&sales[0]), kept(&sales[1]), kept(&sales[2])),
        (false, true, true)
    );
    let first = &sales[0];
    let poll = json!({"session":{"accessToken":first.access_token,"token":"0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b"}});
    let (code, body) = send(
        &state,
        post_json(
            &format!("{}/status", sale_uri(ENDPOINT, &first.invoice)),
            &poll,
        ),
    )
    .await;
    assert_eq!(
        (code, &body["error"]["cause"]),
        (StatusCode::BAD_REQUEST, &json!("ORDER_NOT_FOUND"))
    );
    let filter = DeliveryFilter {
        invoice_id: Some(first.invoice.as_str().into()),
        state: None,
    };
    assert_eq!(
        state.deliveries(&filter).len(),
        1,
        "its callback stays in the delivery log"
    );
    // The invoice is free again once forgotten: the gateway no longer knows it was processed.
    perform_card(&state, first, "101").await;
}

#[tokio::test]
async fn a_sale_whose_callback_is_pending_is_never_forgotten() {
    let party = ReferenceParty::start().await;
    let (owed, next) = (
        party.misbehaving_sale(json!({"callback":"http-500"})).await,
        party.sale().await,
    );
    let state = gateway(&party.url, |config| {
        config.max_sales = 1;
        config.timings.callback_retry.first_delay = Duration::from_secs(60);
        config.timings.callback_retry.max_delay = Duration::from_secs(60);
    });
    perform_card_until(&state, &owed, "101", &["DECLINED"]).await;
    let body = refused_perform(&state, &next).await;
    assert_eq!(
        (&body["error"]["cause"], &body["error"]["code"]),
        (&json!("INTERNAL_ERROR"), &json!("DAPI-503-CAPACITY"))
    );
    assert!(
        state
            .sale_record(&ENDPOINT.into(), &owed.invoice.as_str().into())
            .is_some()
    );
    assert!(
        state
            .sale_record(&ENDPOINT.into(), &next.invoice.as_str().into())
            .is_none()
    );
}

#[tokio::test]
async fn a_sale_in_progress_is_never_forgotten() {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |config| config.max_sales = 1);
    let (three_ds, next) = (party.sale().await, party.sale().await);
    let token = perform_card(&state, &three_ds, "321").await;
    wait_for_state(&state, &three_ds, &token, &["REDIRECT_REQUEST"]).await;
    refused_perform(&state, &next).await;
    assert_eq!(
        status(&state, &three_ds, &token).await["state"],
        "REDIRECT_REQUEST"
    );
}
