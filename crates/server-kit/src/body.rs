//! [`JsonBody`]: a JSON request body decoded and validated with `dapi`, whose rejection is a [`BodyError`]
//! that handlers turn into their message's documented error body (never axum's plain-text rejection).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use dapi::error::Cause;
use dapi::{Rule, Validate, Violations};
use serde::de::DeserializeOwned;

/// A decoded, validated JSON body.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// The body limit in force, put into request extensions by [`crate::with_common_layers`] for error messages.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

/// Why a request's body (or the path or query beside it) was refused: the shared first variant of every error
/// enum (`#[error(transparent)] Body(#[from] BodyError)`), whose wire form is [`BodyError::wire`].
#[derive(Debug, thiserror::Error)]
#[error("invalid request: {}", self.violations())]
pub enum BodyError {
    /// Wrong content type, malformed JSON, a missing or mistyped field, or a broken rule.
    Invalid(Violations),
    /// Larger than the configured body limit.
    TooLarge(Violations),
}

impl BodyError {
    /// 400 `INVALID_REQUEST` `DAPI-400-INVALID`, or 413 `DAPI-413-TOO-LARGE`, in the message's cause enum.
    pub fn wire<C: Cause>(&self) -> (StatusCode, C, &'static str) {
        match self {
            Self::Invalid(_) => (
                StatusCode::BAD_REQUEST,
                C::INVALID_REQUEST,
                "DAPI-400-INVALID",
            ),
            Self::TooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                C::INVALID_REQUEST,
                "DAPI-413-TOO-LARGE",
            ),
        }
    }

    /// The violations, whatever the kind.
    pub fn violations(&self) -> &Violations {
        match self {
            Self::Invalid(violations) | Self::TooLarge(violations) => violations,
        }
    }
}

/// `E::invalid(violations)` for every error enum with a `Body(#[from] BodyError)` variant: bad input found in a
/// path or a query, refused like a bad body.
pub trait InvalidInput: From<BodyError> {
    /// [`BodyError::Invalid`], as this error.
    fn invalid(violations: Violations) -> Self {
        Self::from(BodyError::Invalid(violations))
    }
}

impl<E: From<BodyError>> InvalidInput for E {}

/// Reads a request body under the body limit in force: too large is [`BodyError::TooLarge`] (413, with the
/// limit), a broken body [`BodyError::Invalid`]. Shared by every extractor, so all refuse alike.
///
/// # Errors
/// As above.
pub async fn read_body<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, BodyError> {
    let limit = request
        .extensions()
        .get::<BodyLimit>()
        .map_or(0, |limit| limit.0);
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                BodyError::TooLarge(Violations::one("", Rule::TooLarge { limit }))
            } else {
                BodyError::Invalid(Violations::one(
                    "",
                    Rule::MalformedJson(rejection.body_text()),
                ))
            }
        })
}

impl<S: Send + Sync, T: DeserializeOwned + Validate> FromRequest<S> for JsonBody<T> {
    type Rejection = BodyError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(&request) {
            return Err(BodyError::Invalid(Violations::one("", Rule::ContentType)));
        }
        let bytes = read_body(request, state).await?;
        dapi::decode(&bytes)
            .map(JsonBody)
            .map_err(BodyError::Invalid)
    }
}

fn is_json(request: &Request) -> bool {
    let Some(content_type) = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.to_ascii_lowercase().ends_with("+json")
}

/// Used only when a handler takes `JsonBody<T>` without `Result`: every message's cause enum has
/// `INVALID_REQUEST`, so the body is still the documented one.
impl axum::response::IntoResponse for BodyError {
    fn into_response(self) -> axum::response::Response {
        let (status, cause, code) = self.wire::<dapi::StatusCause>();
        let body = dapi::ErrorBody::new(cause, code, self.violations().to_string(), None);
        (status, axum::Json(body)).into_response()
    }
}
