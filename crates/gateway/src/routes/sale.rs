//! `POST {prefix}/sale/{endpointId}/{invoiceId}` (perform sale, spec 3.3) and `…/status` (sale status, spec 3.5).
//! Both answers are held back by the sale's latency fault (`GatewayMisbehaviour::latency_ms`), with no guard held.

use crate::error::{PerformError, StatusError};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use dapi::messages::perform::{PerformSaleRequest, PerformSaleResponse};
use dapi::messages::status::{SaleStatusRequest, SaleStatusResponse};
use dapi::{EndpointId, InvoiceId, Rule, Violations};
use server_kit::InvalidInput;
use server_kit::{BodyError, Failure, JsonBody};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/sale/{endpoint_id}/{invoice_id}", post(perform))
        .route("/sale/{endpoint_id}/{invoice_id}/status", post(status))
}

pub(super) type SalePath = Result<Path<(EndpointId, InvoiceId)>, PathRejection>;

/// The path's ids; a path that cannot be decoded (bad percent-encoding) is an invalid request.
pub(super) fn ids(path: SalePath) -> Result<(EndpointId, InvoiceId), Violations> {
    path.map(|Path(ids)| ids)
        .map_err(|rejection| Violations::one("path", Rule::Type(rejection.body_text())))
}

async fn perform(
    State(state): State<AppState>,
    path: SalePath,
    body: Result<JsonBody<PerformSaleRequest>, BodyError>,
) -> Result<Json<PerformSaleResponse>, Failure<PerformError>> {
    let (endpoint_id, invoice_id) = ids(path).map_err(PerformError::invalid)?;
    let answer = perform_sale(&state, endpoint_id.clone(), &invoice_id, body);
    state.hold_back(&endpoint_id, &invoice_id).await;
    answer
}

fn perform_sale(
    state: &AppState,
    endpoint_id: EndpointId,
    invoice_id: &InvoiceId,
    body: Result<JsonBody<PerformSaleRequest>, BodyError>,
) -> Result<Json<PerformSaleResponse>, Failure<PerformError>> {
    let failure = |error: PerformError| Failure::of(invoice_id, error);
    // The path before the body: an unknown endpoint is INVALID_CONFIGURATION whatever the body says.
    if state.config().endpoint(&endpoint_id).is_none() {
        return Err(failure(PerformError::UnknownEndpoint(endpoint_id)));
    }
    let JsonBody(request) = body.map_err(|error| failure(error.into()))?;
    let response = state
        .perform(endpoint_id, invoice_id.clone(), request)
        .map_err(failure)?;
    Ok(Json(response))
}

async fn status(
    State(state): State<AppState>,
    path: SalePath,
    body: Result<JsonBody<SaleStatusRequest>, BodyError>,
) -> Result<Json<SaleStatusResponse>, Failure<StatusError>> {
    let (endpoint_id, invoice_id) = ids(path).map_err(StatusError::invalid)?;
    let answer = sale_status(&state, &endpoint_id, &invoice_id, body);
    state.hold_back(&endpoint_id, &invoice_id).await;
    answer
}

fn sale_status(
    state: &AppState,
    endpoint_id: &EndpointId,
    invoice_id: &InvoiceId,
    body: Result<JsonBody<SaleStatusRequest>, BodyError>,
) -> Result<Json<SaleStatusResponse>, Failure<StatusError>> {
    let failure = |error: StatusError| Failure::of(invoice_id, error);
    if state.config().endpoint(endpoint_id).is_none() {
        return Err(failure(StatusError::UnknownEndpoint(endpoint_id.clone())));
    }
    let JsonBody(request) = body.map_err(|error| failure(error.into()))?;
    let response = state
        .sale_status(endpoint_id, invoice_id, &request)
        .map_err(failure)?;
    Ok(Json(response))
}
