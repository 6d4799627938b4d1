//! The sandbox's control routes (see `sandbox_api`):
//! - `GET /sim/sales/{endpointId}/{invoiceId}`: what the gateway recorded about a sale (state and contract
//!   violations);
//! - `POST /sim/sales/{endpointId}/{invoiceId}/misbehave`: misbehaviour on purpose and faults for that sale,
//!   accepted before or after its perform;
//! - `GET /sim/verifications/{endpointId}/{invoiceId}` and `POST …/misbehave`: their twins for card
//!   verifications (addendum §5); a record is found only under its own flow's path, settings are kept by
//!   endpoint and invoice (one namespace, V16);
//! - `GET /sim/deliveries` (optional `invoiceId=` and `state=pending|delivered|dead-lettered`) and `POST
//!   /sim/deliveries/{id}/replay` (202 with the record; 404 for an unknown id, 409 while the delivery is still
//!   pending): the delivery log.
//!
//! Bad input gets the documented error body.

use crate::delivery::{DeliveryFilter, ReplayError};
use crate::error::EndpointError;
use crate::routes::sale::{SalePath, known_sale, sale_request};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};
use axum::{Json, Router};
use dapi::Flow;
use dapi::{EndpointId, Rule, StatusCause, Validate, Violations};
use sandbox_api::paths::{DELIVERIES_PATH, records_of};
use sandbox_api::{DeliveryList, DeliveryRecord, GatewayMisbehaviour, GatewaySaleRecord};
use serde::Deserialize;
use server_kit::{BodyError, Failure, InvalidInput, JsonBody, WireError};

pub(super) fn router() -> Router<AppState> {
    let mut router = Router::new();
    for flow in [Flow::Sale, Flow::Verification] {
        let records = records_of(flow);
        router = router
            .route(
                &format!("{records}/{{endpoint_id}}/{{invoice_id}}"),
                get(move |state, path| record(state, path, flow)),
            )
            .route(
                &format!("{records}/{{endpoint_id}}/{{invoice_id}}/misbehave"),
                post(misbehave),
            );
    }
    router
        .route(DELIVERIES_PATH, get(deliveries))
        .route(&format!("{DELIVERIES_PATH}/{{id}}/replay"), post(replay))
}

type Fail = Failure<SimError>;

/// Why a sandbox `/sim/sales/…` or `/sim/deliveries…` request was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SimError {
    /// Bad input: the path, the query or the body (400), or a body over the limit (413).
    #[error(transparent)]
    Body(#[from] BodyError),
    /// No such endpoint.
    #[error("unknown endpoint {0}")]
    UnknownEndpoint(EndpointId),
    /// No sale for this invoice on this endpoint.
    #[error("order not found")]
    UnknownSale,
    /// No delivery with this id, or one that cannot be replayed yet.
    #[error("{0}")]
    Replay(#[from] ReplayError),
}

impl EndpointError for SimError {
    fn unknown_endpoint(endpoint_id: EndpointId) -> Self {
        Self::UnknownEndpoint(endpoint_id)
    }
}

impl WireError for SimError {
    type Cause = StatusCause;

    fn wire(&self) -> (StatusCode, StatusCause, &'static str) {
        match self {
            Self::Body(error) => error.wire(),
            Self::UnknownEndpoint(_) => (
                StatusCode::BAD_REQUEST,
                StatusCause::InvalidConfiguration,
                "DAPI-400-ENDPOINT",
            ),
            Self::UnknownSale => (
                StatusCode::NOT_FOUND,
                StatusCause::OrderNotFound,
                "DAPI-404-ORDER",
            ),
            Self::Replay(ReplayError::Unknown(_)) => (
                StatusCode::NOT_FOUND,
                StatusCause::OrderNotFound,
                "DAPI-404-DELIVERY",
            ),
            Self::Replay(ReplayError::Pending(_)) => (
                StatusCode::CONFLICT,
                StatusCause::InvalidRequest,
                "DAPI-409-PENDING",
            ),
        }
    }
}

/// The misbehaviour body: the shared type, whose only rules are its serde ones (`deny_unknown_fields`, enum
/// values; `dapi::decode` refuses a top-level array).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct MisbehaveBody(GatewayMisbehaviour);

impl Validate for MisbehaveBody {
    fn validate(&self, _: &mut Violations) {}
}

async fn record(
    State(state): State<AppState>,
    path: SalePath,
    flow: Flow,
) -> Result<Json<GatewaySaleRecord>, Fail> {
    let (endpoint_id, invoice_id) = known_sale(&state, path)?;
    state
        .record_of(flow, &endpoint_id, &invoice_id)
        .map(Json)
        .ok_or_else(|| Failure::of(&invoice_id, SimError::UnknownSale))
}

async fn misbehave(
    State(state): State<AppState>,
    path: SalePath,
    body: Result<JsonBody<MisbehaveBody>, BodyError>,
) -> Result<Json<GatewayMisbehaviour>, Fail> {
    let (endpoint_id, invoice_id, MisbehaveBody(misbehaviour)) = sale_request(&state, path, body)?;
    let controls = state.sandbox();
    controls.misbehave(&endpoint_id, &invoice_id, misbehaviour.clone());
    Ok(Json(misbehaviour))
}

async fn deliveries(State(state): State<AppState>, uri: Uri) -> Result<Json<DeliveryList>, Fail> {
    let filter: DeliveryFilter = server_kit::parse_query(uri.query()).map_err(SimError::invalid)?;
    let deliveries = state.deliveries(&filter);
    Ok(Json(DeliveryList { deliveries }))
}

async fn replay(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<(StatusCode, Json<DeliveryRecord>), Fail> {
    let Path(id) = id.map_err(|rejection| {
        SimError::invalid(Violations::one("path", Rule::Type(rejection.body_text())))
    })?;
    let record = state.replay(&id).map_err(SimError::from)?;
    Ok((StatusCode::ACCEPTED, Json(record)))
}
