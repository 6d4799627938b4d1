//! The gateway's HTTP client towards Connecting Party servers: JSON `POST`s (check sale, card mapping
//! notification) and the callback `GET`. One attempt per call; retries are the caller's (`delivery`). At most
//! [`MAX_ANSWER_BYTES`] of an answer are read: a longer one is cut there (and then fails to decode).
//!
//! Every call is recorded in the message journal with the step and the sale the caller names ([`Call`]), the
//! body it sent (serialised once, shared with the journal) and the answer it got, or why none came.

use bytes::{Bytes, BytesMut};
use dapi::{CallbackStatus, ErrorBody, PartyCause, Step, Validate, Violations};
use journal::{Exchange, Journal, Part};
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use sandbox_api::{Participant, SaleRef};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::{Duration, Instant, SystemTime};

/// The most of an answer's body the gateway reads.
pub(crate) const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// A `reqwest` client; cloning shares its connection pool.
#[derive(Clone, Debug)]
pub(crate) struct PartyClient {
    http: reqwest::Client,
    journal: Journal,
}

/// What a call is, for the journal: its request's diagram step, its answer's, and its sale.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    /// The request's step, e.g. 8 Check sale request.
    pub(crate) step: Step,
    /// The answer's step, e.g. 9 Check sale response.
    pub(crate) answer: Step,
    /// The sale.
    pub(crate) sale: SaleRef,
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

    /// Whether the Connecting Party said "try later" the documented way: an error body with cause
    /// `SERVER_UNAVAILABLE` (spec 5.1, HTTP 503). A delivery retries it; it is no contract violation.
    pub(crate) fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::Refused {
                cause: Some(PartyCause::ServerUnavailable),
                ..
            }
        )
    }

    fn from_reqwest(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            return Self::Timeout;
        }
        // reqwest's own text ("error sending request") hides why; a refused certificate is worth saying.
        let host = error
            .url()
            .and_then(|url| url.host_str())
            .map(str::to_owned);
        match (tls::untrusted_certificate(&error), host) {
            (Some(reason), Some(host)) => Self::Unreachable(format!(
                "TLS: the certificate of {host} is not trusted: {reason}"
            )),
            _ => Self::Unreachable(error.without_url().to_string()),
        }
    }

    fn refused(status: u16, body: &[u8]) -> Self {
        let error = serde_json::from_slice::<ErrorBody<PartyCause>>(body).ok();
        let reason = error.as_ref().map_or_else(String::new, |body| {
            format!(" {}: {}", cause_name(body.error.cause), body.error.message)
        });
        Self::Refused {
            status,
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
    /// A client that ignores proxy settings (the parties talk directly), trusts `trust`'s roots over HTTPS and
    /// records every call in `journal`.
    pub(crate) fn new(trust: &tls::Trust, journal: Journal) -> Self {
        let builder = reqwest::Client::builder().no_proxy();
        let builder = match trust.client_config() {
            Ok(config) => builder.tls_backend_preconfigured(config),
            Err(error) => {
                tracing::error!(%error, "TLS settings unavailable; HTTPS calls trust the system's roots");
                builder
            }
        };
        let http = builder.build().unwrap_or_else(|error| {
            tracing::error!(%error, "HTTP client with custom settings unavailable; using the default one");
            reqwest::Client::new()
        });
        Self { http, journal }
    }

    /// `POST`s `body` as JSON and decodes and validates a 2xx answer, all within `timeout`.
    ///
    /// # Errors
    /// [`CallError`]: timeout, unreachable, non-2xx or error body, or an answer that breaks the message's rules.
    pub(crate) async fn post<B, R>(
        &self,
        call: Call,
        url: &str,
        body: &B,
        timeout: Duration,
    ) -> Result<R, CallError>
    where
        B: Serialize + ?Sized,
        R: DeserializeOwned + Validate,
    {
        self.post_json(call, url, body, timeout).await?.decode()
    }

    /// `POST`s `body` as JSON; the answer whatever its status, within `timeout`.
    ///
    /// # Errors
    /// [`CallError::Timeout`] or [`CallError::Unreachable`]: no answer.
    pub(crate) async fn post_json<B: Serialize + ?Sized>(
        &self,
        call: Call,
        url: &str,
        body: &B,
        timeout: Duration,
    ) -> Result<Answer, CallError> {
        // Serialised once; the request and the journal share the bytes.
        let json = Bytes::from(
            serde_json::to_vec(body).map_err(|error| CallError::Unreachable(error.to_string()))?,
        );
        let request = self
            .http
            .post(url)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(json.clone())
            .timeout(timeout);
        self.send(call, request, json).await
    }

    /// `GET {url}?{query}` (the callback, spec 3.8); the answer whatever its status, within `timeout`.
    ///
    /// # Errors
    /// [`CallError::Timeout`] or [`CallError::Unreachable`]: no answer.
    pub(crate) async fn get_query<Q: Serialize + ?Sized>(
        &self,
        call: Call,
        url: &str,
        query: &Q,
        timeout: Duration,
    ) -> Result<Answer, CallError> {
        let request = self.http.get(url).query(query).timeout(timeout);
        self.send(call, request, Bytes::new()).await
    }

    /// `GET`s a sandbox record of the Connecting Party server (its journal, for the dashboard), within
    /// `timeout`; not journalled, as no sandbox call is.
    ///
    /// # Errors
    /// Why it could not be read, in words: no answer, a refusal (e.g. a server without `/sim` routes), or not
    /// the record.
    pub(crate) async fn read_sandbox<T: DeserializeOwned>(
        &self,
        url: &str,
        timeout: Duration,
        authorization: Option<&str>,
    ) -> Result<T, String> {
        let mut request = self.http.get(url).timeout(timeout);
        if let Some(value) = authorization {
            request = request.header(reqwest::header::AUTHORIZATION, value);
        }
        let answer = Answer::read(request.send().await)
            .await
            .map_err(|error| error.to_string())?;
        if !answer.is_success() {
            return Err(format!("HTTP {}", answer.status));
        }
        serde_json::from_slice(&answer.body).map_err(|error| format!("not a journal: {error}"))
    }

    /// Sends one request (whose body is `body`), reads its answer and records both.
    async fn send(
        &self,
        call: Call,
        request: reqwest::RequestBuilder,
        body: Bytes,
    ) -> Result<Answer, CallError> {
        let request = request.build().map_err(CallError::from_reqwest)?;
        if !self.journal.is_on() {
            return Answer::read(self.http.execute(request).await).await;
        }
        let (id, started, clock) = (self.journal.reserve(), SystemTime::now(), Instant::now());
        let sent = Part {
            headers: request.headers().clone(),
            body,
        };
        let (method, path, query) = (
            request.method().clone(),
            request.url().path().to_owned(),
            request.url().query().map(str::to_owned),
        );
        let (answer, headers) = match self.http.execute(request).await {
            Ok(response) => {
                let headers = response.headers().clone();
                (Answer::read(Ok(response)).await, headers)
            }
            Err(error) => (
                Err(CallError::from_reqwest(error)),
                reqwest::header::HeaderMap::new(),
            ),
        };
        let exchange = Exchange {
            from: Participant::Gateway,
            to: Participant::Party,
            step: Some(call.step),
            answer: Some(call.answer),
            method,
            path,
            query,
            started,
            latency: clock.elapsed(),
            request: sent,
            response: answer.as_ref().ok().map(|answer| {
                (
                    answer.status,
                    Part {
                        headers,
                        body: answer.body.clone(),
                    },
                )
            }),
            error: answer.as_ref().err().map(ToString::to_string),
            sale: call.sale,
        };
        self.journal.record_outbound(id, exchange);
        answer
    }
}

/// An HTTP answer of the Connecting Party: its status and at most [`MAX_ANSWER_BYTES`] of its body.
#[derive(Clone, Debug)]
pub(crate) struct Answer {
    /// HTTP status code.
    pub(crate) status: u16,
    body: Bytes,
}

impl Answer {
    async fn read(sent: reqwest::Result<reqwest::Response>) -> Result<Self, CallError> {
        let mut response = sent.map_err(CallError::from_reqwest)?;
        let status = response.status().as_u16();
        let mut body = BytesMut::new();
        while body.len() < MAX_ANSWER_BYTES {
            let Some(chunk) = response.chunk().await.map_err(CallError::from_reqwest)? else {
                break;
            };
            let room = MAX_ANSWER_BYTES - body.len();
            body.extend_from_slice(chunk.get(..room).unwrap_or(chunk.as_ref()));
        }
        Ok(Self {
            status,
            body: body.freeze(),
        })
    }

    /// An answer with this status and body, for tests.
    #[cfg(test)]
    pub(crate) fn of(status: u16, body: &[u8]) -> Self {
        Self {
            status,
            body: Bytes::copy_from_slice(body),
        }
    }

    /// The body as read (at most [`MAX_ANSWER_BYTES`]).
    pub(crate) fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Whether the status is 2xx.
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A 2xx answer, or the refusal.
    ///
    /// # Errors
    /// [`CallError::Refused`] for a non-2xx answer.
    pub(crate) fn accepted(&self) -> Result<(), CallError> {
        if self.is_success() {
            Ok(())
        } else {
            Err(CallError::refused(self.status, &self.body))
        }
    }

    /// Decodes and validates a 2xx answer.
    ///
    /// # Errors
    /// [`CallError::Refused`] for a non-2xx answer or an error body, [`CallError::Invalid`] for an answer that
    /// breaks the message's rules.
    pub(crate) fn decode<R: DeserializeOwned + Validate>(&self) -> Result<R, CallError> {
        self.accepted()?;
        dapi::decode::<R>(&self.body).map_err(|violations| {
            match serde_json::from_slice::<ErrorBody<PartyCause>>(&self.body) {
                Ok(_) => CallError::refused(self.status, &self.body),
                Err(_) => CallError::Invalid(violations),
            }
        })
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
        assert!(refused(503, Some(PartyCause::ServerUnavailable)).is_unavailable());
        assert!(!refused(503, None).is_unavailable() && !CallError::Timeout.is_unavailable());
    }

    #[test]
    fn an_error_body_is_summarised_with_cause_and_message() {
        let body = br#"{"error":{"cause":"FILTERED","code":"x","message":"blocked BIN"},"invoiceId":"INV-1"}"#;
        let error = CallError::refused(403, body);
        assert_eq!(error.to_string(), "HTTP 403 FILTERED: blocked BIN");
        let bare = CallError::refused(502, b"<html>");
        assert_eq!(bare.to_string(), "HTTP 502");
    }
}
