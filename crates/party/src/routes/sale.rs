//! `/sale/...`: initiate sale (spec 3.2), check sale (3.4), card mapping notification (3.7) and the
//! client card id look-up (A24).

use super::extract::InvoicePath;
use crate::error::{CardIdError, CheckError, InitiateError, NotificationError};
use crate::state::{AppState, PartyEvent};
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use dapi::messages::check::{
    CardMappingNotification, CardMappingResponse, CheckSaleRequest, CheckSaleResponse,
};
use dapi::messages::initiate::{
    ClientCardIdRequest, ClientCardIdResponse, InitiateSaleRequest, InitiateSaleResponse,
};
use server_kit::{BodyError, Failure, JsonBody};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/sale/initiate-sale", post(initiate))
        .route("/sale/notification", post(notification))
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
        Err(error) => Err(error.into()),
    };
    state.publish(PartyEvent::Checked {
        invoice_id: invoice_id.clone(),
        accepted: answer.is_ok(),
    });
    answer
        .map(Json)
        .map_err(|error| Failure::of(&invoice_id, error))
}

async fn notification(
    State(state): State<AppState>,
    body: Result<JsonBody<CardMappingNotification>, BodyError>,
) -> Result<Json<CardMappingResponse>, Failure<NotificationError>> {
    let JsonBody(notification) = body.map_err(NotificationError::from)?;
    Ok(Json(state.map_card(&notification)?))
}

async fn client_card_id(
    State(state): State<AppState>,
    InvoicePath(invoice_id): InvoicePath,
    body: Result<JsonBody<ClientCardIdRequest>, BodyError>,
) -> Result<Json<ClientCardIdResponse>, Failure<CardIdError>> {
    let answer = match body {
        Ok(JsonBody(request)) => state.client_card_id(&invoice_id, &request),
        Err(error) => Err(error.into()),
    };
    answer
        .map(Json)
        .map_err(|error| Failure::of(&invoice_id, error))
}
