//! One error enum per boundary (route), each mapped to the documented body by [`WireError`]: status per
//! spec 5.1 \[DECISION\] (400 schema, 403 authentication, 404 unknown sandbox resource, 503 a sandbox fault),
//! cause from [`PartyCause`], a stable `error.code`. Messages never carry the control key, a token or a
//! signature.

use axum::http::StatusCode;
use dapi::PartyCause;
use server_kit::{BodyError, WireError};

type Wire = (StatusCode, PartyCause, &'static str);

/// A fault on purpose (sandbox): the documented answer of a server that cannot take the request now.
const UNAVAILABLE: Wire = (
    StatusCode::SERVICE_UNAVAILABLE,
    PartyCause::ServerUnavailable,
    "DAPI-503-UNAVAILABLE",
);

const fn refused(status: StatusCode, code: &'static str) -> Wire {
    (status, PartyCause::InvalidRequest, code)
}

/// Why an access token does not authenticate a request (spec 3.1: token ↔ serial binding).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TokenError {
    /// Never issued, or its TTL ran out.
    #[error("access token unknown or expired")]
    Unknown,
    /// Bound to another device.
    #[error("serial number does not match the access token's device")]
    SerialMismatch,
}

impl TokenError {
    const fn wire(self) -> Wire {
        match self {
            Self::Unknown => refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN"),
            Self::SerialMismatch => refused(StatusCode::FORBIDDEN, "DAPI-403-SERIAL"),
        }
    }
}

/// `GET|POST /auth/request-access-token`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AuthError {
    /// Bad input: the path, the query or the body (400), or a body over the limit (413).
    #[error(transparent)]
    Body(#[from] BodyError),
}

impl WireError for AuthError {
    type Cause = PartyCause;
    fn wire(&self) -> Wire {
        match self {
            Self::Body(error) => error.wire(),
        }
    }
}

/// `POST /sale/initiate-sale` (spec 3.2).
#[derive(Debug, thiserror::Error)]
pub(crate) enum InitiateError {
    /// Bad input: the path, the query or the body (400), or a body over the limit (413).
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error(transparent)]
    Token(#[from] TokenError),
}

impl WireError for InitiateError {
    type Cause = PartyCause;
    fn wire(&self) -> Wire {
        match self {
            Self::Body(error) => error.wire(),
            Self::Token(error) => error.wire(),
        }
    }
}

/// `POST /sale/{invoiceId}/check` (spec 3.4): exactly the reference proxy's checks, refused with 403.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CheckError {
    /// Bad input: the path, the query or the body (400), or a body over the limit (413).
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("unknown invoice")]
    UnknownInvoice,
    #[error("access token does not belong to this sale")]
    ForeignToken,
    #[error("nonce does not match the one issued at initiate sale")]
    NonceMismatch,
    #[error("signature does not match the one issued at initiate sale")]
    SignatureMismatch,
    #[error("sourceOfFunds.reference.clientCardId is not a card reference of this device")]
    UnknownClientCard,
    /// Sandbox misbehaviour `filtered`.
    #[error("sale filtered by the Connecting Party (sandbox misbehaviour)")]
    Filtered,
    /// Sandbox misbehaviour `server-failed`.
    #[error("the Connecting Party failed (sandbox misbehaviour)")]
    ServerFailed,
}

impl WireError for CheckError {
    type Cause = PartyCause;
    fn wire(&self) -> Wire {
        match self {
            Self::Body(error) => error.wire(),
            Self::Token(error) => error.wire(),
            Self::UnknownInvoice => refused(StatusCode::FORBIDDEN, "DAPI-403-INVOICE"),
            Self::ForeignToken => refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN"),
            Self::NonceMismatch => refused(StatusCode::FORBIDDEN, "DAPI-403-NONCE"),
            Self::SignatureMismatch => refused(StatusCode::FORBIDDEN, "DAPI-403-SIGNATURE"),
            Self::UnknownClientCard => refused(StatusCode::BAD_REQUEST, "DAPI-400-CLIENT-CARD"),
            Self::Filtered => (
                StatusCode::BAD_REQUEST,
                PartyCause::Filtered,
                "DAPI-400-FILTERED",
            ),
            Self::ServerFailed => (
                StatusCode::INTERNAL_SERVER_ERROR,
                PartyCause::ServerFailed,
                "DAPI-500-SERVER-FAILED",
            ),
        }
    }
}

