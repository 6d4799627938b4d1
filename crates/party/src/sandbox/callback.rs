//! The final-status callback refused on purpose: `callbackFailFirst` and the server-wide
//! `callback_failure_rate` refuse an attempt with 503 before the protocol sees it (a server that is down checks
//! nothing, records nothing), and `"callback": "http-500"` answers every other attempt with a bare 500, also
//! before the protocol sees it, so it is never accepted: the gateway retries it, then dead-letters it. Every
//! answer about the sale is then held back by its `latencyMs`.
//!
//! A refused attempt is no delivery: the record's `deliveries` counts accepted ones only. Refused attempts are
//! logged and counted server-wide in [`crate::FaultStats::callbacks_refused`].

use super::controls::latency_of;
use super::edge::{bare_500, hold_back};
use super::refusal::Refusal;
use crate::store::AppState;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dapi::messages::callback::Callback;
use sandbox_api::CallbackAnswerMisbehaviour;
use server_kit::Failure;

/// Refuses the attempt when a fault says so, or lets the protocol answer; then holds the answer back.
pub(super) async fn around(state: &AppState, request: Request, next: Next) -> Response {
    if state.controls().idle() {
        return next.run(request).await;
    }
    // Read as the protocol reads it: a callback it cannot read is refused by it, with no fault.
    let Ok(callback) = server_kit::parse_query::<Callback>(request.uri().query()) else {
        return next.run(request).await;
    };
    let invoice_id = callback.client_orderid;
    if !state.knows_sale(&invoice_id) {
        return next.run(request).await;
    }
    let settings = state.controls_of(&invoice_id).unwrap_or_default();
    let answer = match state.controls().callback_fault(&invoice_id) {
        Some((attempt, fault)) => {
            state.controls().faults().count_refused_callback();
            tracing::info!(%invoice_id, attempt, ?fault, "callback refused with 503 (sandbox fault)");
            Failure::of(&invoice_id, Refusal::Unavailable).into_response()
        }
        None if settings.callback == Some(CallbackAnswerMisbehaviour::Http500) => bare_500(),
        None => next.run(request).await,
    };
    hold_back(latency_of(&settings)).await;
    answer
}
