//! Extraction helpers whose failures are the documented JSON error body, never axum's plain text.

use crate::error::LookupError;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::Uri;
use axum::http::request::Parts;
use dapi::{InvoiceId, Rule, Validate, Violations};
use serde::de::DeserializeOwned;
use server_kit::{BodyError, Failure, InvalidInput, JsonBody, WireError};
use std::convert::Infallible;

/// The `{invoiceId}` path segment.
pub(crate) struct InvoicePath(pub(crate) InvoiceId);

impl<S: Send + Sync> FromRequestParts<S> for InvoicePath {
    type Rejection = Failure<LookupError>;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<InvoiceId>::from_request_parts(parts, state)
            .await
            .map(|Path(invoice_id)| Self(invoice_id))
            .map_err(|rejection| {
                Failure::from(LookupError::invalid(Violations::one(
                    "path",
                    Rule::Type(rejection.body_text()),
                )))
            })
    }
}

/// The answer of a route about one sale: its body as JSON, or its error with the path's invoice id.
pub(crate) fn about<T, E: WireError>(
    invoice_id: &InvoiceId,
    answer: Result<T, E>,
) -> Result<Json<T>, Failure<E>> {
    answer
        .map(Json)
        .map_err(|error| Failure::of(invoice_id, error))
}

/// [`about`] for a route whose body must decode first: its error as `E`, or `answer` applied to it.
pub(crate) fn about_body<T, R, E: WireError + From<BodyError>>(
    invoice_id: &InvoiceId,
    body: Result<JsonBody<T>, BodyError>,
    answer: impl FnOnce(T) -> Result<R, E>,
) -> Result<Json<R>, Failure<E>> {
    let answer = body
        .map_err(E::from)
        .and_then(|JsonBody(request)| answer(request));
    about(invoice_id, answer)
}

/// A JSON body decoded exactly as [`JsonBody`] decodes it, plus its raw bytes (empty when they could not be
/// read), so a body that does not decode can still be attributed to a sale.
pub(super) struct Buffered<T> {
    pub(super) decoded: Result<T, BodyError>,
    pub(super) raw: Bytes,
}

impl<S: Send + Sync, T: DeserializeOwned + Validate> FromRequest<S> for Buffered<T> {
    type Rejection = Infallible;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        // Read under the same body limit (the parts carry it), then let JsonBody decode a copy.
        match server_kit::read_body(Request::from_parts(parts.clone(), body), state).await {
            Ok(raw) => {
                let copy = Request::from_parts(parts, Body::from(raw.clone()));
                let decoded = JsonBody::from_request(copy, state).await;
                let decoded = decoded.map(|JsonBody(value)| value);
                Ok(Self { decoded, raw })
            }
            Err(unread) => {
                // JsonBody judges the Content-Type before reading: ask it first, on an empty copy.
                let headers_only = Request::from_parts(parts, Body::empty());
                let error = match JsonBody::<T>::from_request(headers_only, state).await {
                    Err(BodyError::Invalid(found))
                        if found.iter().any(|found| found.rule == Rule::ContentType) =>
                    {
                        BodyError::Invalid(found)
                    }
                    _ => unread,
                };
                Ok(Self {
                    decoded: Err(error),
                    raw: Bytes::new(),
                })
            }
        }
    }
}

/// Parses the query string into `T` strictly (invalid UTF-8 refused); a missing or mistyped parameter is a
/// violation at its name.
pub(super) fn parse_query<T: DeserializeOwned>(uri: &Uri) -> Result<T, Violations> {
    server_kit::parse_query(uri.query())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dapi::messages::initiate::AccessTokenQuery;

    fn parse(uri: &'static str) -> Result<AccessTokenQuery, Violations> {
        parse_query(&Uri::from_static(uri))
    }

    #[test]
    fn query_parameters_are_parsed_and_missing_ones_named() {
        let query = parse("/a?serialNumber=SN-1&email=a%40b.c").unwrap();
        assert_eq!(query.serial_number.as_str(), "SN-1");
        assert_eq!(query.email.unwrap().as_str(), "a@b.c");
        let missing = parse("/a?email=a%40b.c").unwrap_err();
        assert_eq!(missing.to_string(), "serialNumber is required");
        assert!(parse("/a").is_err());
        assert!(
            parse("/a?serialNumber=%FF%FE")
                .unwrap_err()
                .to_string()
                .contains("invalid UTF-8")
        );
    }
}
