//! The sandbox's delivery log (see `dapi::sim` and `delivery`): `GET /sim/deliveries` (optional `invoiceId=` and
//! `state=pending|delivered|dead-lettered`) and `POST /sim/deliveries/{id}/replay` (202 with the record; 404 for an
//! unknown id, 409 while the delivery is still pending). A bad query gets the documented error body.

use crate::delivery::DeliveryFilter;
use crate::error::SimError;
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};
use axum::{Json, Router};
use dapi::{Rule, Violations};
use sandbox_api::DeliveryList;
use sandbox_api::DeliveryRecord;
use sandbox_api::paths::DELIVERIES_PATH;
use server_kit::Failure;
use server_kit::InvalidInput;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(DELIVERIES_PATH, get(list))
        .route(&format!("{DELIVERIES_PATH}/{{id}}/replay"), post(replay))
}

type Fail = Failure<SimError>;

async fn list(State(state): State<AppState>, uri: Uri) -> Result<Json<DeliveryList>, Fail> {
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
