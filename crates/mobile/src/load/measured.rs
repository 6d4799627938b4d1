//! What a load run measured: [`LoadReport`], with the [`Latency`] of whole flows and of each [`Hop`], and
//! the failed flows grouped by [`FailureKind`].

use std::path::PathBuf;
use std::time::Duration;

/// What a load run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadReport {
    /// The scenario's name.
    pub scenario: String,
    /// The scenario's file.
    pub file: PathBuf,
    /// Sales played per flow.
    pub sales_per_flow: usize,
    /// Whether only the first sale was played (see [`crate::LoadOptions::first_sale_only`]).
    pub first_sale_only: bool,
    /// Flows asked for.
    pub flows: u64,
    /// Flows running at the same time.
    pub concurrency: usize,
    /// Flows that ran to their end, passed or failed.
    pub completed: u64,
    /// Flows with at least one failure.
    pub failed: u64,
    /// Wall-clock time from the first flow's start to the last flow's end.
    pub elapsed: Duration,
    /// Latency of whole flows.
    pub latency: Latency,
    /// Latency of each hop of the diagram, in their usual order in a flow.
    pub hops: Vec<HopLatency>,
    /// Failed flows grouped by their first failure, most frequent first.
    pub failures: Vec<FailureKind>,
}

impl LoadReport {
    /// Flows that ran to their end and passed.
    pub fn passed(&self) -> u64 {
        self.completed.saturating_sub(self.failed)
    }

    /// Whether every flow asked for ran and passed.
    pub fn all_passed(&self) -> bool {
        self.completed == self.flows && self.failed == 0 && self.failures.is_empty()
    }

    /// Completed flows (passed or failed) per second of wall-clock time.
    pub fn flows_per_second(&self) -> f64 {
        per_second(self.completed, self.elapsed)
    }

    /// Passed flows per second of wall-clock time.
    pub fn passed_per_second(&self) -> f64 {
        per_second(self.passed(), self.elapsed)
    }
}

fn per_second(count: u64, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 {
        // u64 to f64 has no `From` (and `as` is linted); no run comes near 4 billion flows.
        let count = f64::from(u32::try_from(count).unwrap_or(u32::MAX));
        count / seconds
    } else {
        0.0
    }
}

/// Latency percentiles of a set of samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Latency {
    /// How many samples.
    pub count: u64,
    /// The smallest.
    pub min: Duration,
    /// The arithmetic mean.
    pub mean: Duration,
    /// The median.
    pub p50: Duration,
    /// The 95th percentile.
    pub p95: Duration,
    /// The 99th percentile.
    pub p99: Duration,
    /// The largest.
    pub max: Duration,
}

/// One hop of the diagram as the step log names it. A step that occurs several times in one flow (the
/// status poll pair 11–12, once per state the sale passes through) is told apart by `occurrence`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Hop {
    /// The sale, 1-based; `None` for the consumer's authentication (steps 2–3).
    pub sale: Option<usize>,
    /// How the report names that sale (`sale 1`, `verification 1`); empty for the authentication.
    pub label: String,
    /// The diagram's step number (0: the sandbox misbehaviour set-up).
    pub number: u8,
    /// The diagram's name of the step.
    pub name: &'static str,
    /// 1 for the first time this step is recorded in a flow, 2 for the second, and so on.
    pub occurrence: u32,
}

/// The latency of one hop: the time from the previous step of the flow (or from its start) until this
/// step was recorded. For a response that is the round trip of its request; for a status request it is
/// the polling until the state changed; a flow's hops add up to its latency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HopLatency {
    /// Which hop.
    pub hop: Hop,
    /// Its latency over all flows that took it.
    pub latency: Latency,
}

/// Failed flows that share their first failure, once ids that differ from flow to flow are blanked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailureKind {
    /// The first failure with invoice ids, tokens and counts replaced by placeholders.
    pub kind: String,
    /// How many flows failed first this way.
    pub count: u64,
    /// One of them as it was reported, ids and all.
    pub example: String,
}
