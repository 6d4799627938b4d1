//! The sandbox's control routes (see `sandbox_api`):
//! - `GET /sim/sales/{endpointId}/{invoiceId}`: what the gateway recorded about a sale (state and contract
//!   violations);
//! - `POST /sim/sales/{endpointId}/{invoiceId}/misbehave`: misbehaviour on purpose and faults for that sale,
//!   accepted before or after its perform;
//! - `GET /sim/verifications/{endpointId}/{invoiceId}` and `POST …/misbehave`: their twins for card
//!   verifications (addendum §5); a record is found only under its own flow's path, settings are kept by
//!   endpoint and invoice (one namespace, V16);
//! - `GET /sim/deliveries` (optional `invoiceId=`, `state=pending|delivered|dead-lettered`, and the page:
//!   `cursor=` the previous page's `nextCursor`, `limit=` 1–1,000, default 100) and `POST
//!   /sim/deliveries/{id}/replay` (202 with the record; 404 for an unknown id, 409 while the delivery is still
//!   pending): the delivery log.
//!
//! Bad input gets the documented error body. With a sandbox token, every route but the record answers 401 (the
//! documented body, nothing changed) to a request without `Authorization: Bearer TOKEN`.

use crate::delivery::{DeliveryFilter, ReplayError, parse_id};
use crate::error::EndpointError;
use crate::routes::sale::{SalePath, known_sale, sale_request};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};
use axum::{Json, Router};
use dapi::{EndpointId, Flow, InvoiceId, Rule, StatusCause, Validate, Violations};
use sandbox_api::deliveries::{DEFAULT_PAGE, MAX_PAGE};
use sandbox_api::paths::{DELIVERIES_PATH, JOURNAL_PATH, records_of};
use sandbox_api::{
    DeliveryList, DeliveryRecord, DeliveryState, GatewayMisbehaviour, GatewaySaleRecord,
};
use serde::Deserialize;
use server_kit::control::{self, ControlPlane};
use server_kit::{BodyError, Failure, InvalidInput, JsonBody, WireError};

/// The control routes: a sale's (or verification's) record is open to whoever knows its ids; the writes and the
/// delivery list (every sale's invoice and callback URL) need the plane's token when it has one.
pub(super) fn router(plane: &ControlPlane) -> Router<AppState> {
    let mut open = Router::new();
    let mut guarded = Router::new();
    for flow in [Flow::Sale, Flow::Verification] {
        let records = records_of(flow);
        open = open.route(
            &format!("{records}/{{endpoint_id}}/{{invoice_id}}"),
            get(move |state, path| record(state, path, flow)),
        );
        guarded = guarded.route(
            &format!("{records}/{{endpoint_id}}/{{invoice_id}}/misbehave"),
            post(misbehave),
        );
    }
    let guarded = guarded
        .route(DELIVERIES_PATH, get(deliveries))
        .route(JOURNAL_PATH, get(super::journal::query))
        .route(&format!("{DELIVERIES_PATH}/{{id}}/replay"), post(replay));
    open.merge(control::guard(guarded, plane, StatusCause::InvalidRequest))
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

/// The misbehaviour body: the shared type, with its serde rules (`deny_unknown_fields`, enum values;
/// `dapi::decode` refuses a top-level array) and its ranges (`latencyMs` at most 5 minutes, like the party's).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct MisbehaveBody(GatewayMisbehaviour);

impl Validate for MisbehaveBody {
    fn validate(&self, v: &mut Violations) {
        self.0.validate(v);
    }
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
    let query: DeliveryQuery = server_kit::parse_query(uri.query()).map_err(SimError::invalid)?;
    let (filter, after, limit) = query.page().map_err(SimError::invalid)?;
    Ok(Json(state.delivery_page(&filter, after, limit)))
}

/// `GET /sim/deliveries` query: the filter, and the page — `cursor` (the `nextCursor` of the previous page) and
/// `limit` (1 to [`MAX_PAGE`], default [`DEFAULT_PAGE`]).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeliveryQuery {
    invoice_id: Option<InvoiceId>,
    state: Option<DeliveryState>,
    cursor: Option<String>,
    limit: Option<usize>,
}

impl DeliveryQuery {
    fn page(self) -> Result<(DeliveryFilter, Option<u64>, usize), Violations> {
        let limit = self.limit.unwrap_or(DEFAULT_PAGE);
        let mut violations = Violations::default();
        violations.range("limit", limit, 1, MAX_PAGE);
        let after = self.cursor.as_deref().map(parse_id);
        if after.is_some_and(|number| number.is_none()) {
            violations.push("cursor", Rule::Pattern("a nextCursor of this list (dlv-N)"));
        }
        violations.into_result()?;
        let filter = DeliveryFilter {
            invoice_id: self.invoice_id,
            state: self.state,
        };
        Ok((filter, after.flatten(), limit))
    }
}

async fn replay(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<(StatusCode, Json<DeliveryRecord>), Fail> {
    let Path(id) = id.map_err(|rejection| {
        SimError::invalid(Violations::one("path", Rule::Type(rejection.body_text())))
    })?;
    let record = state.replay(&id).map_err(SimError::from)?;
    state.store().journal().flushed().await;
    Ok((StatusCode::ACCEPTED, Json(record)))
}
