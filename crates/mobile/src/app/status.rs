//! Sale status polling (spec 3.5): steps 11–12 while the sale is not final, 21–22 for the final answer; the
//! same for a verification's status (addendum §2.5), whose answer is read as a sale status without `orderId`
//! and `transaction`.
//!
//! The client polls every `poll_interval` until `APPROVED` or `DECLINED`, or until the scenario's timeout.
//! Like the reference SDKs (spec 3.6), it opens each distinct `redirectUrl` once and keeps polling while the
//! 3-D Secure page is open; when a poll sees the state leave `REDIRECT_REQUEST` with the page still open, it
//! closes the page. Once the consumer's answer is on its way, the app waits for its answer (the close
//! request) before it polls again, so the step log follows cause and effect whatever the timing.
//! A step pair is recorded only when the state (or the error) changes, with the number of polls it took.
//!
//! A poll that meets no answer or a server error (5xx) is retried until the deadline: the error is in the step
//! log, and in the failure if the sale never gets final. Any other error ends the polling.
//!
//! Every answer is checked ([`crate::judge::answers`]): the spec's rules (`redirectUrl` with `REDIRECT_REQUEST`, `bankOrderId` when
//! final, lengths) and the echoes of `invoiceId` and `session.token`. A broken rule is a contract violation
//! at step 12, or 22 for a final answer, reported once however many polls repeat it; polling goes on.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};

use dapi::messages::common::TokenSession;
use dapi::messages::status::{SaleStatusRequest, SaleStatusResponse};
use dapi::messages::verification::status::VerificationStatusResponse;
use dapi::{Flow, SaleState, StatusCause, Validate, Violations};
use sandbox_api::ContractViolation;
use url::Url;

use crate::app::client::Client;
use crate::app::exchange::record_error;
use crate::app::wire::CallError;
use crate::app::{Deadline, GatewaySale, SaleRun};
use crate::judge::answers;
use crate::report::{SaleOutcome, ScenarioReport, SideLog, plural, steps};

/// What the polling of one sale has seen so far.
#[derive(Default)]
struct Polling {
    /// Polls since the last recorded state change.
    polls: u32,
    /// Polls in all.
    total: u32,
    /// The last state recorded as a step.
    last: Option<SaleState>,
    /// The last error recorded as a step, while polls keep meeting it.
    last_error: Option<String>,
    /// Every distinct error met, with how many polls met it, in the order first met.
    errors: Vec<(String, u32)>,
    /// The `redirectUrl`s already opened.
    opened: HashSet<String>,
    /// Violations already reported, so a broken field is reported once, not once per poll.
    reported: HashSet<String>,
}

/// What one poll gave.
enum Polled {
    /// An answer (boxed: it is far larger than the other variants).
    Status(Box<SaleStatusResponse>),
    /// No answer or a server error: poll again.
    Transient,
    /// Polling ends; the reason is in the report.
    Stop,
}

/// The consumer on the 3-D Secure page, running beside the polls (what it does goes to a [`SideLog`]).
type OpenPage<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

impl Client {
    /// Polls the sale until it is final; `None` (with a failure in `report`) when it never gets there.
    pub(crate) async fn poll_until_final(
        &self,
        run: &SaleRun<'_>,
        sale: &GatewaySale,
        outcome: &mut SaleOutcome,
        report: &mut ScenarioReport,
    ) -> Option<SaleStatusResponse> {
        let (url, request) = self.status_call(run, sale, report)?;
        let deadline = Deadline::after(run.scenario.timeout);
        let mut polling = Polling::default();
        let submitted = AtomicBool::new(false);
        let page_log = SideLog::new(run.number);
        let mut page: Option<OpenPage<'_>> = None;
        loop {
            // Once the consumer's answer is on its way, its answer (the close request) comes before the next
            // poll: a poll in between would see the state it causes before the step that causes it.
            if submitted.load(Ordering::Relaxed)
                && let Some(open) = page.take()
            {
                open.await;
                report.merge(&page_log);
            }
            let polled = self
                .poll_once(run.number, sale, &url, &request, &mut polling, report)
                .await;
            let state = match polled {
                Polled::Status(status) => {
                    if status.state != SaleState::RedirectRequest
                        && let Some(open) = page.take()
                    {
                        close_page(open, (&submitted, &page_log), status.state, report).await;
                    }
                    if status.state.is_final() {
                        return Some(*status);
                    }
                    outcome.redirect |= status.state == SaleState::RedirectRequest;
                    if let Some(url) = polling.page_to_open(&status, page.is_some()) {
                        let opened = self.consumer_on_page(run, url, &submitted, &page_log);
                        page = Some(Box::pin(opened));
                    }
                    Some(status.state)
                }
                Polled::Transient => None,
                Polled::Stop => return None,
            };
            if deadline.passed() {
                report.fail(Some(run.number), polling.timed_out(run, state));
                return None;
            }
            let pause = deadline.pause(self.targets().poll_interval);
            next_poll(pause, &mut page, &page_log, report).await;
        }
    }

