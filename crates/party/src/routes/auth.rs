//! `GET|POST /auth/request-access-token` (spec 3.1 \[DECISION\]).

use super::extract::parse_query;
use crate::error::AuthError;
use crate::store::AppState;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use axum::{Json, Router};
use dapi::messages::initiate::{AccessTokenQuery, AccessTokenRequest, AccessTokenResponse};
use dapi::{Email, Violations, paths};
use server_kit::InvalidInput;
use server_kit::{BodyError, Failure, JsonBody};

pub(super) fn router() -> Router<AppState> {
    Router::new().route(paths::ACCESS_TOKEN, get(by_query).post(by_body))
}

/// `GET ?serialNumber=...&email=...`.
async fn by_query(
    State(state): State<AppState>,
    uri: Uri,
) -> Result<Json<AccessTokenResponse>, Failure<AuthError>> {
    let query: AccessTokenQuery = parse_query(&uri).map_err(AuthError::invalid)?;
    let mut violations = Violations::default();
    violations.length("serialNumber", query.serial_number.as_str(), 1, 50);
    violations.optional_length("email", query.email.as_ref().map(Email::as_str), 3, 128);
    violations.into_result().map_err(AuthError::invalid)?;
    Ok(Json(state.issue_token(query.serial_number, query.email)))
}

/// `POST {"consumer":{"device":{"serialNumber":...},"email":...}}`.
async fn by_body(
    State(state): State<AppState>,
    body: Result<JsonBody<AccessTokenRequest>, BodyError>,
) -> Result<Json<AccessTokenResponse>, Failure<AuthError>> {
    let JsonBody(request) = body.map_err(AuthError::from)?;
    let consumer = request.consumer;
    Ok(Json(state.issue_token(
        consumer.device.serial_number,
        consumer.email,
    )))
}
