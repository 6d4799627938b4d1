//! Bad input everywhere, over HTTP: every route of both servers gets malformed JSON, wrong types, huge
//! numbers, invalid UTF-8, over-long strings and bodies, wrong or missing `Content-Type`, unknown ids, wrong
//! signatures, empty bodies and bad query strings. Every answer must be a 4xx (never a 5xx, never a dropped
//! connection) whose body is the documented error body with a cause of that message's enum (spec 5.1), and
//! both servers must still serve afterwards: `/health` and one real sale (scenario 01).
//!
//! # Layout
//! - this file: the table runner ([`Case`], [`barrage`]) and the checks of each answer;
//! - `bad_input_inputs.rs`: the bad bodies derived from a sample ([`json_inputs`]), a real sale's ids to aim at
//!   ([`Known`]) and the check that both servers still serve;
//! - `bad_input_gateway.rs`, `bad_input_party.rs`: each server's table and test;
//! - `bad_input_regressions.rs`: inputs the first sweep found answered wrongly, with the right answers.

#[path = "bad_input_gateway.rs"]
mod gateway;
#[path = "bad_input_inputs.rs"]
mod inputs;
#[path = "bad_input_party.rs"]
mod party;
#[path = "bad_input_regressions.rs"]
mod regressions;

use dapi::{ErrorBody, PartyCause, PerformSaleCause, StatusCause};
use inputs::{JsonInput, Known, assert_still_serving, json_inputs};
use reqwest::Method;
use std::fmt::Write as _;

/// Which cause enum the answer's `error.cause` must belong to (spec 5.1).
#[derive(Clone, Copy, Debug)]
pub(super) enum Cause {
    /// Perform sale: `INVALID_REQUEST`, `INVALID_CONFIGURATION`, `INTERNAL_ERROR`, `PROCESSING_FAILED`.
    Perform,
    /// Sale status and the gateway's sandbox pages.
    Status,
    /// Every answer of the Connecting Party server.
    Party,
}

/// One request of the barrage.
pub(super) struct Case {
    /// What is wrong with it, for the failure list.
    pub(super) input: String,
    pub(super) method: Method,
    /// Path and query, appended to the server's base URL.
    pub(super) path: String,
    pub(super) content_type: Option<&'static str>,
    pub(super) body: Vec<u8>,
    pub(super) cause: Cause,
    /// The one status this input must get, when the route decides it (e.g. 413 for 100 KB).
    pub(super) status: Option<u16>,
    /// A request target over 64 KB: hyper answers `414` itself, with an empty body, before any route runs.
    pub(super) uri_too_long: bool,
}

impl Case {
    pub(super) fn new(method: Method, path: impl Into<String>, cause: Cause, input: &str) -> Self {
        Self {
            input: input.to_owned(),
            method,
            path: path.into(),
            content_type: None,
            body: Vec::new(),
            cause,
            status: None,
            uri_too_long: false,
        }
    }

    /// A JSON endpoint fed one of [`json_inputs`].
    pub(super) fn json(path: &str, cause: Cause, input: JsonInput) -> Self {
        Self {
            content_type: input.content_type,
            body: input.body,
            status: input.status,
            ..Self::new(Method::POST, path, cause, &input.name)
        }
    }

    pub(super) fn body(
        mut self,
        content_type: Option<&'static str>,
        body: impl Into<Vec<u8>>,
    ) -> Self {
        self.content_type = content_type;
        self.body = body.into();
        self
    }

