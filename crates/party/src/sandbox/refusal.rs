//! [`Refusal`]: the documented error answers the sandbox gives in place of a correct one, on purpose
//! (misbehaviour) or as a server that is down (fault), with their status, cause and code (spec 5.1).

use crate::error::{Wire, refused};
use axum::http::StatusCode;
use dapi::PartyCause;
use server_kit::WireError;

/// An error answer given on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum Refusal {
    /// Check sale misbehaviour `filtered`.
    #[error("sale filtered by the Connecting Party (sandbox misbehaviour)")]
    Filtered,
    /// Check sale misbehaviour `server-failed`.
    #[error("the Connecting Party failed (sandbox misbehaviour)")]
    ServerFailed,
    /// Notification misbehaviour `refuse`.
    #[error("notification refused (sandbox misbehaviour)")]
    NotificationRefused,
    /// Faults `callbackFailFirst`, `notificationFailFirst` and the server-wide `callback_failure_rate`.
    #[error("the Connecting Party is unavailable; try again later (sandbox fault)")]
    Unavailable,
}

impl WireError for Refusal {
    type Cause = PartyCause;
    fn wire(&self) -> Wire {
        match self {
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
            Self::NotificationRefused => refused(StatusCode::BAD_REQUEST, "DAPI-400-REFUSED"),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                PartyCause::ServerUnavailable,
                "DAPI-503-UNAVAILABLE",
            ),
        }
    }
}
