//! Reporting: what a run produced, and the formats it is written in.
//!
//! The model is [`ScenarioReport`]: the step log ([`Step`]s, numbered as in [`steps`]), one
//! [`SaleOutcome`] per sale played, the contract violations seen ([`ObservedViolation`]) and the failures.
//! The app fills it in as it plays, the judge adds its failures; the formats only read it.
//!
//! The files are listed in the crate's `# Layout`.

pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod load;
pub(crate) mod mermaid;
mod outcome;
#[cfg(test)]
pub(crate) mod sample;
mod side_log;
pub(crate) mod steps;
pub(crate) mod text;

use std::fmt::Display;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use sandbox_api::ContractViolation;
use scenario::Scenario;

pub use outcome::{ObservedRefusal, PartyObservation, SaleOutcome};
pub(crate) use side_log::SideLog;

/// The result of playing one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioReport {
    /// The scenario's name.
    pub name: String,
    /// The scenario's file.
    pub file: PathBuf,
    /// The steps taken or observed, in the order they happened.
    pub steps: Vec<Step>,
    /// One outcome per sale played (a sale that was never started has none).
    pub sales: Vec<SaleOutcome>,
    /// Everything that went wrong or differed from the expectations; empty when the scenario passed. An
    /// unexpected contract violation, or an expected one not seen, is a failure too.
    pub failures: Vec<String>,
    /// Every contract violation seen in the run, expected or not: by the app in the answers it got, and
    /// by the gateway and the Connecting Party server as their sandbox records of each sale tell.
    pub violations: Vec<ObservedViolation>,
    /// Why the scenario was skipped, when a server it needs cannot play its part (a Connecting Party server
    /// without the sandbox's `/sim/` misbehaviour control); a skipped scenario has no failure.
    pub skipped: Option<String>,
    /// The expectations no part of the sandbox could observe, one line each (`sale 1: callback: not observable:
    /// …`): never folded into a pass, a scenario with one and no failure is skipped.
    pub skipped_expectations: Vec<String>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// When the run started: each step's [`Step::elapsed`] counts from here.
    started: Instant,
    /// How each sale, by its 1-based position, is named: `sale 1`, `verification 1` (see [`Self::label`]).
    labels: Vec<String>,
}

/// A contract violation and the sale it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedViolation {
    /// The sale, 1-based; `None` for the consumer's authentication (steps 2–3), which is no sale's.
    pub sale: Option<usize>,
    /// What was broken, where, and who saw it.
    pub violation: ContractViolation,
}

impl ScenarioReport {
    /// An empty report for `scenario`, its clock started.
    pub(crate) fn new(scenario: &Scenario) -> Self {
        Self {
            labels: scenario.sales.iter().map(scenario::Sale::label).collect(),
            ..Self::named(&scenario.name, scenario.file.clone())
        }
    }

    /// How the sale at 1-based position `sale` is named in reports: `sale 2`, `verification 1` (each numbered
    /// among its own flow); `sale N` for a position the scenario did not name.
    pub fn label(&self, sale: usize) -> String {
        sale.checked_sub(1)
            .and_then(|index| self.labels.get(index))
            .cloned()
            .unwrap_or_else(|| format!("sale {sale}"))
    }

    /// An empty report for a scenario named `name` from `file`, its clock started.
    pub(crate) fn named(name: &str, file: impl Into<PathBuf>) -> Self {
        Self {
            name: name.to_owned(),
            file: file.into(),
            steps: Vec::new(),
            sales: Vec::new(),
            failures: Vec::new(),
            violations: Vec::new(),
            skipped: None,
            skipped_expectations: Vec::new(),
            elapsed: Duration::ZERO,
            started: Instant::now(),
            labels: Vec::new(),
        }
    }

    /// Sets [`elapsed`](Self::elapsed) to the time since the run started.
    pub(crate) fn finish(&mut self) {
        self.elapsed = self.started.elapsed();
    }

