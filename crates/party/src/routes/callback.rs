//! `GET /callback` (spec 3.8): the gateway's final-status callback; answered 200 `OK`, duplicates too.

use super::extract::parse_query;
use crate::error::CallbackError;
use crate::store::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use dapi::messages::callback::Callback;
use dapi::paths;
use server_kit::{Failure, InvalidInput};

pub(super) fn router() -> Router<AppState> {
    Router::new().route(paths::CALLBACK, get(callback))
}

async fn callback(
    State(state): State<AppState>,
    uri: Uri,
) -> Result<&'static str, Failure<CallbackError>> {
    let callback: Callback = parse_query(&uri).map_err(CallbackError::invalid)?;
    state
        .accept_callback(&callback)
        .map_err(|error| Failure::of(&callback.client_orderid, error))
}