    pub(super) fn expect(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// See [`Case::uri_too_long`]: hyper's `414` without a body is accepted (no route can change it), nothing else.
    pub(super) fn uri_too_long(mut self) -> Self {
        self.uri_too_long = true;
        self.status = Some(414);
        self
    }
}

/// Sends every case and returns one line per broken expectation.
pub(super) async fn barrage(base: &str, cases: Vec<Case>) -> Vec<String> {
    // A fresh connection per request: after an early 413 the server may close a connection it did not announce
    // as closing (see `regressions`: a 413 now says `Connection: close`), and a reused one would fail the next, innocent case.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("a client");
    let mut failures = Vec::new();
    for case in cases {
        if let Err(problem) = send(&client, base, &case).await {
            let mut path: String = case.path.chars().take(90).collect();
            if path.len() < case.path.len() {
                path.push('…');
            }
            failures.push(format!(
                "{} {path} [{}]: {problem}",
                case.method, case.input
            ));
        }
    }
    failures
}

async fn send(client: &reqwest::Client, base: &str, case: &Case) -> Result<(), String> {
    let (status, content_type, bytes) = if case.path.len() > RAW_PATH_LENGTH {
        exchange_raw(base, case).await?
    } else {
        exchange(client, base, case).await?
    };
    let text = String::from_utf8_lossy(&bytes);
    let shown: String = text.chars().take(300).collect();
    let wrong = |why: &str| format!("{why}: {status} {content_type:?} {shown:?}");
    if case.uri_too_long && status == 414 && bytes.is_empty() {
        return Ok(()); // hyper's own answer (its limit is 65 534 bytes); no route can change it
    }
    if !(400..500).contains(&status) {
        return Err(wrong("not a 4xx"));
    }
    if case.status.is_some_and(|expected| expected != status) {
        return Err(wrong(&format!(
            "expected {}",
            case.status.unwrap_or_default()
        )));
    }
    if !content_type.starts_with("application/json") {
        return Err(wrong("not JSON"));
    }
    // Named per cause: the `serde` crate (for a generic bound) is not a dependency of `e2e`.
    let parsed = match case.cause {
        Cause::Perform => serde_json::from_slice::<ErrorBody<PerformSaleCause>>(&bytes)
            .map(|body| (body.error.code, body.error.message)),
        Cause::Status => serde_json::from_slice::<ErrorBody<StatusCause>>(&bytes)
            .map(|body| (body.error.code, body.error.message)),
        Cause::Party => serde_json::from_slice::<ErrorBody<PartyCause>>(&bytes)
            .map(|body| (body.error.code, body.error.message)),
    };
    let (code, message) =
        parsed.map_err(|error| wrong(&format!("not the error body ({error})")))?;
    if code.is_empty() || message.is_empty() {
        return Err(wrong("empty error.code or error.message"));
    }
    if text.contains(PAN) {
        return Err(wrong("the card number is echoed"));
    }
    Ok(())
}

/// Longer paths do not fit the `http` crate's `Uri` (reqwest refuses them): they go over a plain socket.
const RAW_PATH_LENGTH: usize = 60_000;

type Answer = (u16, String, Vec<u8>);

async fn exchange(client: &reqwest::Client, base: &str, case: &Case) -> Result<Answer, String> {
    let mut request = client.request(case.method.clone(), format!("{base}{}", case.path));
    if let Some(content_type) = case.content_type {
        request = request.header(reqwest::header::CONTENT_TYPE, content_type);
    }
    let response = request
        .body(case.body.clone())
        .send()
        .await
        .map_err(|error| format!("no answer (dropped connection?): {:?}", error.without_url()))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response
        .bytes()
        .await
        .map_err(|error| format!("{status}, body cut off: {:?}", error.without_url()))?;
    Ok((status, content_type, bytes.to_vec()))
}

/// HTTP/1.1 by hand, `Connection: close`, for what reqwest cannot send; reads the answer to the end.
async fn exchange_raw(base: &str, case: &Case) -> Result<Answer, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.strip_prefix("http://").unwrap_or(base);
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .map_err(|error| error.to_string())?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n",
        case.method, case.path
    );
    if let Some(content_type) = case.content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", case.body.len()));
    let sent = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&case.body).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = sent
        .await
        .map_err(|error| format!("no answer (dropped connection?): {error}"))?;
    let split = answer.windows(4).position(|window| window == b"\r\n\r\n");
    let (head, body) = match split {
        Some(at) => (
            String::from_utf8_lossy(&answer[..at]).into_owned(),
            answer[at + 4..].to_vec(),
        ),
        None => {
            return Err(format!(
                "no HTTP answer: {:?}",
                String::from_utf8_lossy(&answer)
            ));
        }
    };
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_default();
    let content_type = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|value| value.trim().to_owned())
        })
        .unwrap_or_default();
    Ok((status, content_type, body))
}

/// Fails the test with every broken expectation, one per line.
pub(super) fn assert_no_failures(server: &str, sent: usize, failures: &[String]) {
    let mut report = String::new();
    for failure in failures {
        let _ = writeln!(report, "  {failure}");
    }
    assert!(
        failures.is_empty(),
        "{} of {sent} bad requests to the {server} were not answered with a 4xx and the documented error body:\n{report}",
        failures.len()
    );
}

/// Sends every case of `groups` to `base`, checks that both servers still serve, fails the test with every
/// broken expectation and stops the servers: the whole sweep of one server's routes.
pub(super) async fn assert_every_case_answered(
    sandbox: e2e::Sandbox,
    base: &str,
    server: &str,
    groups: Vec<Vec<Case>>,
) {
    let cases: Vec<Case> = groups.into_iter().flatten().collect();
    let sent = cases.len();
    let failures = barrage(base, cases).await;
    assert_still_serving(&sandbox).await;
    assert_no_failures(server, sent, &failures);
    sandbox.servers.stop().await;
}

/// The card number of the real sale and of the perform samples; no answer may contain it.
pub(super) const PAN: &str = "4111111111111111";
pub(super) const JSON: Option<&str> = Some("application/json");
