//! [`Client`]: the one `reqwest` client of a run, and the typed calls the app makes with it. Non-2xx
//! answers are read by [`crate::app::wire`].

use std::error::Error as _;
use std::time::Duration;

use dapi::{PartyCause, StatusCause, Validate};
use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::Targets;
use crate::app::form::{Filled, Method};
use crate::app::wire::{CallError, refusal};

/// How long one HTTP exchange may take, before a sale's latency fault is added; the sandbox parties answer in
/// milliseconds.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The scripted client: one `reqwest::Client` (connection pool included) and the [`Targets`].
/// Cheap to clone; one client can play any number of scenarios, one after the other or concurrently.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    targets: Targets,
    /// How long each request may take: [`REQUEST_TIMEOUT`], plus the latency a sale's faults put on the
    /// gateway's answers ([`Client::with_latency`]).
    timeout: Duration,
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
    /// A client for `targets`, trusting [`Targets::trust`] over HTTPS.
    ///
    /// # Errors
    /// When the TLS settings or `reqwest`'s client cannot be built (in practice never).
    pub fn new(targets: &Targets) -> Result<Self, String> {
        let tls = targets.trust.client_config()?;
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .tls_backend_preconfigured(tls)
            .build()
            .map_err(|error| error.to_string())?;
        Ok(Self {
            http,
            targets: targets.clone(),
            timeout: REQUEST_TIMEOUT,
        })
    }

    /// The same client (sharing its connection pool), whose requests may take `latency` longer: a sale whose
    /// faults hold back the gateway's answers (`gateway_latency_ms`) must not time out because of them.
    pub(crate) fn with_latency(&self, latency: Duration) -> Self {
        Self {
            timeout: REQUEST_TIMEOUT.saturating_add(latency),
            ..self.clone()
        }
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
        self.paced().await;
        let bytes = self.post_json::<C>(url, body).await?;
        dapi::decode(&bytes).map_err(CallError::Invalid)
    }

    /// Waits [`Targets::pace`] before a request of the app (a demo's human pace).
    async fn paced(&self) {
        if !self.targets.pace.is_zero() {
            tokio::time::sleep(self.targets.pace).await;
        }
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
        let answer = receive(self.http.post(url.clone()).json(body).timeout(self.timeout)).await?;
        answer.success::<C>().map(|answer| answer.body)
    }

    /// GETs a page as a browser would (following redirects).
    pub(crate) async fn get_page(&self, url: &Url) -> Result<Page, CallError> {
        self.paced().await;
        page(self.http.get(url.clone()).timeout(self.timeout)).await
    }

    /// Submits a filled form as a browser would: form-urlencoded body for POST, query for GET.
    pub(crate) async fn submit(&self, form: &Filled) -> Result<Page, CallError> {
        self.paced().await;
        let request = match form.method {
            Method::Post => self.http.post(form.action.clone()).form(&form.fields),
            Method::Get => self.http.get(form.action.clone()).query(&form.fields),
        };
        page(request.timeout(self.timeout)).await
    }

    /// `{base}{path}` for a sandbox path of [`sandbox_api::paths`] (`/sim/sales/...`), each segment
    /// percent-encoded; a query after `?` (`/sim/deliveries?invoiceId=…`, already encoded) is kept as it is.
    pub(crate) fn sim_url(base: &Url, path: &str) -> Result<Url, CallError> {
        let (path, query) = path
            .split_once('?')
            .map_or((path, None), |(path, query)| (path, Some(query)));
        let mut url = join_segments(base, path.split('/').filter(|s| !s.is_empty()))?;
        url.set_query(query);
        Ok(url)
    }

    /// GETs a server's sandbox record (of a sale, or its deliveries); `Ok(None)` when the server answers 404,
    /// whatever the body: a real gateway or Connecting Party server has no such path, and may well answer
    /// unknown paths with its usual JSON error, even the documented DAPI error body.
    pub(crate) async fn get_record<T: DeserializeOwned>(
        &self,
        url: &Url,
    ) -> Result<Option<T>, CallError> {
        let answer = receive(self.sim(self.http.get(url.clone()))).await?;
        if answer.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let answer = answer.success::<PartyCause>()?;
        dapi::validate::parse(&answer.body)
            .map(Some)
            .map_err(CallError::Invalid)
    }

    /// POSTs a sandbox setting (a misbehaviour) as JSON; any 2xx answer is success.
    pub(crate) async fn post_sim(&self, url: &Url, body: &impl Serialize) -> Result<(), CallError> {
        let request = self.sim(self.http.post(url.clone()).json(body));
        let answer = receive(request).await?;
        answer.success::<String>().map(drop)
    }

    /// A `/sim` request with the sandbox token, when the targets have one.
    fn sim(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.targets.sandbox_token {
            Some(token) => request.header(reqwest::header::AUTHORIZATION, token.bearer()),
            None => request,
        }
    }
}

/// An HTTP answer, read whole: where it came from after redirects, its status and its body.
struct Received {
    url: Url,
    status: StatusCode,
    body: Vec<u8>,
}

impl Received {
    /// The answer when it is a 2xx one, else the refusal it is (read as [`refusal`] reads it, with `C`
    /// the message's cause enum).
    fn success<C: DeserializeOwned + Serialize>(self) -> Result<Self, CallError> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(refusal::<C>(self.status, &self.body))
        }
    }
}

/// Sends `request` and reads its whole answer.
async fn receive(request: reqwest::RequestBuilder) -> Result<Received, CallError> {
    let response = request.send().await.map_err(transport)?;
    let url = response.url().clone();
    let status = response.status();
    let body = response.bytes().await.map_err(transport)?.to_vec();
    Ok(Received { url, status, body })
}

/// A page's answer; a refusal is read with the sale status causes, the messages around the page.
async fn page(request: reqwest::RequestBuilder) -> Result<Page, CallError> {
    let answer = receive(request).await?.success::<StatusCause>()?;
    let html = String::from_utf8_lossy(&answer.body).into_owned();
    Ok(Page {
        url: answer.url,
        html,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let sim = Client::sim_url(&bare, "/sim/sales/1234/INV-1/misbehave").unwrap();
        assert_eq!(sim.path(), "/sim/sales/1234/INV-1/misbehave");
        let deliveries = Client::sim_url(&bare, "/sim/deliveries?invoiceId=INV%201").unwrap();
        assert_eq!(
            deliveries.as_str(),
            "http://127.0.0.1:8080/sim/deliveries?invoiceId=INV%201"
        );
    }
}
