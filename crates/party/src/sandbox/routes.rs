//! The sandbox's own routes: `GET /sim/sales/{invoiceId}`, what the server saw of a sale
//! ([`sandbox_api::PartySaleRecord`]), and `POST /sim/sales/{invoiceId}/misbehave`, how it misbehaves for that
//! sale only ([`sandbox_api::PartyMisbehaviour`]); with a sandbox token the latter needs
//! `Authorization: Bearer TOKEN` (401 with the documented body otherwise, nothing changed).

use super::controls::MisbehaveRequest;
use crate::error::LookupError;
use crate::routes::extract::{InvoicePath, about, about_body};
use crate::store::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use dapi::PartyCause;
use sandbox_api::{PartyMisbehaviour, PartySaleRecord};
use server_kit::control::{self, ControlPlane};
use server_kit::{BodyError, Failure, JsonBody};

/// The record is open to whoever knows the invoice id; the `misbehave` write needs the plane's token, if any.
pub(super) fn router(plane: &ControlPlane) -> Router<AppState> {
    let guarded = Router::new()
        .route("/sim/sales/{invoice_id}/misbehave", post(misbehave))
        .route(sandbox_api::paths::JOURNAL_PATH, get(super::journal::query));
    Router::new()
        .route("/sim/sales/{invoice_id}", get(record))
        .merge(control::guard(guarded, plane, PartyCause::InvalidRequest))
}

async fn record(
    State(state): State<AppState>,
    InvoicePath(invoice_id): InvoicePath,
) -> Result<Json<PartySaleRecord>, Failure<LookupError>> {
    let record = state.record(&invoice_id);
    about(&invoice_id, record.ok_or(LookupError::UnknownInvoice))
}

/// Answers with the settings now stored for the sale; a sale not initiated yet is unknown (404).
async fn misbehave(
    State(state): State<AppState>,
    InvoicePath(invoice_id): InvoicePath,
    body: Result<JsonBody<MisbehaveRequest>, BodyError>,
) -> Result<Json<PartyMisbehaviour>, Failure<LookupError>> {
    about_body(&invoice_id, body, |MisbehaveRequest(settings)| {
        state.set_misbehaviour(&invoice_id, settings)
    })
}
