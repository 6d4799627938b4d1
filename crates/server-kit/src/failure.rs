//! [`WireError`] says how an error goes on the wire; [`Failure`] renders it as the documented error body
//! `{"error":{"cause","code","message"},"invoiceId"}` with its HTTP status (spec 5.1).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dapi::{ErrorBody, InvoiceId};
use serde::Serialize;
use std::fmt::Display;

/// An error of one boundary (one message), with its HTTP status, cause and stable code.
pub trait WireError: Display {
    /// The cause enum of this message (spec 5.1), so a cause it does not allow does not compile.
    type Cause: Serialize;

    /// HTTP status, cause and a stable machine code such as `DAPI-400-SIGNATURE`.
    fn wire(&self) -> (StatusCode, Self::Cause, &'static str);
}

/// An error answered with the documented body; the invoice id comes from the path when known.
#[derive(Debug)]
pub struct Failure<E>(pub Option<InvoiceId>, pub E);

impl<E: WireError> Failure<E> {
    /// An error about a known sale.
    pub fn of(invoice_id: &InvoiceId, error: E) -> Self {
        Self(Some(invoice_id.clone()), error)
    }
}

impl<E: WireError> From<E> for Failure<E> {
    fn from(error: E) -> Self {
        Self(None, error)
    }
}

impl<E: WireError> IntoResponse for Failure<E> {
    fn into_response(self) -> Response {
        let Self(invoice_id, error) = self;
        let (status, cause, code) = error.wire();
        let message = error.to_string();
        if status.is_server_error() {
            tracing::error!(%status, code, invoice_id = invoice_id.as_ref().map(InvoiceId::as_str), %message, "request failed");
        } else {
            tracing::info!(%status, code, invoice_id = invoice_id.as_ref().map(InvoiceId::as_str), %message, "request refused");
        }
        (
            status,
            Json(ErrorBody::new(cause, code, message, invoice_id)),
        )
            .into_response()
    }
}