    /// The sale status URL and request of a sale; `None` (with a failure) when the URL cannot be built.
    fn status_call(
        &self,
        run: &SaleRun<'_>,
        sale: &GatewaySale,
        report: &mut ScenarioReport,
    ) -> Option<(Url, SaleStatusRequest)> {
        let segments = [
            sale.flow.as_str(),
            sale.endpoint_id.as_str(),
            sale.invoice_id.as_str(),
            "status",
        ];
        let url = self
            .dapi_url(segments)
            .map_err(|error| {
                report.fail(Some(run.number), format!("{} status: {error}", sale.flow))
            })
            .ok()?;
        let request = SaleStatusRequest {
            session: TokenSession {
                access_token: run.access_token.clone(),
                token: sale.token.clone(),
            },
        };
        Some((url, request))
    }

    /// One poll, with its steps and violations recorded.
    async fn poll_once(
        &self,
        number: usize,
        sale: &GatewaySale,
        url: &Url,
        request: &SaleStatusRequest,
        polling: &mut Polling,
        report: &mut ScenarioReport,
    ) -> Polled {
        polling.polls += 1;
        polling.total += 1;
        match self.status_once(sale.flow, url, request).await {
            Ok((status, violations)) => {
                polling.record_change(number, sale.flow, url, &status, report);
                let found = answers::status_answer(sale, &status, &violations);
                polling.report_violations(number, found, report);
                Polled::Status(Box::new(status))
            }
            Err(error) => {
                polling.record_error(number, sale.flow, url, &error, report);
                let found = error.violations(steps::of(sale.flow).status_response);
                polling.report_violations(number, found, report);
                if error.is_transient() {
                    return Polled::Transient;
                }
                if !error.is_breach() {
                    report.fail(Some(number), format!("{} status: {error}", sale.flow));
                }
                Polled::Stop
            }
        }
    }

    /// One poll: the decoded answer and the spec rules it breaks (reported, but polling goes on); a
    /// verification's answer as a sale status without `orderId` and `transaction`, by the same rules.
    async fn status_once(
        &self,
        flow: Flow,
        url: &Url,
        request: &SaleStatusRequest,
    ) -> Result<(SaleStatusResponse, Violations), CallError> {
        let bytes = self.post_json::<StatusCause>(url, request).await?;
        let status: SaleStatusResponse = match flow {
            Flow::Sale => dapi::validate::parse(&bytes),
            Flow::Verification => dapi::validate::parse::<VerificationStatusResponse>(&bytes)
                .map(SaleStatusResponse::from),
        }
        .map_err(CallError::Invalid)?;
        let mut violations = Violations::default();
        status.validate(&mut violations);
        Ok((status, violations))
    }
}

/// Waits for the next poll; the open page may finish first: its steps are merged, and the next poll follows at
/// once.
async fn next_poll(
    pause: impl Future<Output = ()>,
    page: &mut Option<OpenPage<'_>>,
    log: &SideLog,
    report: &mut ScenarioReport,
) {
    let Some(open) = page.as_mut() else {
        return pause.await;
    };
    tokio::select! {
        () = open => {
            report.merge(log);
            *page = None;
        }
        () = pause => {}
    }
}

/// The state left `REDIRECT_REQUEST` (now `state`) while the page is open: the app closes it (spec 3.6). A page
/// whose answer is on its way is let finish, since that answer is the close request.
async fn close_page(
    open: OpenPage<'_>,
    (submitted, log): (&AtomicBool, &SideLog),
    state: SaleState,
    report: &mut ScenarioReport,
) {
    if submitted.load(Ordering::Relaxed) {
        open.await;
        report.merge(log);
        return;
    }
    drop(open);
    report.merge(log);
    let detail = format!("state {state}, no longer REDIRECT_REQUEST: the app closes the page");
    report.unseen_step(Some(log.sale()), steps::CLOSE_BROWSER_REQUEST, detail);
}

