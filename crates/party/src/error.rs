//! One error enum per protocol route, each mapped to the documented body by [`WireError`]: status per
//! spec 5.1 \[DECISION\] (400 schema, 403 authentication, 404 unknown resource), cause from [`PartyCause`], a
//! stable `error.code`. Messages never carry the control key, a token or a signature. The sandbox's own
//! refusals are in `crate::sandbox`.
//!
//! Every route enum has the same shape, written once by [`route_errors!`]: the shared bad input first
//! (`Body`, answered by [`BodyError::wire`]), then errors it wraps (answered by their own `wire`), then its own
//! errors, each with its message and wire form.

use axum::http::StatusCode;
use dapi::PartyCause;
use server_kit::{BodyError, WireError};

/// Status, cause and code of an error answer.
pub(crate) type Wire = (StatusCode, PartyCause, &'static str);

/// A refusal with cause `INVALID_REQUEST`.
pub(crate) const fn refused(status: StatusCode, code: &'static str) -> Wire {
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

/// Declares route error enums and their [`WireError`]: `Name + Wrapped(Inner) { Variant("message") => wire, }`.
macro_rules! route_errors {
    ($(
        $(#[$attr:meta])*
        $name:ident $(+ $wrapped:ident($inner:ty))* {
            $($variant:ident($message:literal) => $wire:expr,)*
        }
    )*) => {$(
        $(#[$attr])*
        #[derive(Debug, thiserror::Error)]
        pub(crate) enum $name {
            /// Bad input: the path, the query or the body (400), or a body over the limit (413).
            #[error(transparent)]
            Body(#[from] BodyError),
            $(#[error(transparent)] $wrapped(#[from] $inner),)*
            $(#[error($message)] $variant,)*
        }

        impl WireError for $name {
            type Cause = PartyCause;
            fn wire(&self) -> Wire {
                match self {
                    Self::Body(error) => error.wire(),
                    $(Self::$wrapped(error) => error.wire(),)*
                    $(Self::$variant => $wire,)*
                }
            }
        }
    )*};
}

route_errors! {
    /// `GET|POST /auth/request-access-token`.
    AuthError {}

    /// `POST /sale/initiate-sale` (spec 3.2) and `POST /verification/initiate-verification` (addendum §2.2).
    InitiateError + Token(TokenError) {}

    /// `POST /sale/{invoiceId}/check` (spec 3.4) and `POST /verification/{invoiceId}/check` (addendum §2.4):
    /// exactly the reference proxy's checks, refused with 403.
    CheckError + Token(TokenError) {
        UnknownInvoice("unknown invoice") =>
            refused(StatusCode::FORBIDDEN, "DAPI-403-INVOICE"),
        ForeignToken("access token does not belong to this sale") =>
            refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN"),
        NonceMismatch("nonce does not match the one issued at initiate sale") =>
            refused(StatusCode::FORBIDDEN, "DAPI-403-NONCE"),
        SignatureMismatch("signature does not match the one issued at initiate sale") =>
            refused(StatusCode::FORBIDDEN, "DAPI-403-SIGNATURE"),
        OtherFlow("the invoice is of the other flow: a sale checked as a verification, or the reverse") =>
            refused(StatusCode::FORBIDDEN, "DAPI-403-FLOW"),
        UnknownClientCard(
            "sourceOfFunds.reference.clientCardId is not a card reference of this device"
        ) => refused(StatusCode::BAD_REQUEST, "DAPI-400-CLIENT-CARD"),
    }

    /// `POST /sale/notification` (spec 3.7) and `POST /verification/notification` (addendum §2.7).
    NotificationError {
        UnknownSession("session.token is not the token of a checked sale") =>
            refused(StatusCode::BAD_REQUEST, "DAPI-400-SESSION-TOKEN"),
        OtherFlow("session.token belongs to the other flow: a sale notified as a verification, or the reverse") =>
            refused(StatusCode::BAD_REQUEST, "DAPI-400-FLOW"),
        ForeignToken("access token does not belong to this sale") =>
            refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN"),
    }

    /// `GET /callback` (spec 3.8); `Body` is a query that breaks the spec.
    CallbackError {
        ControlMismatch("control does not match") =>
            refused(StatusCode::FORBIDDEN, "DAPI-403-CONTROL"),
        UnknownInvoice("unknown client_orderid") =>
            refused(StatusCode::BAD_REQUEST, "DAPI-400-INVOICE"),
    }

    /// `POST /sale/{invoiceId}/client-card-id` (spec A24) and `POST /verification/{invoiceId}/client-card-id`
    /// (addendum V17); an invoice of the other flow is unknown.
    CardIdError {
        UnknownInvoice("unknown invoice") => refused(StatusCode::NOT_FOUND, "DAPI-404-INVOICE"),
        ForeignToken("access token does not belong to this sale") =>
            refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN"),
        NoMapping("no card mapping for this sale yet") =>
            refused(StatusCode::NOT_FOUND, "DAPI-404-NO-MAPPING"),
    }

    /// A path segment that cannot be decoded, and an invoice no sale has in a sandbox route
    /// (`GET /sim/sales/{invoiceId}`, `POST /sim/sales/{invoiceId}/misbehave`).
    LookupError {
        UnknownInvoice("unknown invoice") => refused(StatusCode::NOT_FOUND, "DAPI-404-INVOICE"),
    }
}