/// `POST /sale/notification` (spec 3.7).
#[derive(Debug, thiserror::Error)]
pub(crate) enum NotificationError {
    /// Bad input: the path, the query or the body (400), or a body over the limit (413).
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error("session.token is not the token of a checked sale")]
    UnknownSession,
    #[error("access token does not belong to this sale")]
    ForeignToken,
    /// Sandbox misbehaviour `refuse`.
    #[error("notification refused (sandbox misbehaviour)")]
    Refused,
    /// Sandbox fault `notificationFailFirst`.
    #[error("the Connecting Party is unavailable; try again later (sandbox fault)")]
    Unavailable,
}

impl WireError for NotificationError {
    type Cause = PartyCause;
    fn wire(&self) -> Wire {
        match self {
            Self::Body(error) => error.wire(),
            Self::UnknownSession => refused(StatusCode::BAD_REQUEST, "DAPI-400-SESSION-TOKEN"),
            Self::ForeignToken => refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN"),
            Self::Refused => refused(StatusCode::BAD_REQUEST, "DAPI-400-REFUSED"),
            Self::Unavailable => UNAVAILABLE,
        }
    }
}

/// `GET /callback` (spec 3.8).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallbackError {
    /// A query that breaks the spec.
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error("control does not match")]
    ControlMismatch,
    #[error("unknown client_orderid")]
    UnknownInvoice,
    /// Sandbox faults `callbackFailFirst` and the server-wide `callback_failure_rate`.
    #[error("the Connecting Party is unavailable; try again later (sandbox fault)")]
    Unavailable,
}

impl WireError for CallbackError {
    type Cause = PartyCause;
    fn wire(&self) -> Wire {
        match self {
            Self::Body(error) => error.wire(),
            Self::ControlMismatch => refused(StatusCode::FORBIDDEN, "DAPI-403-CONTROL"),
            Self::UnknownInvoice => refused(StatusCode::BAD_REQUEST, "DAPI-400-INVOICE"),
            Self::Unavailable => UNAVAILABLE,
        }
    }
}

/// `POST /sale/{invoiceId}/client-card-id` (spec A24).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CardIdError {
    /// Bad input: the path, the query or the body (400), or a body over the limit (413).
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error("unknown invoice")]
    UnknownInvoice,
    #[error("access token does not belong to this sale")]
    ForeignToken,
    #[error("no card mapping for this sale yet")]
    NoMapping,
}

impl WireError for CardIdError {
    type Cause = PartyCause;
    fn wire(&self) -> Wire {
        match self {
            Self::Body(error) => error.wire(),
            Self::UnknownInvoice => refused(StatusCode::NOT_FOUND, "DAPI-404-INVOICE"),
            Self::ForeignToken => refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN"),
            Self::NoMapping => refused(StatusCode::NOT_FOUND, "DAPI-404-NO-MAPPING"),
        }
    }
}

/// `POST /sim/sales/{invoiceId}/misbehave` (sandbox only).
#[derive(Debug, thiserror::Error)]
pub(crate) enum MisbehaveError {
    /// Bad input: the path, the query or the body (400), or a body over the limit (413).
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error("unknown invoice")]
    UnknownInvoice,
}

impl WireError for MisbehaveError {
    type Cause = PartyCause;
    fn wire(&self) -> Wire {
        match self {
            Self::Body(error) => error.wire(),
            Self::UnknownInvoice => refused(StatusCode::NOT_FOUND, "DAPI-404-INVOICE"),
        }
    }
}

/// `GET /sim/sales/{invoiceId}`, and a path segment that cannot be decoded.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LookupError {
    /// A path segment that cannot be decoded.
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error("unknown invoice")]
    UnknownInvoice,
}

impl WireError for LookupError {
    type Cause = PartyCause;
    fn wire(&self) -> Wire {
        match self {
            Self::Body(error) => error.wire(),
            Self::UnknownInvoice => refused(StatusCode::NOT_FOUND, "DAPI-404-INVOICE"),
        }
    }
}
