//! [`Client`]: the one `reqwest` client of a run, and the typed calls the flow makes with it.
//!
//! Every non-2xx answer is read: the documented error body (spec 5.1: `error.{cause,code,message}`) becomes
//! [`CallError::Refused`]; anything else is quoted, shortened, in [`CallError::Unexplained`].

use std::error::Error as _;
use std::fmt;
use std::time::Duration;

use dapi::error::ErrorDetail;
use dapi::sim::PartySaleRecord;
use dapi::{ErrorBody, PartyCause, StatusCause, Validate, Violations};
use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::Targets;
use crate::form::{Filled, Method};

/// How long one HTTP exchange may take; the sandbox parties answer in milliseconds.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of an undocumented error body a report quotes.
const EXCERPT_CHARS: usize = 120;

/// The scripted client: one `reqwest::Client` (connection pool included) and the [`Targets`].
/// Cheap to clone; one client can play any number of scenarios, one after the other or concurrently.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    targets: Targets,
}

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
    #[error("HTTP {status} without the documented error body: {excerpt}")]
    Unexplained {
        /// The HTTP status code.
        status: u16,
        /// The start of the body.
        excerpt: String,
    },
    /// A 2xx answer that breaks the spec (missing field, wrong length, …).
    #[error("invalid answer: {0}")]
    Invalid(Violations),
}

fn undocumented_note(documented: bool) -> &'static str {
    if documented {
        ""
    } else {
        " [cause not documented for this message]"
    }
}

/// A page fetched by the consumer's browser: where it ended up after redirects, and its HTML.
#[derive(Debug)]
pub(crate) struct Page {
    /// The final URL, after following redirects.
    pub(crate) url: Url,
    /// The body as text.
    pub(crate) html: String,
}

impl Client {
    /// A client for `targets`.
    ///
    /// # Errors
    /// When `reqwest` cannot build its client (no TLS backend is configured, so in practice never).
    pub fn new(targets: &Targets) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        Ok(Self {
            http,
            targets: targets.clone(),
        })
    }

    /// Where this client plays.
    pub fn targets(&self) -> &Targets {
        &self.targets
    }

    /// `{party}/a/b/...`, each segment percent-encoded.
    pub(crate) fn party_url<'s>(
        &self,
        segments: impl IntoIterator<Item = &'s str>,
    ) -> Result<Url, CallError> {
        join_segments(&self.targets.party, segments)
    }

    /// `{gateway}{dapi_prefix}/a/b/...`, each segment percent-encoded.
    pub(crate) fn dapi_url<'s>(
        &self,
        segments: impl IntoIterator<Item = &'s str>,
    ) -> Result<Url, CallError> {
        let prefix = self
            .targets
            .dapi_prefix
            .split('/')
            .filter(|s| !s.is_empty());
        join_segments(&join_segments(&self.targets.gateway, prefix)?, segments)
    }

    /// POSTs `body` as JSON and decodes and validates the 2xx answer; `C` is the message's cause enum.
    pub(crate) async fn call<R, C>(&self, url: &Url, body: &impl Serialize) -> Result<R, CallError>
    where
        R: DeserializeOwned + Validate,
        C: DeserializeOwned + Serialize,
    {
        let bytes = self.post_json::<C>(url, body).await?;
        dapi::decode(&bytes).map_err(CallError::Invalid)
    }

    /// POSTs `body` as JSON and returns the 2xx answer's bytes; `C` is the message's cause enum.
    pub(crate) async fn post_json<C>(
        &self,
        url: &Url,
        body: &impl Serialize,
    ) -> Result<Vec<u8>, CallError>
    where
        C: DeserializeOwned + Serialize,
    {
        let response = self.http.post(url.clone()).json(body).send().await;
        let (status, bytes) = read(response).await?;
        if status.is_success() {
            Ok(bytes)
        } else {
            Err(refusal::<C>(status, &bytes))
        }
    }

    /// GETs a page as a browser would (following redirects).
    pub(crate) async fn get_page(&self, url: &Url) -> Result<Page, CallError> {
        self.page(self.http.get(url.clone())).await
    }

    /// Submits a filled form as a browser would: form-urlencoded body for POST, query for GET.
    pub(crate) async fn submit(&self, form: &Filled) -> Result<Page, CallError> {
        let request = match form.method {
            Method::Post => self.http.post(form.action.clone()).form(&form.fields),
            Method::Get => self.http.get(form.action.clone()).query(&form.fields),
        };
        self.page(request).await
    }

    async fn page(&self, request: reqwest::RequestBuilder) -> Result<Page, CallError> {
        let response = request.send().await.map_err(transport)?;
        let url = response.url().clone();
        let status = response.status();
        let bytes = response.bytes().await.map_err(transport)?;
        if !status.is_success() {
            return Err(refusal::<StatusCause>(status, &bytes));
        }
        let html = String::from_utf8_lossy(&bytes).into_owned();
        Ok(Page { url, html })
    }

    /// GETs the party's sandbox record of a sale; `Ok(None)` when the party has no such endpoint (404
    /// without the documented error body, as a real Connecting Party server would answer).
    pub(crate) async fn get_record(&self, url: &Url) -> Result<Option<PartySaleRecord>, CallError> {
        let (status, bytes) = read(self.http.get(url.clone()).send().await).await?;
        if status.is_success() {
            return dapi::validate::parse(&bytes)
                .map(Some)
                .map_err(CallError::Invalid);
        }
        match refusal::<PartyCause>(status, &bytes) {
            CallError::Unexplained { .. } if status == StatusCode::NOT_FOUND => Ok(None),
            error => Err(error),
        }
    }
}

