//! The gateway's HTTP client towards Connecting Party servers: JSON `POST`s (check sale, card mapping
//! notification) and the callback `GET`. One attempt per call; retries are the caller's.

use dapi::messages::callback::Callback;
use dapi::{CallbackStatus, ErrorBody, PartyCause, Validate, Violations};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// A `reqwest` client; cloning shares its connection pool.
#[derive(Clone, Debug)]
pub(crate) struct PartyClient {
    http: reqwest::Client,
}

/// Why a call to the Connecting Party did not give a usable answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallError {
    /// No complete answer within the time limit.
    #[error("timeout")]
    Timeout,
    /// Connection refused, reset, DNS failure…
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// A non-2xx answer, or an error body; `reason` is ` CAUSE: message` when the body was the documented one.
    #[error("HTTP {status}{reason}")]
    Refused {
        /// HTTP status code.
        status: u16,
        /// The error body's cause, when there was one.
        cause: Option<PartyCause>,
        /// Cause and message for the log and `errorMessage`.
        reason: String,
    },
    /// A 2xx answer that is not the documented message.
    #[error("invalid answer: {0}")]
    Invalid(Violations),
}

impl CallError {
    /// The callback status of a sale that failed on this error (spec 5.4): `filtered` when the party said
    /// `FILTERED`, `error` for a technical failure, `declined` otherwise.
    pub(crate) fn callback_status(&self) -> CallbackStatus {
        match self {
            Self::Timeout | Self::Unreachable(_) => CallbackStatus::Error,
            Self::Refused {
                cause: Some(PartyCause::Filtered),
                ..
            } => CallbackStatus::Filtered,
            Self::Refused {
                cause: Some(PartyCause::ServerFailed | PartyCause::ServerUnavailable),
                ..
            } => CallbackStatus::Error,
            Self::Refused { status, .. } if *status >= 500 => CallbackStatus::Error,
            Self::Refused { .. } | Self::Invalid(_) => CallbackStatus::Declined,
        }
    }

    fn from_reqwest(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout
        } else {
            Self::Unreachable(error.without_url().to_string())
        }
    }

    fn refused(status: reqwest::StatusCode, body: &[u8]) -> Self {
        let error = serde_json::from_slice::<ErrorBody<PartyCause>>(body).ok();
        let reason = error.as_ref().map_or_else(String::new, |body| {
            format!(" {}: {}", cause_name(body.error.cause), body.error.message)
        });
        Self::Refused {
            status: status.as_u16(),
            cause: error.map(|body| body.error.cause),
            reason,
        }
    }
}

pub(crate) fn cause_name(cause: PartyCause) -> &'static str {
    match cause {
        PartyCause::Filtered => "FILTERED",
        PartyCause::InvalidRequest => "INVALID_REQUEST",
        PartyCause::ServerFailed => "SERVER_FAILED",
        PartyCause::ServerUnavailable => "SERVER_UNAVAILABLE",
    }
}

impl PartyClient {
    /// A client that ignores proxy settings: the parties talk directly.
    pub(crate) fn new() -> Self {
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap_or_else(|error| {
                tracing::error!(%error, "HTTP client with custom settings unavailable; using the default one");
                reqwest::Client::new()
            });
        Self { http }
    }

    /// `POST`s `body` as JSON and decodes and validates a 2xx answer, all within `timeout`.
    ///
    /// # Errors
    /// [`CallError`]: timeout, unreachable, non-2xx or error body, or an answer that breaks the message's rules.
    pub(crate) async fn post<B, R>(
        &self,
        url: &str,
        body: &B,
        timeout: Duration,
    ) -> Result<R, CallError>
    where
        B: Serialize + ?Sized,
        R: DeserializeOwned + Validate,
    {
        let response = self
            .http
            .post(url)
            .json(body)
            .timeout(timeout)
            .send()
            .await
            .map_err(CallError::from_reqwest)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(CallError::from_reqwest)?;
        if !status.is_success() {
            return Err(CallError::refused(status, &bytes));
        }
        dapi::decode::<R>(&bytes).map_err(|violations| {
            match serde_json::from_slice::<ErrorBody<PartyCause>>(&bytes) {
                Ok(_) => CallError::refused(status, &bytes),
                Err(_) => CallError::Invalid(violations),
            }
        })
    }

    /// Sends a final-status callback: `GET {url}?status=…&control=…` (spec 3.8); any 2xx counts as delivered.
    ///
    /// # Errors
    /// [`CallError`]: timeout, unreachable or a non-2xx answer.
    pub(crate) async fn send_callback(
        &self,
        url: &str,
        callback: &Callback,
        timeout: Duration,
    ) -> Result<(), CallError> {
        let response = self
            .http
            .get(url)
            .query(callback)
            .timeout(timeout)
            .send()
            .await
            .map_err(CallError::from_reqwest)?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let bytes = response.bytes().await.unwrap_or_default();
        Err(CallError::refused(status, &bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_map_to_the_callback_status_of_spec_5_4() {
        let refused = |status, cause| CallError::Refused {
            status,
            cause,
            reason: String::new(),
        };
        assert_eq!(CallError::Timeout.callback_status(), CallbackStatus::Error);
        assert_eq!(
            CallError::Unreachable("refused".into()).callback_status(),
            CallbackStatus::Error
        );
        assert_eq!(
            refused(403, Some(PartyCause::Filtered)).callback_status(),
            CallbackStatus::Filtered
        );
        assert_eq!(
            refused(403, Some(PartyCause::InvalidRequest)).callback_status(),
            CallbackStatus::Declined
        );
        assert_eq!(refused(502, None).callback_status(), CallbackStatus::Error);
        assert_eq!(
            refused(503, Some(PartyCause::ServerUnavailable)).callback_status(),
            CallbackStatus::Error
        );
        assert_eq!(
            CallError::Invalid(Violations::default()).callback_status(),
            CallbackStatus::Declined
        );
    }

    #[test]
    fn an_error_body_is_summarised_with_cause_and_message() {
        let body = br#"{"error":{"cause":"FILTERED","code":"x","message":"blocked BIN"},"invoiceId":"INV-1"}"#;
        let error = CallError::refused(reqwest::StatusCode::FORBIDDEN, body);
        assert_eq!(error.to_string(), "HTTP 403 FILTERED: blocked BIN");
        let bare = CallError::refused(reqwest::StatusCode::BAD_GATEWAY, b"<html>");
        assert_eq!(bare.to_string(), "HTTP 502");
    }
}
