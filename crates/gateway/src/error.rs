//! One error enum per protocol boundary (STYLE section 5), each mapped to its HTTP status, cause and stable code;
//! the sandbox's own routes have theirs in `sandbox::routes`.

use axum::http::StatusCode;
use dapi::{EndpointId, Flow, PerformSaleCause, SaleState, SignatureError, StatusCause};
use server_kit::{BodyError, InvalidInput, WireError};

/// An error enum of a route whose path names an endpoint: the path's endpoint is checked before the body, so an
/// unknown endpoint is `INVALID_CONFIGURATION` whatever the body says.
pub(crate) trait EndpointError: InvalidInput + WireError {
    /// "No such endpoint".
    fn unknown_endpoint(endpoint_id: EndpointId) -> Self;
}

impl EndpointError for PerformError {
    fn unknown_endpoint(endpoint_id: EndpointId) -> Self {
        Self::UnknownEndpoint(endpoint_id)
    }
}

impl EndpointError for StatusError {
    fn unknown_endpoint(endpoint_id: EndpointId) -> Self {
        Self::UnknownEndpoint(endpoint_id)
    }
}

/// Why perform sale (spec 3.3 decision 1–4) or perform validation (addendum §2.3 decision: the same causes and
/// checks) was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PerformError {
    /// Bad input: the path, the query or the body (400), or a body over the limit (413).
    #[error(transparent)]
    Body(#[from] BodyError),
    /// No such endpoint.
    #[error("unknown endpoint {0}")]
    UnknownEndpoint(EndpointId),
    /// The path's `invoiceId` cannot be forwarded to the Connecting Party as it is ([`dapi::InvoiceId::is_forwardable`]).
    #[error("invoiceId must be 1-128 characters of [A-Za-z0-9._-], and not . or ..")]
    UnforwardableInvoiceId,
    /// The endpoint does not take the currency.
    #[error("currency {currency} not allowed on endpoint {endpoint_id}")]
    Currency {
        /// The currency.
        currency: String,
        /// The endpoint.
        endpoint_id: EndpointId,
    },
    /// `session.signature` does not verify.
    #[error("signature mismatch")]
    Signature(#[from] SignatureError),
    /// A sale exists for this invoice.
    #[error("invoice already processed")]
    AlreadyProcessed,
    /// `max_sales` sales are kept and none can be forgotten yet (`store`).
    #[error("the gateway is at capacity; try again later")]
    Full,
}

impl WireError for PerformError {
    type Cause = PerformSaleCause;

    fn wire(&self) -> (StatusCode, PerformSaleCause, &'static str) {
        let bad = StatusCode::BAD_REQUEST;
        match self {
            Self::Body(error) => error.wire(),
            Self::UnknownEndpoint(_) => (
                bad,
                PerformSaleCause::InvalidConfiguration,
                "DAPI-400-ENDPOINT",
            ),
            Self::Currency { .. } => (
                bad,
                PerformSaleCause::InvalidConfiguration,
                "DAPI-400-CURRENCY",
            ),
            Self::UnforwardableInvoiceId => {
                (bad, PerformSaleCause::InvalidRequest, "DAPI-400-INVOICE")
            }
            Self::Signature(_) => (bad, PerformSaleCause::InvalidRequest, "DAPI-400-SIGNATURE"),
            Self::AlreadyProcessed => (bad, PerformSaleCause::InvalidRequest, "DAPI-400-DUPLICATE"),
            Self::Full => (
                StatusCode::SERVICE_UNAVAILABLE,
                PerformSaleCause::InternalError,
                "DAPI-503-CAPACITY",
            ),
        }
    }
}

/// Why a sale status (spec 3.5 decision, A7) or verification status poll (addendum §2.5) was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StatusError {
    /// Bad input: the path, the query or the body (400), or a body over the limit (413).
    #[error(transparent)]
    Body(#[from] BodyError),
    /// No such endpoint.
    #[error("unknown endpoint {0}")]
    UnknownEndpoint(EndpointId),
    /// No sale for this invoice on this endpoint.
    #[error("order not found")]
    UnknownInvoice,
    /// `session.token` is not this invoice's.
    #[error("session.token does not belong to this invoice")]
    ForeignToken,
    /// `session.accessToken` is not the sale's.
    #[error("session.accessToken does not match the sale")]
    AccessToken,
    /// The invoice and its token are a transaction of this other flow (addendum V16).
    #[error("the invoice is a {0}: ask on its own flow's path")]
    OtherFlow(Flow),
}

impl WireError for StatusError {
    type Cause = StatusCause;

    fn wire(&self) -> (StatusCode, StatusCause, &'static str) {
        let bad = StatusCode::BAD_REQUEST;
        match self {
            Self::Body(error) => error.wire(),
            Self::UnknownEndpoint(_) => {
                (bad, StatusCause::InvalidConfiguration, "DAPI-400-ENDPOINT")
            }
            Self::UnknownInvoice => (bad, StatusCause::OrderNotFound, "DAPI-400-ORDER"),
            Self::ForeignToken => (bad, StatusCause::InvalidRequest, "DAPI-400-TOKEN"),
            Self::AccessToken => (bad, StatusCause::InvalidRequest, "DAPI-400-ACCESS-TOKEN"),
            Self::OtherFlow(_) => (bad, StatusCause::InvalidRequest, "DAPI-400-FLOW"),
        }
    }
}

/// Why a simulated 3-D Secure page request was refused (spec 3.6 decision).
#[derive(Debug, thiserror::Error)]
pub(crate) enum ThreeDsError {
    /// No sale has this token.
    #[error("no sale with this token")]
    UnknownToken,
    /// The form is not `password` + `action=submit|cancel`, form-urlencoded.
    #[error("invalid 3-D Secure form: {0}")]
    BadForm(String),
    /// The sale is not waiting for 3-D Secure (any more).
    #[error("the sale is {0}, not waiting for 3-D Secure")]
    NotAwaiting(SaleState),
    /// The page could not be rendered from its template (not expected: the templates are checked at build time).
    #[error("the page could not be rendered")]
    Page(askama::Error),
}

impl WireError for ThreeDsError {
    type Cause = StatusCause;

    fn wire(&self) -> (StatusCode, StatusCause, &'static str) {
        match self {
            Self::UnknownToken => (
                StatusCode::NOT_FOUND,
                StatusCause::OrderNotFound,
                "DAPI-404-ORDER",
            ),
            Self::BadForm(_) => (
                StatusCode::BAD_REQUEST,
                StatusCause::InvalidRequest,
                "DAPI-400-FORM",
            ),
            Self::NotAwaiting(_) => (
                StatusCode::CONFLICT,
                StatusCause::InvalidRequest,
                "DAPI-409-STATE",
            ),
            Self::Page(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                StatusCause::InternalError,
                "DAPI-500-PAGE",
            ),
        }
    }
}