async fn read(
    response: Result<reqwest::Response, reqwest::Error>,
) -> Result<(StatusCode, Vec<u8>), CallError> {
    let response = response.map_err(transport)?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(transport)?;
    Ok((status, bytes.to_vec()))
}

/// Appends `segments` to `base`'s path (dropping its trailing empty segment, query and fragment).
fn join_segments<'s>(
    base: &Url,
    segments: impl IntoIterator<Item = &'s str>,
) -> Result<Url, CallError> {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| CallError::Url(format!("{base} cannot be a base URL")))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

fn transport(error: reqwest::Error) -> CallError {
    CallError::Transport(error_chain(&error))
}

/// The error and its sources, `: `-separated (reqwest's own text omits "connection refused").
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Reads a non-2xx body: the message's documented error body, else any error body, else an excerpt.
fn refusal<C: DeserializeOwned + Serialize>(status: StatusCode, body: &[u8]) -> CallError {
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
        message: mask_digit_runs(&detail.message),
        documented,
    }
}

/// Masks every run of 12 or more digits with [`dapi::card::mask_pan`]: a peer's text goes into reports,
/// and a careless peer might echo a card number.
fn mask_digit_runs(text: &str) -> String {
    fn flush(digits: &mut String, out: &mut String) {
        if digits.len() >= 12 {
            out.push_str(&dapi::card::mask_pan(digits));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    }
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// The JSON spelling of a cause enum value, e.g. `INVALID_REQUEST`.
fn wire_name(cause: &impl Serialize) -> String {
    match serde_json::to_value(cause) {
        Ok(serde_json::Value::String(name)) => name,
        _ => "?".to_owned(),
    }
}

/// The first characters of a body, on one line.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        return "(empty body)".to_owned();
    }
    let line = mask_digit_runs(&line);
    let mut shown: String = line.chars().take(EXCERPT_CHARS).collect();
    if shown.len() < line.len() {
        shown.push('…');
    }
    format!("{shown:?}")
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Get => "GET",
            Self::Post => "POST",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dapi::PerformSaleCause;

    #[test]
    fn documented_error_bodies_are_read_with_cause_code_and_message() {
        let body = br#"{"error":{"cause":"INVALID_REQUEST","code":"DAPI-400-INVALID","message":"signature mismatch"},"invoiceId":"INV-1"}"#;
        let error = refusal::<PerformSaleCause>(StatusCode::BAD_REQUEST, body);
        assert_eq!(
            error.to_string(),
            "HTTP 400 INVALID_REQUEST (DAPI-400-INVALID): signature mismatch"
        );
        let filtered = br#"{"error":{"cause":"FILTERED","code":"x","message":"no"}}"#;
        let error = refusal::<PerformSaleCause>(StatusCode::BAD_REQUEST, filtered);
        assert!(
            error
                .to_string()
                .ends_with("[cause not documented for this message]")
        );
    }

    #[test]
    fn other_bodies_are_quoted_shortly() {
        let error = refusal::<PartyCause>(StatusCode::NOT_FOUND, b"");
        assert_eq!(
            error.to_string(),
            "HTTP 404 without the documented error body: (empty body)"
        );
        let long = "x".repeat(500);
        let text = refusal::<PartyCause>(StatusCode::BAD_GATEWAY, long.as_bytes()).to_string();
        assert!(text.len() < 250 && text.contains('…'), "{text}");
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

    #[test]
    fn urls_keep_the_base_path_and_encode_segments() {
        let base = Url::parse("http://127.0.0.1:8081/cp/").unwrap();
        let url = join_segments(&base, ["sale", "INV 1/2", "check"]).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8081/cp/sale/INV%201%2F2/check"
        );
        let bare = Url::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(join_segments(&bare, ["a"]).unwrap().path(), "/a");
    }
}
