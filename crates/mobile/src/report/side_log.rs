//! [`SideLog`]: steps, violations and failures recorded apart from the report while another part of the app
//! records its own — the consumer on the 3-D Secure page while the app keeps polling (spec 3.6) — and merged
//! into the report afterwards, each step in the place its time gives it.
//!
//! The page writes through a shared reference (a `std` mutex, never held across an `.await`), so what it
//! recorded survives the app closing the page under it.

use std::fmt::Display;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use sandbox_api::ContractViolation;

use crate::report::ScenarioReport;

/// What one side of the app saw, in order; every entry belongs to one sale.
#[derive(Debug)]
pub(crate) struct SideLog {
    sale: usize,
    entries: Mutex<Entries>,
}

/// The entries recorded so far.
#[derive(Debug, Default)]
pub(crate) struct Entries {
    steps: Vec<(Instant, dapi::Step, String, bool)>,
    violations: Vec<ContractViolation>,
    failures: Vec<String>,
}

impl SideLog {
    /// An empty log of sale `sale`.
    pub(crate) fn new(sale: usize) -> Self {
        Self {
            sale,
            entries: Mutex::default(),
        }
    }

    /// The sale it belongs to.
    pub(crate) fn sale(&self) -> usize {
        self.sale
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A step whose message travelled, now (see [`ScenarioReport::step`]).
    pub(crate) fn step(&self, at: dapi::Step, detail: impl Into<String>) {
        let step = (Instant::now(), at, detail.into(), true);
        self.entries().steps.push(step);
    }

    /// A contract violation of the sale.
    pub(crate) fn violation(&self, violation: ContractViolation) {
        self.entries().violations.push(violation);
    }

    /// A failure of the sale.
    pub(crate) fn fail(&self, message: impl Display) {
        self.entries().failures.push(message.to_string());
    }
}

impl ScenarioReport {
    /// Moves what `log` recorded so far into the report: its steps where their times put them among the steps
    /// recorded meanwhile, then its violations and failures. The log is empty afterwards.
    pub(crate) fn merge(&mut self, log: &SideLog) {
        let Entries {
            steps,
            violations,
            failures,
        } = std::mem::take(&mut *log.entries());
        let sale = Some(log.sale);
        for (at, step, detail, traveled) in steps {
            self.record_step_at(at, sale, step, detail, traveled);
        }
        self.violations_seen(sale, violations);
        self.fail_all(sale, failures);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::steps;

    #[test]
    fn merged_steps_take_their_place_in_time() {
        let mut report = ScenarioReport::named("s", "s.toml");
        let page = SideLog::new(1);
        page.step(steps::OPEN_BROWSER, "GET /sim/3ds/t");
        report.step(Some(1), steps::SALE_STATUS_REQUEST, "POST … (1 poll)");
        page.fail("the page has no <form>");
        report.merge(&page);
        let names: Vec<u8> = report.steps.iter().map(|step| step.number).collect();
        assert_eq!(names, [13, 11], "the page was opened before the poll");
        assert_eq!(report.failures, ["sale 1: the page has no <form>"]);
        assert!(report.steps[0].elapsed <= report.steps[1].elapsed);
        report.merge(&page);
        assert_eq!(report.steps.len(), 2, "a merged log is empty");
    }
}
