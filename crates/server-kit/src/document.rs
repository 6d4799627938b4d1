//! `GET /openapi.json`: a server's API description, serialised once when the router is built.

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use dapi::ErrorBody;
use serde::Serialize;

/// Where both servers serve their description.
pub const OPENAPI_PATH: &str = "/openapi.json";

/// A router answering `GET /openapi.json` with `document` as JSON. A document that cannot be serialised
/// (never expected: it is plain data) is logged once and answered 500 with the error body, `cause` being the
/// server's `INTERNAL_ERROR` or `SERVER_FAILED`.
pub fn openapi_route<S, C>(document: &impl Serialize, cause: C) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    C: Serialize + Clone + Send + Sync + 'static,
{
    let body = match serde_json::to_vec_pretty(document) {
        Ok(json) => Ok(Bytes::from(json)),
        Err(error) => {
            tracing::error!(%error, "the API description cannot be serialised");
            Err(cause)
        }
    };
    Router::new().route(
        OPENAPI_PATH,
        get(move || {
            let body = body.clone();
            async move { answer(body) }
        }),
    )
}

fn answer<C: Serialize>(body: Result<Bytes, C>) -> Response {
    match body {
        Ok(json) => ([(CONTENT_TYPE, "application/json")], json).into_response(),
        Err(cause) => {
            let body = ErrorBody::new(
                cause,
                "DAPI-500-DOCUMENT",
                "the API description is unavailable",
                None,
            );
            (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
        }
    }
}
