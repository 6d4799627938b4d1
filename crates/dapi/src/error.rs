//! The documented error body `{"error":{"cause","code","message"},"invoiceId"}` and each message's cause enum (spec 5.1).

use crate::ids::InvoiceId;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// The error body every DAPI endpoint answers with, generic over the message's cause enum,
/// so a cause that the message does not allow does not compile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    rename = "ErrorBody{C}",
    description = "The documented fail response (spec 3.2, 5.1), with its HTTP status: 400, 403, 404, 409 or 413 \
                   for a refused request, 500 or 503 for a failure."
)]
pub struct ErrorBody<C> {
    /// Cause, code and text.
    pub error: ErrorDetail<C>,
    /// The sale, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<InvoiceId>,
}

/// The `error` object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "ErrorDetail{C}")]
pub struct ErrorDetail<C> {
    /// One value of the message's cause enum.
    pub cause: C,
    /// A stable machine code such as `DAPI-400-SIGNATURE` (spec A6: numbers are accepted on input).
    #[serde(deserialize_with = "string_or_number")]
    #[schemars(with = "String")]
    pub code: String,
    /// Human-readable text; never carries a secret or a full card number.
    pub message: String,
}

impl<C> ErrorBody<C> {
    /// Builds a body.
    pub fn new(
        cause: C,
        code: impl Into<String>,
        message: impl Into<String>,
        invoice_id: Option<InvoiceId>,
    ) -> Self {
        Self {
            error: ErrorDetail {
                cause,
                code: code.into(),
                message: message.into(),
            },
            invoice_id,
        }
    }
}

fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged, expecting = "a string or an integer")]
    enum Code {
        Text(String),
        Number(i64),
    }
    Ok(match Code::deserialize(deserializer)? {
        Code::Text(text) => text,
        Code::Number(number) => number.to_string(),
    })
}

/// Causes of the Connecting Party's answers: initiate sale, check sale, card mapping notification (spec 5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartyCause {
    /// Refused by the Connecting Party's own rules; the gateway reports the sale as `filtered`.
    Filtered,
    /// The request breaks the schema or fails authentication.
    InvalidRequest,
    /// The server failed internally.
    ServerFailed,
    /// The server cannot serve now.
    ServerUnavailable,
}

/// Causes of the gateway's perform sale answer (spec 3.3, 5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PerformSaleCause {
    /// The request breaks the schema, the signature or the one-perform-per-invoice rule.
    InvalidRequest,
    /// Unknown endpoint, or a currency the endpoint does not take.
    InvalidConfiguration,
    /// The gateway failed internally.
    InternalError,
    /// The sale could not be processed.
    ProcessingFailed,
}

/// Causes of the gateway's sale status answer (spec 3.5 decision, A7) and of its sandbox pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StatusCause {
    /// The request breaks the schema, or the token does not belong to the sale.
    InvalidRequest,
    /// Unknown endpoint.
    InvalidConfiguration,
    /// No sale with this invoice id or token.
    OrderNotFound,
    /// The gateway failed internally.
    InternalError,
}

/// A message's cause enum (spec 5.1). Every one of them has `INVALID_REQUEST`, the cause of a request that breaks
/// the schema, so a refusal of bad input needs nothing else to know.
pub trait Cause: Serialize + Copy {
    /// `INVALID_REQUEST`.
    const INVALID_REQUEST: Self;
}

impl Cause for PartyCause {
    const INVALID_REQUEST: Self = Self::InvalidRequest;
}

impl Cause for PerformSaleCause {
    const INVALID_REQUEST: Self = Self::InvalidRequest;
}

impl Cause for StatusCause {
    const INVALID_REQUEST: Self = Self::InvalidRequest;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_the_documented_shape() {
        let body = ErrorBody::new(
            PerformSaleCause::InvalidConfiguration,
            "DAPI-400-ENDPOINT",
            "unknown endpoint 9",
            Some("INV-1".into()),
        );
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error":{"cause":"INVALID_CONFIGURATION","code":"DAPI-400-ENDPOINT","message":"unknown endpoint 9"},"invoiceId":"INV-1"})
        );
    }

    #[test]
    fn numeric_error_codes_are_accepted_on_input() {
        let body: ErrorBody<PartyCause> =
            serde_json::from_str(r#"{"error":{"cause":"FILTERED","code":42,"message":"no"}}"#)
                .unwrap();
        assert_eq!(body.error.code, "42");
        assert_eq!(body.invoice_id, None);
    }

    #[test]
    fn a_cause_outside_the_message_enum_is_rejected() {
        let result = serde_json::from_str::<ErrorBody<PerformSaleCause>>(
            r#"{"error":{"cause":"FILTERED","code":"x","message":"no"}}"#,
        );
        assert!(result.is_err());
    }
}
