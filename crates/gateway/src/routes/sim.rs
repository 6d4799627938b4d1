//! The sandbox's per-sale routes (see `dapi::sim`): `GET /sim/sales/{endpointId}/{invoiceId}` (what the gateway
//! recorded: state and contract violations) and `POST /sim/sales/{endpointId}/{invoiceId}/misbehave` (misbehaviour
//! on purpose for that sale, accepted before or after its perform).

use super::sale::{SalePath, ids};
use crate::error::SimError;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use dapi::{EndpointId, InvoiceId, Validate, Violations};
use sandbox_api::GatewayMisbehaviour;
use sandbox_api::GatewaySaleRecord;
use serde::Deserialize;
use server_kit::InvalidInput;
use server_kit::{BodyError, Failure, JsonBody};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/sim/sales/{endpoint_id}/{invoice_id}", get(record))
        .route(
            "/sim/sales/{endpoint_id}/{invoice_id}/misbehave",
            post(misbehave),
        )
}

type Fail = Failure<SimError>;

/// The misbehaviour body: the shared type, whose only rules are its serde ones (`deny_unknown_fields`, enum
/// values; `dapi::decode` refuses a top-level array).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct MisbehaveBody(GatewayMisbehaviour);

impl Validate for MisbehaveBody {
    fn validate(&self, _: &mut Violations) {}
}

/// The path's ids, the endpoint known.
fn known_ids(state: &AppState, path: SalePath) -> Result<(EndpointId, InvoiceId), Fail> {
    let (endpoint_id, invoice_id) = ids(path).map_err(SimError::invalid)?;
    if state.config().endpoint(&endpoint_id).is_none() {
        return Err(Failure::of(
            &invoice_id,
            SimError::UnknownEndpoint(endpoint_id),
        ));
    }
    Ok((endpoint_id, invoice_id))
}

async fn record(
    State(state): State<AppState>,
    path: SalePath,
) -> Result<Json<GatewaySaleRecord>, Fail> {
    let (endpoint_id, invoice_id) = known_ids(&state, path)?;
    state
        .sale_record(&endpoint_id, &invoice_id)
        .map(Json)
        .ok_or_else(|| Failure::of(&invoice_id, SimError::UnknownSale))
}

async fn misbehave(
    State(state): State<AppState>,
    path: SalePath,
    body: Result<JsonBody<MisbehaveBody>, BodyError>,
) -> Result<Json<GatewayMisbehaviour>, Fail> {
    let (endpoint_id, invoice_id) = known_ids(&state, path)?;
    let JsonBody(MisbehaveBody(misbehaviour)) =
        body.map_err(|error| Failure::of(&invoice_id, error.into()))?;
    state.misbehave(&endpoint_id, &invoice_id, misbehaviour.clone());
    Ok(Json(misbehaviour))
}
