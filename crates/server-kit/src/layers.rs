//! The layers both servers share: body limit, tracing, `/health`, JSON answers for unknown paths and methods
//! ([`with_common_layers`]), and the whole-request timeout answered with the documented error body
//! ([`with_request_timeout`]).

use crate::body::BodyLimit;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use dapi::ErrorBody;
use serde::Serialize;
use std::time::Duration;
use tower_http::trace::TraceLayer;

/// Resource limits of a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted request body; larger ones get 413 with the error body.
    pub body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 64 * 1024,
        }
    }
}

/// Adds `/health`, the body limit, request tracing and JSON error bodies for unknown paths (404) and methods (405).
/// `cause` is the cause those bodies carry: `INVALID_REQUEST` of the server's own cause enum.
pub fn with_common_layers<S, C>(router: Router<S>, limits: Limits, cause: C) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    C: Serialize + Clone + Send + Sync + 'static,
{
    let not_found = cause.clone();
    router
        .route(
            "/health",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .fallback(move || async move {
            let body = ErrorBody::new(not_found, "DAPI-404-PATH", "no such path", None);
            (StatusCode::NOT_FOUND, Json(body)).into_response()
        })
        .method_not_allowed_fallback(move || async move {
            let body = ErrorBody::new(
                cause,
                "DAPI-405-METHOD",
                "method not allowed on this path",
                None,
            );
            (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
        })
        .layer(axum::middleware::map_response(close_after_refused_body))
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(Extension(BodyLimit(limits.body_bytes)))
        .layer(TraceLayer::new_for_http())
}

/// A 413 is sent before the rest of the body was read: say the connection closes, so the client does not send
/// its next request on a connection the server is about to drop.
async fn close_after_refused_body(
    mut response: axum::response::Response,
) -> axum::response::Response {
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    response
}

/// Answers a request that is not complete within `limit` — its body still arriving, or its handler (a latency
/// fault) still holding the answer — with 408 and the documented error body (`cause` is the server's
/// `INVALID_REQUEST`), and closes the connection, whose request may be half read. tower-http's `TimeoutLayer`
/// would answer with an empty body.
pub fn with_request_timeout<S, C>(router: Router<S>, limit: Duration, cause: C) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    C: Serialize + Clone + Send + Sync + 'static,
{
    router.layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let cause = cause.clone();
            async move {
                match tokio::time::timeout(limit, next.run(request)).await {
                    Ok(response) => response,
                    Err(_elapsed) => timed_out(cause, limit),
                }
            }
        },
    ))
}

fn timed_out<C: Serialize>(cause: C, limit: Duration) -> axum::response::Response {
    let message = format!(
        "the request was not complete within {} ms (request timeout)",
        limit.as_millis()
    );
    tracing::info!(timeout_ms = %limit.as_millis(), "request timed out");
    let body = ErrorBody::new(cause, "DAPI-408-TIMEOUT", message, None);
    let mut response = (StatusCode::REQUEST_TIMEOUT, Json(body)).into_response();
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BodyError, JsonBody};
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::post;
    use dapi::PartyCause;
    use dapi::messages::initiate::AccessTokenRequest;
    use tower::ServiceExt;

    async fn echo(body: Result<JsonBody<AccessTokenRequest>, BodyError>) -> impl IntoResponse {
        match body {
            Ok(JsonBody(request)) => (
                StatusCode::OK,
                request.consumer.device.serial_number.to_string(),
            ),
            Err(BodyError::TooLarge(v)) => (StatusCode::PAYLOAD_TOO_LARGE, v.to_string()),
            Err(BodyError::Invalid(v)) => (StatusCode::BAD_REQUEST, v.to_string()),
        }
    }

    fn app() -> Router {
        with_common_layers(
            Router::new().route("/echo", post(echo)),
            Limits { body_bytes: 128 },
            PartyCause::InvalidRequest,
        )
    }

    async fn send(request: Request<Body>) -> (StatusCode, String) {
        let response = app().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    fn post_json(body: impl Into<Body>, content_type: &str) -> Request<Body> {
        Request::post("/echo")
            .header("content-type", content_type)
            .body(body.into())
            .unwrap()
    }

    #[tokio::test]
    async fn json_body_decodes_and_refuses_wrong_content_type_and_size() {
        let ok = send(post_json(
            r#"{"consumer":{"device":{"serialNumber":"SN-1"}}}"#,
            "application/json; charset=utf-8",
        ))
        .await;
        assert_eq!(ok, (StatusCode::OK, "SN-1".to_owned()));
        let wrong_type = send(post_json(
            r#"{"consumer":{"device":{"serialNumber":"SN-1"}}}"#,
            "text/plain",
        ))
        .await;
        assert_eq!(
            wrong_type,
            (
                StatusCode::BAD_REQUEST,
                "body must be sent with Content-Type: application/json".to_owned()
            )
        );
        let huge = format!(
            r#"{{"consumer":{{"device":{{"serialNumber":"{}"}}}}}}"#,
            "x".repeat(500)
        );
        let too_large = send(post_json(huge, "application/json")).await;
        assert_eq!(
            too_large,
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                "body must be at most 128 bytes".to_owned()
            )
        );
    }

    #[tokio::test]
    async fn unknown_paths_and_methods_get_the_error_body() {
        let (status, body) = send(Request::get("/nope").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let body: ErrorBody<PartyCause> = serde_json::from_str(&body).unwrap();
        assert_eq!(body.error.cause, PartyCause::InvalidRequest);
        let (status, body) = send(Request::get("/echo").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(serde_json::from_str::<ErrorBody<PartyCause>>(&body).is_ok());
        let (status, _) = send(Request::get("/health").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_refused_large_body_announces_that_the_connection_closes() {
        let huge = format!(
            r#"{{"consumer":{{"device":{{"serialNumber":"{}"}}}}}}"#,
            "x".repeat(500)
        );
        let response = app()
            .oneshot(post_json(huge, "application/json"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let connection = response
            .headers()
            .get("connection")
            .and_then(|value| value.to_str().ok());
        assert_eq!(connection, Some("close"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_not_answered_in_time_gets_408_with_the_error_body() {
        let slow = Router::new().route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(600)).await;
                "too late"
            }),
        );
        let app = with_request_timeout(slow, Duration::from_secs(2), PartyCause::InvalidRequest);
        let started = tokio::time::Instant::now();
        let response = app
            .oneshot(Request::get("/slow").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(started.elapsed(), Duration::from_secs(2));
        assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(
            response
                .headers()
                .get("connection")
                .and_then(|v| v.to_str().ok()),
            Some("close")
        );
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body: ErrorBody<PartyCause> = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body.error.cause, PartyCause::InvalidRequest);
        assert_eq!(body.error.code, "DAPI-408-TIMEOUT");
        assert!(
            body.error.message.contains("2000 ms"),
            "{}",
            body.error.message
        );
    }
}
