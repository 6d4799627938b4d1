//! `POST {prefix}/sale/{endpointId}/{invoiceId}` (perform sale, spec 3.3) and `…/status` (sale status, spec 3.5).

use crate::error::{EndpointError, PerformError, StatusError};
use crate::sale::{perform::perform as perform_sale, status::status as sale_status};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use dapi::messages::perform::{PerformSaleRequest, PerformSaleResponse};
use dapi::messages::status::{SaleStatusRequest, SaleStatusResponse};
use dapi::{EndpointId, Flow, InvoiceId, Rule, Violations};
use server_kit::{BodyError, Failure, JsonBody};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/sale/{endpoint_id}/{invoice_id}", post(perform))
        .route("/sale/{endpoint_id}/{invoice_id}/status", post(status))
}

/// A path naming a sale by endpoint and invoice, or why it does not decode.
pub(crate) type SalePath = Result<Path<(EndpointId, InvoiceId)>, PathRejection>;

/// The path's ids, its endpoint known. A path that cannot be decoded (bad percent-encoding) is an invalid
/// request; the endpoint is checked before the body, so an unknown one is `INVALID_CONFIGURATION` whatever the
/// body says.
pub(crate) fn known_sale<E: EndpointError>(
    state: &AppState,
    path: SalePath,
) -> Result<(EndpointId, InvoiceId), Failure<E>> {
    let (endpoint_id, invoice_id) = path.map(|Path(ids)| ids).map_err(|rejection| {
        E::invalid(Violations::one("path", Rule::Type(rejection.body_text())))
    })?;
    if state.config().endpoint(&endpoint_id).is_none() {
        return Err(Failure::of(&invoice_id, E::unknown_endpoint(endpoint_id)));
    }
    Ok((endpoint_id, invoice_id))
}

/// A request about a sale: the path's ids with its endpoint known ([`known_sale`]), then its body.
pub(crate) fn sale_request<T, E: EndpointError>(
    state: &AppState,
    path: SalePath,
    body: Result<JsonBody<T>, BodyError>,
) -> Result<(EndpointId, InvoiceId, T), Failure<E>> {
    let (endpoint_id, invoice_id) = known_sale(state, path)?;
    match body {
        Ok(JsonBody(request)) => Ok((endpoint_id, invoice_id, request)),
        Err(error) => Err(Failure::of(&invoice_id, error.into())),
    }
}

async fn perform(
    State(state): State<AppState>,
    path: SalePath,
    body: Result<JsonBody<PerformSaleRequest>, BodyError>,
) -> Result<Json<PerformSaleResponse>, Failure<PerformError>> {
    let (endpoint_id, invoice_id, request) = sale_request(&state, path, body)?;
    let performed = perform_sale(&state, endpoint_id, invoice_id.clone(), request)
        .map_err(|error| Failure::of(&invoice_id, error))?;
    // The sale is on disk (with a data directory) before its token is handed out.
    state.store().journal().flushed().await;
    Ok(Json(performed))
}

async fn status(
    State(state): State<AppState>,
    path: SalePath,
    body: Result<JsonBody<SaleStatusRequest>, BodyError>,
) -> Result<Json<SaleStatusResponse>, Failure<StatusError>> {
    let (endpoint_id, invoice_id, request) = sale_request(&state, path, body)?;
    let (answer, latest_change) =
        sale_status(&state, Flow::Sale, &endpoint_id, &invoice_id, &request)
            .map_err(|error| Failure::of(&invoice_id, error))?;
    state.store().journal().durable(latest_change).await;
    Ok(Json(answer))
}