impl Polling {
    /// The `redirectUrl` to open now: a distinct one (the SDKs open each once), while no page is open.
    fn page_to_open(&mut self, status: &SaleStatusResponse, page_open: bool) -> Option<String> {
        let url = status.redirect_url.as_deref()?;
        let asked = status.state == SaleState::RedirectRequest && !page_open;
        (asked && self.opened.insert(url.to_owned())).then(|| url.to_owned())
    }

    /// Records each violation the first time it is seen.
    fn report_violations(
        &mut self,
        sale: usize,
        violations: Vec<ContractViolation>,
        report: &mut ScenarioReport,
    ) {
        for violation in violations {
            if self.reported.insert(violation.to_string()) {
                report.violation(Some(sale), violation);
            }
        }
    }

    /// Records the step pair of a poll without a usable answer, unless the previous poll met the same error.
    fn record_error(
        &mut self,
        sale: usize,
        flow: Flow,
        url: &Url,
        error: &CallError,
        report: &mut ScenarioReport,
    ) {
        let text = error.to_string();
        match self.errors.iter_mut().find(|(met, _)| *met == text) {
            Some((_, count)) => *count += 1,
            None => self.errors.push((text.clone(), 1)),
        }
        if self.last_error.as_ref() == Some(&text) {
            return;
        }
        let flow_steps = steps::of(flow);
        self.record_request(sale, flow_steps.status_request, url, report);
        record_error(report, Some(sale), flow_steps.status_response, error);
        self.last_error = Some(text);
        self.last = None;
        self.polls = 0;
    }

    /// The failure of a sale the deadline caught: its last state, its polls and every error met.
    fn timed_out(&self, run: &SaleRun<'_>, state: Option<SaleState>) -> String {
        let (timeout, polls) = (run.scenario.timeout, self.total);
        let still = state
            .or(self.last)
            .map_or("without an answer".to_owned(), |state| {
                format!("still {state}")
            });
        let mut text = format!(
            "{} did not reach a final state within {timeout:?} ({still} after {polls} polls)",
            run.sale.flow
        );
        if !self.errors.is_empty() {
            let met: Vec<String> = self
                .errors
                .iter()
                .map(|(error, count)| format!("{error} ({})", plural(*count, "poll", "polls")))
                .collect();
            text.push_str(&format!("; errors met: {}", met.join("; ")));
        }
        text
    }

    /// Records a request/response step pair when the state differs from the last one recorded.
    fn record_change(
        &mut self,
        sale: usize,
        flow: Flow,
        url: &Url,
        status: &SaleStatusResponse,
        report: &mut ScenarioReport,
    ) {
        self.last_error = None;
        if self.last == Some(status.state) {
            return;
        }
        let flow_steps = steps::of(flow);
        let (request, response) = if status.state.is_final() {
            (
                flow_steps.final_status_request,
                flow_steps.final_status_response,
            )
        } else {
            (flow_steps.status_request, flow_steps.status_response)
        };
        self.record_request(sale, request, url, report);
        report.step(Some(sale), response, describe(status));
        self.last = Some(status.state);
        self.polls = 0;
    }

    /// `POST {path} (2 polls)`: the request step, with the polls since the last recorded state change.
    fn record_request(&self, sale: usize, at: dapi::Step, url: &Url, report: &mut ScenarioReport) {
        let polls = plural(self.polls, "poll", "polls");
        report.step(Some(sale), at, format!("POST {} ({polls})", url.path()));
    }
}

/// The status fields worth a report line.
fn describe(status: &SaleStatusResponse) -> String {
    let mut text = format!("state {}", status.state);
    if let Some(url) = &status.redirect_url {
        text.push_str(&format!(", redirectUrl {url}"));
    }
    if let Some(bank_order_id) = &status.bank_order_id {
        text.push_str(&format!(", bankOrderId {bank_order_id}"));
    }
    if let Some(code) = status.error_code {
        text.push_str(&format!(", errorCode {code}"));
    }
    if let Some(message) = &status.error_message {
        text.push_str(&format!(", errorMessage {message:?}"));
    }
    if let Some(secure_3d) = status.secure_3d_auth_status {
        text.push_str(&format!(", secure3DAuthStatus {secure_3d}"));
    }
    text
}
