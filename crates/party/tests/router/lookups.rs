//! Refused callbacks, client card id look-ups, records and paths; duplicate callbacks are counted, not
//! recorded twice. Each refusal asserts status, `error.cause`, code and the `ErrorBody<PartyCause>` shape.

use crate::support::*;
use axum::http::StatusCode;
use dapi::messages::callback::Callback;
use dapi::{CallbackStatus, InvoiceId, PartyCause};
use serde_json::json;

#[tokio::test]
async fn callbacks_with_a_wrong_control_bad_params_or_unknown_invoice_are_refused() {
    let party = Sandbox::new();
    let (_, sale) = party.initiated().await;
    let mut forged = Callback::sign(
        callback_fields(&sale.invoice_id, CallbackStatus::Approved),
        &party.key,
    );
    forged.status = CallbackStatus::Declined;
    let reply = party.get(&callback_uri(&forged)).await;
    assert_eq!(
        reply
            .refused(StatusCode::FORBIDDEN, "DAPI-403-CONTROL")
            .invoice_id,
        Some(sale.invoice_id.clone())
    );
    assert_eq!(party.stored(&sale.invoice_id).callback, None);

    let missing = party.get("/callback?status=approved&orderid=1").await;
    missing.refused_for(StatusCode::BAD_REQUEST, "DAPI-400-INVALID", "is required");
    party
        .get("/callback")
        .await
        .refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
    let uri = callback_uri(&Callback::sign(
        callback_fields(&sale.invoice_id, CallbackStatus::Approved),
        &party.key,
    ));
    let bad_status = party
        .get(&uri.replace("status=approved", "status=maybe"))
        .await;
    bad_status.refused_for(StatusCode::BAD_REQUEST, "DAPI-400-INVALID", "status");

    let unknown = party
        .callback(&InvoiceId::from("INV-unknown"), CallbackStatus::Approved)
        .await;
    unknown.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVOICE");
}

#[tokio::test]
async fn duplicate_callbacks_are_recorded_once_and_counted() {
    let party = Sandbox::new();
    let (_, sale) = party.initiated().await;
    for _ in 0..3 {
        assert_eq!(
            party
                .callback(&sale.invoice_id, CallbackStatus::Declined)
                .await
                .status,
            StatusCode::OK
        );
    }
    let callback = party.stored(&sale.invoice_id).callback.unwrap();
    assert_eq!(
        (callback.status, callback.deliveries),
        (CallbackStatus::Declined, 3)
    );
}

#[tokio::test]
async fn the_client_card_id_is_only_for_the_sales_consumer() {
    let party = Sandbox::new();
    let (_, sale) = party.initiated().await;
    let other_token = party.token(SERIAL, None).await;
    let uri = format!("/sale/{}/client-card-id", sale.invoice_id);
    let foreign = party
        .post(&uri, &json!({"session": {"accessToken": other_token}}))
        .await;
    foreign.refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN");
    let unknown = party
        .post(
            "/sale/INV-unknown/client-card-id",
            &json!({"session": {"accessToken": other_token}}),
        )
        .await;
    unknown.refused(StatusCode::NOT_FOUND, "DAPI-404-INVOICE");
}

#[tokio::test]
async fn unknown_records_paths_and_methods_get_the_error_body() {
    let party = Sandbox::new();
    let mut events = party.state.subscribe();
    let record = party.get("/sim/sales/INV-unknown").await;
    record.refused(StatusCode::NOT_FOUND, "DAPI-404-INVOICE");
    let path = party.get("/sale/nope").await;
    path.refused(StatusCode::NOT_FOUND, "DAPI-404-PATH");
    let method = party.get("/sale/initiate-sale").await;
    assert_eq!(
        method
            .refused(StatusCode::METHOD_NOT_ALLOWED, "DAPI-405-METHOD")
            .error
            .cause,
        PartyCause::InvalidRequest
    );
    let (_, sale) = party.initiated().await;
    let wrong_method = party.get(&check_uri(&sale.invoice_id)).await;
    wrong_method.refused(StatusCode::METHOD_NOT_ALLOWED, "DAPI-405-METHOD");
    let seen: Vec<_> = std::iter::from_fn(|| events.try_recv().ok()).collect();
    assert!(
        seen.iter()
            .all(|event| !matches!(event, party::PartyEvent::Checked { .. })),
        "a check with the wrong method is no check: {seen:?}"
    );
}
