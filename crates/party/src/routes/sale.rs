//! `/sale/...`: initiate sale (spec 3.2), check sale (3.4), card mapping notification (3.7) and the
//! client card id look-up (A24).

use super::extract::{Buffered, InvoicePath, about, about_body};
use crate::error::{CardIdError, CheckError, InitiateError, NotificationError};
use crate::store::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use dapi::messages::check::{
    CardMappingNotification, CardMappingResponse, CheckSaleRequest, CheckSaleResponse,
};
use dapi::messages::initiate::{
    ClientCardIdRequest, ClientCardIdResponse, InitiateSaleRequest, InitiateSaleResponse,
};
use dapi::{Flow, paths};
use server_kit::{BodyError, Failure, JsonBody};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::INITIATE_SALE, post(initiate))
        .route(paths::CARD_MAPPING_NOTIFICATION, post(notification))
        .route("/sale/{invoice_id}/check", post(check))
        .route("/sale/{invoice_id}/client-card-id", post(client_card_id))
}

async fn initiate(
    State(state): State<AppState>,
    body: Result<JsonBody<InitiateSaleRequest>, BodyError>,
) -> Result<Json<InitiateSaleResponse>, Failure<InitiateError>> {
    let JsonBody(request) = body.map_err(InitiateError::from)?;
    Ok(Json(state.initiate_sale(request)?))
}

async fn check(
    State(state): State<AppState>,
    InvoicePath(invoice_id): InvoicePath,
    body: Result<JsonBody<CheckSaleRequest>, BodyError>,
) -> Result<Json<CheckSaleResponse>, Failure<CheckError>> {
    let answer = match body {
        Ok(JsonBody(request)) => state.check_sale(&invoice_id, &request),
        Err(error) => Err(state.refuse_check_body(&invoice_id, error)),
    };
    about(&invoice_id, answer)
}

async fn notification(
    State(state): State<AppState>,
    body: Buffered<CardMappingNotification>,
) -> Result<Json<CardMappingResponse>, Failure<NotificationError>> {
    let notification = body
        .decoded
        .map_err(|error| state.refuse_notification_body(Flow::Sale, &body.raw, error))?;
    Ok(Json(state.map_card(&notification)?))
}

async fn client_card_id(
    State(state): State<AppState>,
    InvoicePath(invoice_id): InvoicePath,
    body: Result<JsonBody<ClientCardIdRequest>, BodyError>,
) -> Result<Json<ClientCardIdResponse>, Failure<CardIdError>> {
    about_body(&invoice_id, body, |request| {
        state.client_card_id(Flow::Sale, &invoice_id, &request)
    })
}
