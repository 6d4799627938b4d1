//! Reading the answers the app gets, as the app's contract check sees them (spec 5.1).
//!
//! Every non-2xx answer is read: the documented error body (`error.{cause,code,message}`) becomes
//! [`CallError::Refused`]; anything else is quoted, shortened, in [`CallError::Unexplained`]. A peer's text
//! goes into reports, so digit runs long enough to be a card number are masked.
//!
//! [`CallError::violations`] turns the errors that are a peer's breach of the contract (a 2xx answer that
//! does not decode or validate, a non-2xx answer without the documented body, a cause the message does
//! not allow) into [`ContractViolation`]s seen by the app.

use dapi::Step;
use dapi::card::mask_card_numbers;
use dapi::error::ErrorDetail;
use dapi::{ErrorBody, Violations};
use reqwest::StatusCode;
use sandbox_api::ContractViolation;
use sandbox_api::Observer;

use crate::report::ObservedRefusal;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// How much of an undocumented error body a report quotes.
const EXCERPT_CHARS: usize = 120;

/// Why one HTTP exchange did not give the expected message.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallError {
    /// The URL could not be built (a base URL that cannot have a path).
    #[error("cannot build the URL: {0}")]
    Url(String),
    /// No HTTP answer: connection refused, timeout, broken body.
    #[error("no answer: {0}")]
    Transport(String),
    /// A non-2xx answer with the documented error body.
    #[error("HTTP {status} {cause} ({code}): {message}{}", undocumented_note(*.documented))]
    Refused {
        /// The HTTP status code.
        status: u16,
        /// `error.cause`.
        cause: String,
        /// `error.code`.
        code: String,
        /// `error.message`.
        message: String,
        /// Whether the cause is one the message allows (spec 5.1).
        documented: bool,
    },
    /// A non-2xx answer without the documented error body.
    #[error("HTTP {status} without the documented error body: {}", quoted(excerpt))]
    Unexplained {
        /// The HTTP status code.
        status: u16,
        /// The start of the body, on one line, masked; `(empty body)` for none.
        excerpt: String,
    },
    /// A 2xx answer that breaks the spec (missing field, wrong length, …).
    #[error("invalid answer: {0}")]
    Invalid(Violations),
}

impl CallError {
    /// A 404, whatever the body: a server without the sandbox's `/sim/` paths (a merchant server may answer
    /// unknown paths with its usual JSON error, even the documented DAPI error body).
    pub(crate) fn is_missing_path(&self) -> bool {
        matches!(
            self,
            Self::Unexplained { status: 404, .. } | Self::Refused { status: 404, .. }
        )
    }

    /// The refusal this error is at `step`, when it is a non-2xx answer (documented body or not); `None` for
    /// no answer, a bad URL or a 2xx answer that broke the contract.
    pub(crate) fn refusal(&self, step: u8) -> Option<ObservedRefusal> {
        match self {
            Self::Refused {
                status,
                cause,
                code,
                message,
                ..
            } => Some(ObservedRefusal {
                step,
                status: *status,
                cause: Some(cause.clone()),
                code: Some(code.clone()),
                message: Some(message.clone()),
            }),
            Self::Unexplained { status, .. } => Some(ObservedRefusal {
                step,
                status: *status,
                cause: None,
                code: None,
                message: None,
            }),
            Self::Url(_) | Self::Transport(_) | Self::Invalid(_) => None,
        }
    }

    /// Whether a poll that met this error is worth repeating: no answer, or a server error (5xx), which the
    /// next poll may not meet (spec 3.5: the SDKs keep polling).
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Self::Transport(_) => true,
            Self::Refused { status, .. } | Self::Unexplained { status, .. } => *status >= 500,
            Self::Url(_) | Self::Invalid(_) => false,
        }
    }

    /// The contract violations this error is, as seen by the app in the answer of `step`; empty for
    /// errors that are no peer's breach (no answer, a bad URL, a refusal with a documented cause).
    pub(crate) fn violations(&self, step: Step) -> Vec<ContractViolation> {
        match self {
            Self::Invalid(violations) => {
                ContractViolation::from_violations(Observer::App, step, violations)
            }
            Self::Unexplained { status, excerpt } => vec![ContractViolation {
                actual: Some(format!("HTTP {status} {excerpt}")),
                ..ContractViolation::new(
                    Observer::App,
                    step,
                    "",
                    "a non-2xx answer must carry the documented error body (spec 5.1)",
                )
            }],
            Self::Refused {
                cause,
                documented: false,
                ..
            } => vec![ContractViolation {
                actual: Some(cause.clone()),
                ..ContractViolation::new(
                    Observer::App,
                    step,
                    "error.cause",
                    "must be a cause documented for this message (spec 5.1)",
                )
            }],
            Self::Url(_) | Self::Transport(_) | Self::Refused { .. } => Vec::new(),
        }
    }

    /// Whether an answer came back at all: a refusal or a broken answer did travel, no answer or a bad URL
    /// did not (the step log shows the response step as not travelled then).
    pub(crate) fn answered(&self) -> bool {
        !matches!(self, Self::Url(_) | Self::Transport(_))
    }

    /// Whether the error is wholly a peer's breach of the contract, so that its [`violations`](Self::violations)
    /// say everything (a refusal, even with an undocumented cause, is still a refusal: a failure too).
    pub(crate) fn is_breach(&self) -> bool {
        matches!(self, Self::Invalid(_) | Self::Unexplained { .. })
    }
}

fn undocumented_note(documented: bool) -> &'static str {
    if documented {
        ""
    } else {
        " [cause not documented for this message]"
    }
}

