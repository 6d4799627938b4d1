//! The load mode: one scenario played as many flows at once, to see how fast the parties go and where
//! a flow spends its time.
//!
//! Each flow is a full [`Client::run`] of the scenario (by default every sale, or only the first with
//! [`LoadOptions::first_sale_only`]), checks and all, so a load run finds the same failures a single
//! run would. `concurrency` workers share one [`Client`] (one connection pool, like an app's backend
//! of many devices would not, but like a load generator should) and take flows from a counter until
//! `flows` were started. Finished reports go to the caller's task, which folds them into
//! histograms and drops them, so memory stays flat for any number of flows. Its text is
//! [`crate::render_load`].
//!
//! The files are listed in the crate's `# Layout`.

mod measured;
mod tally;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use scenario::Scenario;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::app::client::Client;
use crate::{ScenarioReport, Targets};
pub use measured::{FailureKind, Hop, HopLatency, Latency, LoadReport};
use tally::Tally;

/// Called on the task running [`load`] after each finished flow.
pub type ProgressFn = Box<dyn FnMut(LoadProgress) + Send>;

/// How many flows, how many at once, and what to tell while it runs.
pub struct LoadOptions {
    /// Flows to run in all.
    pub flows: usize,
    /// Flows running at the same time (at least 1).
    pub concurrency: usize,
    /// Play only the scenario's first sale in each flow (a repeat sale needs its earlier sale, so the
    /// first sale always stands alone); `false` plays every sale.
    pub first_sale_only: bool,
    /// Told after each finished flow, e.g. to move a progress bar.
    pub progress: Option<ProgressFn>,
}

impl fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadOptions")
            .field("flows", &self.flows)
            .field("concurrency", &self.concurrency)
            .field("first_sale_only", &self.first_sale_only)
            .field("progress", &self.progress.as_ref().map(|_| "FnMut"))
            .finish()
    }
}

impl LoadOptions {
    /// `flows` flows of the whole scenario, `concurrency` at a time, no progress callback.
    pub fn new(flows: usize, concurrency: usize) -> Self {
        Self {
            flows,
            concurrency,
            first_sale_only: false,
            progress: None,
        }
    }
}

/// Where a load run is, as given to [`LoadOptions::progress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadProgress {
    /// Flows finished so far.
    pub completed: u64,
    /// Of those, flows that failed.
    pub failed: u64,
    /// Flows to run in all.
    pub flows: u64,
}

/// Runs `options.flows` flows of `scenario` against `targets`, `options.concurrency` at a time, and
/// measures them. Never panics; a flow that fails is counted by its first failure, and a worker task
/// that dies (it should not: [`Client::run`] never panics) leaves its flows uncompleted.
pub async fn load(scenario: &Scenario, targets: &Targets, options: LoadOptions) -> LoadReport {
    let LoadOptions {
        flows,
        concurrency,
        first_sale_only,
        mut progress,
    } = options;
    let played = played(scenario, first_sale_only);
    let mut report = LoadReport {
        scenario: scenario.name.clone(),
        file: scenario.file.clone(),
        sales_per_flow: played.sales.len(),
        first_sale_only,
        flows: u64::try_from(flows).unwrap_or(u64::MAX),
        concurrency: concurrency.clamp(1, flows.max(1)),
        completed: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        latency: Latency::default(),
        hops: Vec::new(),
        failures: Vec::new(),
    };
    let mut tally = Tally::new();
    let client = match Client::new(targets) {
        Ok(client) => client,
        Err(error) => {
            let text = format!("cannot build the HTTP client: {error}");
            tally.count_failure(text.clone(), &text, report.flows);
            finish(&mut report, tally);
            return report;
        }
    };
    let started = Instant::now();
    let (done, mut finished) = mpsc::channel::<ScenarioReport>(report.concurrency);
    let workers = spawn_workers(client, Arc::new(played), flows, report.concurrency, done);
    while let Some(flow) = finished.recv().await {
        tally.add(&flow);
        if let Some(progress) = progress.as_mut() {
            progress(LoadProgress {
                completed: tally.completed,
                failed: tally.failed,
                flows: report.flows,
            });
        }
    }
    report.elapsed = started.elapsed();
    join(workers).await;
    finish(&mut report, tally);
    report
}

/// The scenario each flow plays: all of it, or its first sale alone.
fn played(scenario: &Scenario, first_sale_only: bool) -> Scenario {
    let mut played = scenario.clone();
    if first_sale_only {
        played.sales.truncate(1);
    }
    played
}

/// `concurrency` tasks that each run flows until `flows` were started, sending every report to `done`.
fn spawn_workers(
    client: Client,
    scenario: Arc<Scenario>,
    flows: usize,
    concurrency: usize,
    done: mpsc::Sender<ScenarioReport>,
) -> JoinSet<()> {
    let started = Arc::new(AtomicUsize::new(0));
    let mut workers = JoinSet::new();
    for _ in 0..concurrency.min(flows) {
        let (client, scenario) = (client.clone(), Arc::clone(&scenario));
        let (started, done) = (Arc::clone(&started), done.clone());
        workers.spawn(async move {
            // Relaxed is enough: the counter only hands out distinct numbers, it orders nothing else.
            while started.fetch_add(1, Ordering::Relaxed) < flows {
                let report = client.run(&scenario).await;
                if done.send(report).await.is_err() {
                    break;
                }
            }
        });
    }
    workers
}

async fn join(mut workers: JoinSet<()>) {
    while let Some(joined) = workers.join_next().await {
        if let Err(error) = joined {
            tracing::error!(%error, "a load worker failed");
        }
    }
}

fn finish(report: &mut LoadReport, tally: Tally) {
    report.completed = tally.completed;
    report.failed = tally.failed;
    let (latency, hops, failures) = tally.finish();
    report.latency = latency;
    report.hops = hops;
    report.failures = failures;
}
