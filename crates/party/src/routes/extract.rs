//! Extraction helpers whose failures are the documented JSON error body, never axum's plain text.

use crate::error::LookupError;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::Uri;
use axum::http::request::Parts;
use dapi::{InvoiceId, Rule, Violations};
use serde::de::DeserializeOwned;
use server_kit::Failure;

/// The `{invoiceId}` path segment.
pub(super) struct InvoicePath(pub(super) InvoiceId);

impl<S: Send + Sync> FromRequestParts<S> for InvoicePath {
    type Rejection = Failure<LookupError>;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<InvoiceId>::from_request_parts(parts, state)
            .await
            .map(|Path(invoice_id)| Self(invoice_id))
            .map_err(|rejection| Failure::from(LookupError::Path(rejection.body_text())))
    }
}

/// Parses the query string into `T`; a missing or mistyped parameter is a violation at its name.
pub(super) fn parse_query<T: DeserializeOwned>(uri: &Uri) -> Result<T, Violations> {
    Query::<T>::try_from_uri(uri)
        .map(|Query(value)| value)
        .map_err(|rejection| query_violation(&rejection.body_text()))
}

/// axum reports "Failed to deserialize query string: {path}: {detail}" or "...: missing field `x`".
fn query_violation(text: &str) -> Violations {
    let detail = text
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(text);
    if let Some(field) = detail
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return Violations::one(field, Rule::Missing);
    }
    match detail.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => {
            Violations::one(path, Rule::Type(rest.to_owned()))
        }
        _ => Violations::one("", Rule::Type(detail.to_owned())),
    }
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
    }
}