    /// The violations of sale `sale` (1-based).
    pub fn violations_of(&self, sale: usize) -> impl Iterator<Item = &ContractViolation> {
        self.violations
            .iter()
            .filter(move |seen| seen.sale == Some(sale))
            .map(|seen| &seen.violation)
    }

    /// A report of a scenario that could not be played to the end by its own task (it panicked or was
    /// cancelled): a failure naming why, so that every loaded scenario has a verdict.
    pub fn not_played(scenario: &Scenario, why: impl Display) -> Self {
        let mut report = Self::new(scenario);
        report.fail(None, why);
        report.finish();
        report
    }

    /// Whether nothing failed (a skipped scenario did not fail; see [`verdict`](Self::verdict)).
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// `FAIL` with a failure; else `SKIP` when the scenario, or one of its expectations, could not be played or
    /// observed; else `PASS`.
    pub fn verdict(&self) -> Verdict {
        if !self.failures.is_empty() {
            Verdict::Fail
        } else if self.skipped.is_some() || !self.skipped_expectations.is_empty() {
            Verdict::Skip
        } else {
            Verdict::Pass
        }
    }

    /// Why the scenario is skipped, on one line: the whole scenario's reason, or its expectations not observable;
    /// `None` unless the verdict is `SKIP`.
    pub fn skip_reason(&self) -> Option<String> {
        if self.verdict() != Verdict::Skip {
            return None;
        }
        let reasons: Vec<&str> = self
            .skipped
            .iter()
            .chain(&self.skipped_expectations)
            .map(String::as_str)
            .collect();
        Some(reasons.join("; "))
    }

    /// Records an expectation of sale `sale` that no part of the sandbox could observe.
    pub(crate) fn skip_expectation(&mut self, sale: usize, what: impl Display) {
        let line = format!("sale {sale}: {what}");
        tracing::debug!(scenario = %self.name, skipped = %line, "expectation not observable");
        self.skipped_expectations.push(line);
    }

    /// Marks the scenario skipped: it stops, and nothing it did not reach is judged.
    pub(crate) fn skip(&mut self, reason: impl Into<String>) {
        let reason = reason.into();
        tracing::debug!(scenario = %self.name, %reason, "skipped");
        self.skipped = Some(reason);
    }

    /// The line that says best why the scenario failed: its first failure (a sale's violations are judged
    /// before its expectations, so an unexpected violation comes before what it caused); `None` when it
    /// passed.
    pub fn headline(&self) -> Option<&str> {
        self.failures.first().map(String::as_str)
    }

    /// Records a step of sale `sale` (`None`: not tied to a sale) whose message(s) did travel.
    pub(crate) fn step(&mut self, sale: Option<usize>, at: dapi::Step, detail: impl Into<String>) {
        self.record_step(sale, at, detail.into(), true);
    }

    /// Records a step whose message did not travel, or not observably: no answer, none received, not
    /// observable. The step log shows it all the same; a diagram shows it as a note, not an arrow.
    pub(crate) fn unseen_step(
        &mut self,
        sale: Option<usize>,
        at: dapi::Step,
        detail: impl Into<String>,
    ) {
        self.record_step(sale, at, detail.into(), false);
    }

    /// Records a step, travelled or not (see [`unseen_step`](Self::unseen_step)).
    pub(crate) fn record_step(
        &mut self,
        sale: Option<usize>,
        at: dapi::Step,
        detail: String,
        traveled: bool,
    ) {
        self.record_step_at(Instant::now(), sale, at, detail, traveled);
    }

    /// Records a step that happened at `when`, in its place among the steps recorded so far (a step recorded
    /// apart, [`SideLog`], may be older than the last one).
    pub(crate) fn record_step_at(
        &mut self,
        when: Instant,
        sale: Option<usize>,
        at: dapi::Step,
        detail: String,
        traveled: bool,
    ) {
        let step = Step {
            sale,
            number: at.number,
            name: at.name,
            detail,
            elapsed: when.saturating_duration_since(self.started),
            traveled,
        };
        tracing::debug!(scenario = %self.name, sale = ?step.sale, step = step.number, name = step.name, detail = %step.detail);
        let place = self
            .steps
            .iter()
            .rposition(|earlier| earlier.elapsed <= step.elapsed)
            .map_or(0, |index| index + 1);
        self.steps.insert(place, step);
    }

