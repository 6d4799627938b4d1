//! `GET /callback` (spec 3.8): the gateway's final-status callback; answered 200 `OK`, duplicates too, or 503
//! when a sandbox fault refuses the attempt; held back by the sale's `latencyMs`.

use super::extract::parse_query;
use crate::error::CallbackError;
use crate::fault;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use dapi::Validate;
use dapi::Violations;
use dapi::messages::callback::Callback;
use server_kit::Failure;
use server_kit::InvalidInput;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/callback", get(callback))
}

async fn callback(
    State(state): State<AppState>,
    uri: Uri,
) -> Result<&'static str, Failure<CallbackError>> {
    let callback: Callback = parse_query(&uri).map_err(CallbackError::invalid)?;
    let invoice_id = &callback.client_orderid;
    let answer = accept(&state, &callback);
    fault::hold_back(state.latency(invoice_id)).await;
    answer.map_err(|error| Failure::of(invoice_id, error))
}

/// A fault first (a server that is down checks nothing), then the rules of spec 3.8.
fn accept(state: &AppState, callback: &Callback) -> Result<&'static str, CallbackError> {
    state.callback_fault(&callback.client_orderid)?;
    let mut violations = Violations::default();
    callback.validate(&mut violations);
    violations
        .into_result()
        .map_err(|violations| state.refuse_callback(callback, violations))?;
    state.receive_callback(callback)?;
    Ok("OK")
}
