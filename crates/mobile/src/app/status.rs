//! Sale status polling (spec 3.5): steps 11–12 while the sale is not final, 21–22 for the final answer; the
//! same for a verification's status (addendum §2.5), whose answer is read as a sale status without `orderId`
//! and `transaction`.
//!
//! The client polls every `poll_interval` until `APPROVED` or `DECLINED`, or until the scenario's timeout.
//! Like the reference SDKs, it opens each distinct `redirectUrl` once (spec 3.6) and keeps polling after.
//! A step pair is recorded only when the state changes, with the number of polls it took.
//!
//! Every answer is checked ([`crate::judge::answers`]): the spec's rules (`redirectUrl` with `REDIRECT_REQUEST`, `bankOrderId` when
//! final, lengths) and the echoes of `invoiceId` and `session.token`. A broken rule is a contract violation
//! at step 12, or 22 for a final answer, reported once however many polls repeat it; polling goes on.

use std::collections::HashSet;

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
use crate::report::{SaleOutcome, ScenarioReport, plural, steps};

/// What the polling of one sale has seen so far.
#[derive(Default)]
struct Polling {
    /// Polls since the last recorded state change.
    polls: u32,
    /// Polls in all.
    total: u32,
    /// The last state recorded as a step.
    last: Option<SaleState>,
    /// The `redirectUrl`s already opened.
    opened: HashSet<String>,
    /// Violations already reported, so a broken field is reported once, not once per poll.
    reported: HashSet<String>,
}

impl Client {
    /// Polls the sale until it is final; `None` (with a failure in `report`) when it never gets there.
    pub(crate) async fn poll_until_final(
        &self,
        run: &SaleRun<'_>,
        sale: &GatewaySale,
        outcome: &mut SaleOutcome,
        report: &mut ScenarioReport,
    ) -> Option<SaleStatusResponse> {
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
        let deadline = Deadline::after(run.scenario.timeout);
        let mut polling = Polling::default();
        loop {
            let status = self
                .poll_once(run.number, sale, &url, &request, &mut polling, report)
                .await?;
            if status.state.is_final() {
                return Some(status);
            }
            if status.state == SaleState::RedirectRequest {
                outcome.redirect = true;
                if let Some(redirect_url) = status.redirect_url.as_deref()
                    && polling.opened.insert(redirect_url.to_owned())
                {
                    self.consumer_on_page(run, redirect_url, report).await;
                }
            }
            if deadline.passed() {
                let (timeout, state, polls) = (run.scenario.timeout, status.state, polling.total);
                let text = format!(
                    "sale did not reach a final state within {timeout:?} (still {state} after {polls} polls)"
                );
                report.fail(Some(run.number), text);
                return None;
            }
            deadline.pause(self.targets().poll_interval).await;
        }
    }

    /// One poll, with its steps and violations recorded; `None` without a usable answer (with a failure,
    /// or a violation when the answer broke the contract).
    async fn poll_once(
        &self,
        number: usize,
        sale: &GatewaySale,
        url: &Url,
        request: &SaleStatusRequest,
        polling: &mut Polling,
        report: &mut ScenarioReport,
    ) -> Option<SaleStatusResponse> {
        polling.polls += 1;
        polling.total += 1;
        match self.status_once(sale.flow, url, request).await {
            Ok((status, violations)) => {
                polling.record_change(number, sale.flow, url, &status, report);
                let found = answers::status_answer(sale, &status, &violations);
                polling.report_violations(number, found, report);
                Some(status)
            }
            Err(error) => {
                polling.record_error(number, sale.flow, url, &error, report);
                let found = error.violations(steps::of(sale.flow).status_response);
                polling.report_violations(number, found, report);
                if !error.is_breach() {
                    report.fail(Some(number), format!("{} status: {error}", sale.flow));
                }
                None
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

impl Polling {
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

    /// Records the step pair of a poll without a usable answer.
    fn record_error(
        &mut self,
        sale: usize,
        flow: Flow,
        url: &Url,
        error: &CallError,
        report: &mut ScenarioReport,
    ) {
        let flow_steps = steps::of(flow);
        self.record_request(sale, flow_steps.status_request, url, report);
        record_error(report, Some(sale), flow_steps.status_response, error);
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
