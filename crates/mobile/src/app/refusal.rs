//! The refusals a sale expects (`expect.refused`), as the app plays them: what an exchange gave where a refusal
//! is expected ([`expected_refusal`]: the refusal kept for the judge, or a failure when an answer came instead),
//! `perform-twice`'s second perform, and how a mistake and an unexpected answer read in the step log.

use dapi::PerformSaleCause;
use dapi::messages::perform::{PerformSaleRequest, PerformSaleResponse};

use crate::app::client::Client;
use crate::app::exchange::{Exchange, Reply};
use crate::app::wire::CallError;
use crate::app::{SaleRun, mistakes};
use crate::report::{SaleOutcome, ScenarioReport};

impl Client {
    /// `perform-twice`: the same perform sale again, whose refusal the sale expects.
    pub(super) async fn perform_again(
        &self,
        run: &SaleRun<'_>,
        exchange: Exchange<'_>,
        url: Result<url::Url, CallError>,
        request: &PerformSaleRequest,
        outcome: &mut SaleOutcome,
        report: &mut ScenarioReport,
    ) {
        let reply = self
            .exchange_or_refusal::<PerformSaleResponse, PerformSaleCause>(
                exchange, url, request, report,
            )
            .await;
        expected_refusal(run, 7, reply, outcome, report, describe_token);
    }
}

/// ` (on purpose: …)` for the request step of a sale with a mistake, else nothing.
pub(super) fn mistake_note(run: &SaleRun<'_>) -> String {
    run.sale
        .mistake
        .map(|mistake| format!(" (on purpose: {})", mistakes::describe(mistake)))
        .unwrap_or_default()
}

/// How a perform answer reads in a failure.
pub(super) fn describe_token(answer: &PerformSaleResponse) -> String {
    format!(
        "the gateway answered session.token {}",
        sandbox_api::text::short(answer.session.token.as_str())
    )
}

/// What an exchange gave, where `step` (0: none) is where the sale expects its refusal: the answer to go on
/// with, or `None` with the refusal kept in `outcome`, or a failure when an answer came instead (`accepted`
/// says what it was).
pub(super) fn expected_refusal<R>(
    run: &SaleRun<'_>,
    step: u8,
    reply: Reply<R>,
    outcome: &mut SaleOutcome,
    report: &mut ScenarioReport,
    accepted: impl FnOnce(&R) -> String,
) -> Option<R> {
    match reply {
        Reply::Refused(refusal) => {
            outcome.refusal = Some(refusal);
            None
        }
        Reply::Answer(answer) if step > 0 => {
            let expected = run
                .sale
                .expect
                .refused
                .as_ref()
                .map(|refused| refused.answer.to_string());
            let expected = expected.unwrap_or_default();
            let text = format!(
                "step {step}: expected a refusal ({expected}), {}",
                accepted(&answer)
            );
            report.fail(Some(run.number), text);
            None
        }
        Reply::Answer(answer) => Some(answer),
        Reply::Failed => None,
    }
}
