//! `/sale/...`: initiate sale (spec 3.2), check sale (3.4), card mapping notification (3.7) and the
//! client card id look-up (A24).

use super::extract::{Buffered, InvoicePath};
use crate::error::{CardIdError, InitiateError, NotificationError};
use crate::fault;
use crate::misbehave::CheckReply;
use crate::state::{AppState, PartyEvent};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use dapi::messages::check::{CardMappingNotification, CardMappingResponse, CheckSaleRequest};
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

/// A slow answer (sandbox misbehaviour) and the sale's latency (sandbox fault) wait here, after every guard is
/// released.
async fn check(
    State(state): State<AppState>,
    InvoicePath(invoice_id): InvoicePath,
    body: Result<JsonBody<CheckSaleRequest>, BodyError>,
) -> Response {
    let reply = match body {
        Ok(JsonBody(request)) => state.check_sale(&invoice_id, &request),
        Err(error) => Err(state.refuse_check_body(&invoice_id, error)),
    };
    state.publish(PartyEvent::Checked {
        invoice_id: invoice_id.clone(),
        accepted: matches!(reply, Ok(CheckReply::Answer { .. })),
    });
    let latency = state.latency(&invoice_id);
    let (wait, response) = match reply {
        Ok(CheckReply::Answer { response, delay }) => (
            delay.saturating_add(latency),
            Json(response).into_response(),
        ),
        Ok(CheckReply::Boom) => {
            let boom = (StatusCode::INTERNAL_SERVER_ERROR, "boom");
            (latency, boom.into_response())
        }
        Err(error) => (latency, Failure::of(&invoice_id, error).into_response()),
    };
    fault::hold_back(wait).await;
    response
}

/// The sale's latency (sandbox fault) holds back every answer to a notification attributed to it.
async fn notification(
    State(state): State<AppState>,
    body: Buffered<CardMappingNotification>,
) -> Result<Json<CardMappingResponse>, Failure<NotificationError>> {
    let notification = body
        .decoded
        .map_err(|error| state.refuse_notification_body(&body.raw, error))?;
    let answer = state.map_card(&notification);
    fault::hold_back(state.session_latency(&notification.session.token)).await;
    Ok(Json(answer?))
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
