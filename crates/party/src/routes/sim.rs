//! Sandbox-only routes: `GET /sim/sales/{invoiceId}`, what the server saw of a sale
//! ([`sandbox_api::PartySaleRecord`]), and `POST /sim/sales/{invoiceId}/misbehave`, how it misbehaves for that
//! sale only ([`sandbox_api::PartyMisbehaviour`]).

use super::extract::InvoicePath;
use crate::error::{LookupError, MisbehaveError};
use crate::misbehave::MisbehaveRequest;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use sandbox_api::PartyMisbehaviour;
use sandbox_api::PartySaleRecord;
use server_kit::{BodyError, Failure, JsonBody};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/sim/sales/{invoice_id}", get(record))
        .route("/sim/sales/{invoice_id}/misbehave", post(misbehave))
}

async fn record(
    State(state): State<AppState>,
    InvoicePath(invoice_id): InvoicePath,
) -> Result<Json<PartySaleRecord>, Failure<LookupError>> {
    state
        .record(&invoice_id)
        .map(Json)
        .ok_or_else(|| Failure::of(&invoice_id, LookupError::UnknownInvoice))
}

/// Answers with the settings now stored for the sale.
async fn misbehave(
    State(state): State<AppState>,
    InvoicePath(invoice_id): InvoicePath,
    body: Result<JsonBody<MisbehaveRequest>, BodyError>,
) -> Result<Json<PartyMisbehaviour>, Failure<MisbehaveError>> {
    let answer = match body {
        Ok(JsonBody(MisbehaveRequest(misbehaviour))) => {
            state.set_misbehaviour(&invoice_id, misbehaviour)
        }
        Err(error) => Err(error.into()),
    };
    answer
        .map(Json)
        .map_err(|error| Failure::of(&invoice_id, error))
}