    /// Records a failure, prefixed with `sale N: ` (or `verification N: `) when it concerns a sale.
    pub(crate) fn fail(&mut self, sale: Option<usize>, message: impl Display) {
        let failure = match sale {
            Some(number) => format!("{}: {message}", self.label(number)),
            None => message.to_string(),
        };
        tracing::debug!(scenario = %self.name, %failure, "failure");
        self.failures.push(failure);
    }

    /// Records each of `failures` (see [`fail`](Self::fail)).
    pub(crate) fn fail_all(&mut self, sale: Option<usize>, failures: Vec<String>) {
        for failure in failures {
            self.fail(sale, failure);
        }
    }

    /// Records a contract violation of sale `sale` (`None`: not tied to a sale).
    pub(crate) fn violation(&mut self, sale: Option<usize>, violation: ContractViolation) {
        tracing::debug!(scenario = %self.name, sale = ?sale, %violation, "contract violation");
        self.violations.push(ObservedViolation { sale, violation });
    }

    /// Records each of `violations` (see [`violation`](Self::violation)).
    pub(crate) fn violations_seen(
        &mut self,
        sale: Option<usize>,
        violations: impl IntoIterator<Item = ContractViolation>,
    ) {
        for violation in violations {
            self.violation(sale, violation);
        }
    }
}

/// One step of the spec's diagram, taken by the client or observed at the party.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The sale it belongs to, 1-based; `None` for the consumer's authentication.
    pub sale: Option<usize>,
    /// The diagram's step number (spec 2.1; the card reference look-up is spec 2.2's step 4).
    pub number: u8,
    /// The diagram's name of the step, e.g. `Perform sale request`.
    pub name: &'static str,
    /// What happened, briefly: never a full card number, a CVV, a password or a control key.
    pub detail: String,
    /// When it was recorded, counted from the start of the scenario's run.
    pub elapsed: Duration,
    /// Whether the message(s) did travel (see [`ScenarioReport::unseen_step`]); crate-private because it
    /// only steers the diagram.
    pub(crate) traveled: bool,
}

impl Step {
    /// Whether this is a record of `at` (one of [`steps`]).
    pub(crate) fn is(&self, at: dapi::Step) -> bool {
        self.number == at.number && self.name == at.name
    }
}

/// A scenario's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every expectation was observed and met.
    Pass,
    /// Something failed: an expectation, a contract rule, the run itself.
    Fail,
    /// Nothing failed, but the scenario or one of its expectations could not be played or observed.
    Skip,
}

impl Verdict {
    /// `PASS`, `FAIL` or `SKIP`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Skip => "SKIP",
        }
    }
}

/// How many of a run's scenarios passed, failed and were skipped; they add up to the number of reports.
pub(crate) struct Verdicts {
    /// Ran and passed.
    pub(crate) passed: usize,
    /// Failed.
    pub(crate) failed: usize,
    /// Skipped without failing.
    pub(crate) skipped: usize,
}

impl Verdicts {
    /// The counts of `reports`: each report is counted once, by its [`ScenarioReport::verdict`].
    pub(crate) fn of(reports: &[ScenarioReport]) -> Self {
        let count = |verdict| {
            reports
                .iter()
                .filter(|report| report.verdict() == verdict)
                .count()
        };
        Self {
            passed: count(Verdict::Pass),
            failed: count(Verdict::Fail),
            skipped: count(Verdict::Skip),
        }
    }
}

/// `1 poll`, `2 polls`: a count and its noun, as every report line words it.
pub(crate) fn plural<N: Display + PartialEq + From<u8>>(count: N, one: &str, many: &str) -> String {
    if count == N::from(1) {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}
