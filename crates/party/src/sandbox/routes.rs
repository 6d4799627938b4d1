//! The sandbox's own routes: `GET /sim/sales/{invoiceId}`, what the server saw of a sale
//! ([`sandbox_api::PartySaleRecord`]), and `POST /sim/sales/{invoiceId}/misbehave`, how it misbehaves for that
//! sale only ([`sandbox_api::PartyMisbehaviour`]); with a sandbox token the latter needs
//! `Authorization: Bearer TOKEN` (401 with the documented body otherwise, nothing changed). Their twins for
//! verifications are under `/sim/verifications/` (addendum §5), the same record and settings; each knows only
//! the invoices of its flow.

use super::controls::MisbehaveRequest;
use crate::error::LookupError;
use crate::routes::extract::{InvoicePath, about, about_body};
use crate::store::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use dapi::{Flow, PartyCause};
use sandbox_api::paths::records_of;
use sandbox_api::{PartyMisbehaviour, PartySaleRecord};
use server_kit::control::{self, ControlPlane};
use server_kit::{BodyError, Failure, JsonBody};

/// The record is open to whoever knows the invoice id; the `misbehave` write needs the plane's token, if any.
pub(super) fn router(plane: &ControlPlane) -> Router<AppState> {
    let mut open = Router::new();
    let mut guarded =
        Router::new().route(sandbox_api::paths::JOURNAL_PATH, get(super::journal::query));
    for flow in [Flow::Sale, Flow::Verification] {
        let records = records_of(flow);
        open = open.route(
            &format!("{records}/{{invoice_id}}"),
            get(move |state, path| record(state, path, flow)),
        );
        guarded = guarded.route(
            &format!("{records}/{{invoice_id}}/misbehave"),
            post(move |state, path, body| misbehave(state, path, body, flow)),
        );
    }
    open.merge(control::guard(guarded, plane, PartyCause::InvalidRequest))
}

async fn record(
    State(state): State<AppState>,
    InvoicePath(invoice_id): InvoicePath,
    flow: Flow,
) -> Result<Json<PartySaleRecord>, Failure<LookupError>> {
    let record = state.record_of(flow, &invoice_id);
    about(&invoice_id, record.ok_or(LookupError::UnknownInvoice))
}

/// Answers with the settings now stored for the sale; a sale not initiated yet is unknown (404).
async fn misbehave(
    State(state): State<AppState>,
    InvoicePath(invoice_id): InvoicePath,
    body: Result<JsonBody<MisbehaveRequest>, BodyError>,
    flow: Flow,
) -> Result<Json<PartyMisbehaviour>, Failure<LookupError>> {
    about_body(&invoice_id, body, |MisbehaveRequest(settings)| {
        state.set_misbehaviour(flow, &invoice_id, settings)
    })
}
