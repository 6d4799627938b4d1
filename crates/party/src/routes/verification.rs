//! `/verification/...`: initiate verification (addendum §2.2), check verification (§2.4), the verification card
//! mapping notification (§2.7) and the client card id look-up (V17), the twins of `/sale/...`.

use super::extract::{Buffered, InvoicePath, about, about_body};
use crate::error::{CardIdError, CheckError, InitiateError, NotificationError};
use crate::store::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use dapi::messages::initiate::{ClientCardIdRequest, ClientCardIdResponse};
use dapi::messages::verification::check::{CheckVerificationRequest, CheckVerificationResponse};
use dapi::messages::verification::initiate::{
    InitiateVerificationRequest, InitiateVerificationResponse,
};
use dapi::messages::verification::notification::{
    VerificationCardMappingNotification, VerificationCardMappingResponse,
};
use dapi::{Flow, paths};
use server_kit::{BodyError, Failure, JsonBody};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::INITIATE_VERIFICATION, post(initiate))
        .route(
            paths::VERIFICATION_CARD_MAPPING_NOTIFICATION,
            post(notification),
        )
        .route("/verification/{invoice_id}/check", post(check))
        .route(
            "/verification/{invoice_id}/client-card-id",
            post(client_card_id),
        )
}

async fn initiate(
    State(state): State<AppState>,
    body: Result<JsonBody<InitiateVerificationRequest>, BodyError>,
) -> Result<Json<InitiateVerificationResponse>, Failure<InitiateError>> {
    let JsonBody(request) = body.map_err(InitiateError::from)?;
    Ok(Json(state.initiate_verification(request)?))
}

async fn check(
    State(state): State<AppState>,
    InvoicePath(invoice_id): InvoicePath,
    body: Result<JsonBody<CheckVerificationRequest>, BodyError>,
) -> Result<Json<CheckVerificationResponse>, Failure<CheckError>> {
    let answer = match body {
        Ok(JsonBody(request)) => state.check_verification(&invoice_id, &request),
        Err(error) => Err(state.refuse_check_body(&invoice_id, error)),
    };
    about(&invoice_id, answer)
}

async fn notification(
    State(state): State<AppState>,
    body: Buffered<VerificationCardMappingNotification>,
) -> Result<Json<VerificationCardMappingResponse>, Failure<NotificationError>> {
    let flow = Flow::Verification;
    let notification = body
        .decoded
        .map_err(|error| state.refuse_notification_body(flow, &body.raw, error))?;
    Ok(Json(state.map_card(&notification)?))
}

async fn client_card_id(
    State(state): State<AppState>,
    InvoicePath(invoice_id): InvoicePath,
    body: Result<JsonBody<ClientCardIdRequest>, BodyError>,
) -> Result<Json<ClientCardIdResponse>, Failure<CardIdError>> {
    about_body(&invoice_id, body, |request| {
        state.client_card_id(Flow::Verification, &invoice_id, &request)
    })
}
