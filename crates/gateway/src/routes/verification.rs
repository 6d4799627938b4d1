//! `POST {prefix}/verification/{endpointId}/{invoiceId}` (perform validation, addendum §2.3) and `…/status`
//! (verification status, §2.5): the twins of the sale's routes, with the same path, endpoint and body checks.

use super::sale::{SalePath, sale_request};
use crate::error::{PerformError, StatusError};
use crate::sale::status::status as transaction_status;
use crate::state::AppState;
use crate::verification::validation::perform_validation;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use dapi::Flow;
use dapi::messages::verification::status::{VerificationStatusRequest, VerificationStatusResponse};
use dapi::messages::verification::validation::{
    PerformValidationRequest, PerformValidationResponse,
};
use server_kit::{BodyError, Failure, JsonBody};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/verification/{endpoint_id}/{invoice_id}", post(perform))
        .route(
            "/verification/{endpoint_id}/{invoice_id}/status",
            post(status),
        )
}

async fn perform(
    State(state): State<AppState>,
    path: SalePath,
    body: Result<JsonBody<PerformValidationRequest>, BodyError>,
) -> Result<Json<PerformValidationResponse>, Failure<PerformError>> {
    let (endpoint_id, invoice_id, request) = sale_request(&state, path, body)?;
    let performed = perform_validation(&state, endpoint_id, invoice_id.clone(), request)
        .map_err(|error| Failure::of(&invoice_id, error))?;
    // The verification is on disk (with a data directory) before its token is handed out.
    state.store().journal().flushed().await;
    Ok(Json(performed))
}

async fn status(
    State(state): State<AppState>,
    path: SalePath,
    body: Result<JsonBody<VerificationStatusRequest>, BodyError>,
) -> Result<Json<VerificationStatusResponse>, Failure<StatusError>> {
    let (endpoint_id, invoice_id, request) = sale_request(&state, path, body)?;
    let flow = Flow::Verification;
    let (answer, latest_change) =
        transaction_status(&state, flow, &endpoint_id, &invoice_id, &request)
            .map_err(|error| Failure::of(&invoice_id, error))?;
    state.store().journal().durable(latest_change).await;
    Ok(Json(answer.into()))
}