/// The excerpt in quotes, except the `(empty body)` marker.
fn quoted(excerpt: &str) -> String {
    if excerpt == EMPTY_BODY {
        excerpt.to_owned()
    } else {
        format!("{excerpt:?}")
    }
}

const EMPTY_BODY: &str = "(empty body)";

/// Reads a non-2xx body: the message's documented error body, else any error body, else an excerpt.
pub(crate) fn refusal<C: DeserializeOwned + Serialize>(
    status: StatusCode,
    body: &[u8],
) -> CallError {
    let status = status.as_u16();
    let (detail, documented) = match serde_json::from_slice::<ErrorBody<C>>(body) {
        Ok(typed) => {
            let ErrorDetail {
                cause,
                code,
                message,
            } = typed.error;
            (
                ErrorDetail {
                    cause: wire_name(&cause),
                    code,
                    message,
                },
                true,
            )
        }
        Err(_) => match serde_json::from_slice::<ErrorBody<String>>(body) {
            Ok(loose) => (loose.error, false),
            Err(_) => {
                return CallError::Unexplained {
                    status,
                    excerpt: excerpt(body),
                };
            }
        },
    };
    CallError::Refused {
        status,
        cause: detail.cause,
        code: detail.code,
        message: mask_card_numbers(&detail.message),
        documented,
    }
}

/// The JSON spelling of a cause enum value, e.g. `INVALID_REQUEST`.
fn wire_name(cause: &impl Serialize) -> String {
    match serde_json::to_value(cause) {
        Ok(serde_json::Value::String(name)) => name,
        _ => "?".to_owned(),
    }
}

/// The first characters of a body, on one line, masked.
fn excerpt(body: &[u8]) -> String {
    let line = sandbox_api::text::excerpt(&String::from_utf8_lossy(body), EXCERPT_CHARS);
    if line.is_empty() {
        return EMPTY_BODY.to_owned();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use dapi::steps;
    use dapi::{PartyCause, PerformSaleCause, Rule};

    #[test]
    fn documented_error_bodies_are_read_with_cause_code_and_message() {
        let body = br#"{"error":{"cause":"INVALID_REQUEST","code":"DAPI-400-INVALID","message":"signature mismatch"},"invoiceId":"INV-1"}"#;
        let error = refusal::<PerformSaleCause>(StatusCode::BAD_REQUEST, body);
        assert_eq!(
            error.to_string(),
            "HTTP 400 INVALID_REQUEST (DAPI-400-INVALID): signature mismatch"
        );
        assert!(error.violations(steps::PERFORM_SALE_RESPONSE).is_empty());
        let filtered = br#"{"error":{"cause":"FILTERED","code":"x","message":"no"}}"#;
        let error = refusal::<PerformSaleCause>(StatusCode::BAD_REQUEST, filtered);
        assert!(
            error
                .to_string()
                .ends_with("[cause not documented for this message]")
        );
        let [violation] = error
            .violations(steps::PERFORM_SALE_RESPONSE)
            .try_into()
            .unwrap();
        assert_eq!(
            (violation.step, violation.path.as_str()),
            (7, "error.cause")
        );
        assert_eq!(violation.actual.as_deref(), Some("FILTERED"));
        assert!(!error.is_breach(), "a refusal stays a refusal");
    }

    #[test]
    fn other_bodies_are_quoted_shortly_and_are_a_breach() {
        let error = refusal::<PartyCause>(StatusCode::NOT_FOUND, b"");
        assert_eq!(
            error.to_string(),
            "HTTP 404 without the documented error body: (empty body)"
        );
        let long = "x".repeat(500);
        let error = refusal::<PartyCause>(StatusCode::BAD_GATEWAY, long.as_bytes());
        let text = error.to_string();
        assert!(
            text.len() < 250 && text.contains("\"xxx") && text.contains('…'),
            "{text}"
        );
        assert!(error.is_breach());
        let [violation] = error
            .violations(steps::INITIATE_SALE_RESPONSE)
            .try_into()
            .unwrap();
        assert_eq!((violation.observer, violation.step), (Observer::App, 5));
        assert!(violation.to_string().starts_with(
            "step 5 Initiate sale response (seen by app): a non-2xx answer must carry the documented error body (spec 5.1): got \"HTTP 502 xxx"
        ), "{violation}");
    }

    #[test]
    fn an_invalid_answer_is_one_violation_per_broken_rule() {
        let mut violations = Violations::default();
        violations.push("session.token", Rule::Missing);
        violations.push("invoiceId", Rule::Length { min: 1, max: 128 });
        let found = CallError::Invalid(violations).violations(steps::PERFORM_SALE_RESPONSE);
        let paths: Vec<&str> = found.iter().map(|v| v.path.as_str()).collect();
        assert_eq!(paths, ["session.token", "invoiceId"]);
        assert!(
            found
                .iter()
                .all(|v| v.observer == Observer::App && v.step == 7)
        );
        let silent = CallError::Transport("connection refused".into());
        assert!(silent.violations(steps::PERFORM_SALE_RESPONSE).is_empty() && !silent.is_breach());
    }

    #[test]
    fn card_numbers_echoed_by_a_peer_are_masked() {
        let body = br#"{"error":{"cause":"INVALID_REQUEST","code":"x","message":"bad card 4111111111111111, cvv 123"}}"#;
        let text = refusal::<PerformSaleCause>(StatusCode::BAD_REQUEST, body).to_string();
        assert!(
            text.ends_with("bad card 411111******1111, cvv 123"),
            "{text}"
        );
        let text = refusal::<PerformSaleCause>(StatusCode::BAD_GATEWAY, b"<p>5555555555554444</p>");
        assert!(text.to_string().contains("555555******4444"), "{text}");
    }
}
