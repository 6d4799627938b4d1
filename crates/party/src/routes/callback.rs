//! `GET /callback` (spec 3.8): the gateway's final-status callback; answered 200 `OK`, duplicates too.

use super::extract::parse_query;
use crate::error::CallbackError;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use dapi::Validate;
use dapi::Violations;
use dapi::messages::callback::Callback;
use server_kit::Failure;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/callback", get(callback))
}

async fn callback(
    State(state): State<AppState>,
    uri: Uri,
) -> Result<&'static str, Failure<CallbackError>> {
    let callback: Callback = parse_query(&uri).map_err(CallbackError::Invalid)?;
    let mut violations = Violations::default();
    callback.validate(&mut violations);
    violations.into_result().map_err(|violations| {
        let error = state.refuse_callback(&callback, violations);
        Failure::of(&callback.client_orderid, error)
    })?;
    state
        .receive_callback(&callback)
        .map_err(|error| Failure::of(&callback.client_orderid, error))?;
    Ok("OK")
}
