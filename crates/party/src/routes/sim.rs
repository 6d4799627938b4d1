//! `GET /sim/sales/{invoiceId}` (sandbox only): what the server saw of a sale, as [`dapi::sim::PartySaleRecord`].

use super::extract::InvoicePath;
use crate::error::LookupError;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use dapi::sim::PartySaleRecord;
use server_kit::Failure;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/sim/sales/{invoice_id}", get(record))
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
