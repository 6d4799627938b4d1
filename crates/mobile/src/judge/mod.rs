//! Judging what happened: what was seen, then how it compares with what the scenario expects.
//!
//! Seen: the app checks every answer it gets (`answers`, beyond the decoding and validation of
//! [`crate::app::wire`]), and once a sale is final it reads what the servers recorded of it (`records`):
//! the party's side of the flow and the violations each server saw. Compared: the violations seen with the
//! expected ones, both ways (`violations`), then the rest of the outcome with `[sale.expect]`
//! (`expectations`). Every mismatch is a failure of the report; this file gives the verdicts.

pub(crate) mod answers;
mod deliveries;
mod expectations;
mod outcomes;
mod records;
mod violations;

use sandbox_api::Observer;

use crate::app::SaleRun;
use crate::report::{PartyObservation, SaleOutcome, ScenarioReport};

/// Judges sale `run` once played: its violations first (they usually explain the rest), then its
/// expectations, its refusal and its attack; records the failures, and the expectations nothing could observe
/// as skipped.
pub(crate) fn sale(run: &SaleRun<'_>, outcome: &SaleOutcome, report: &mut ScenarioReport) {
    let expect = &run.sale.expect;
    // In the diagram's order, whoever saw them and whenever they were collected.
    let mut seen: Vec<_> = report.violations_of(run.number).cloned().collect();
    seen.sort_by_key(|violation| violation.step);
    // An expected violation of a server whose record could not be read is not observable.
    let unread = |observer| match observer {
        Observer::App => None,
        Observer::Gateway => unread_because(outcome.gateway, "gateway"),
        Observer::Party => unread_because(outcome.party, "Connecting Party server"),
    };
    let mut failures = violations::compare(expect, &seen, |observer| unread(observer).is_none());
    failures.extend(expectations::compare(expect, outcome, run.scenario.timeout));
    failures.extend(outcomes::compare(run.sale, outcome));
    let mut skipped = violations::unobservable(expect, &seen, unread);
    skipped.extend(expectations::unobservable(expect, outcome));
    let failed = !failures.is_empty();
    report.fail_all(Some(run.number), failures);
    if !failed {
        for what in skipped {
            report.skip_expectation(run.number, what);
        }
    }
}

/// Why a server's record was not read, when it was not: it has none, or the sale ended first.
fn unread_because(observation: PartyObservation, server: &str) -> Option<String> {
    match observation {
        PartyObservation::Seen => None,
        PartyObservation::NotObservable | PartyObservation::Deliveries => Some(format!(
            "the {server} has no sandbox record (GET /sim/sales/… answered 404)"
        )),
        PartyObservation::NotFetched => Some(format!(
            "the sale ended before the {server}'s record was read"
        )),
    }
}

/// Records a failure for each violation not tied to a sale: the consumer's authentication (steps 2–3)
/// belongs to no sale, so none is expected there.
pub(crate) fn unattached(report: &mut ScenarioReport) {
    let failures: Vec<String> = report
        .violations
        .iter()
        .filter(|seen| seen.sale.is_none())
        .map(|seen| violations::unexpected(&seen.violation))
        .collect();
    report.fail_all(None, failures);
}
