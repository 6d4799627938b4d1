//! `mobile-client run`: load scenarios, start what was not given by URL, run the scenarios concurrently,
//! print each report and the summary, and choose the exit code.

use crate::cli::mobile::RunArgs;
use std::collections::HashMap;
use std::fs::File;
use std::future::Future;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Every scenario passed.
pub const EXIT_PASSED: u8 = 0;
/// A scenario failed: an expectation or a contract rule.
pub const EXIT_FAILED: u8 = 1;
/// A scenario file or the command line is wrong.
pub const EXIT_BAD_INPUT: u8 = 2;
/// A server given by URL cannot be reached.
pub const EXIT_UNREACHABLE: u8 = 3;

/// Runs `mobile-client run` and returns the process exit code.
pub async fn run(args: RunArgs) -> ExitCode {
    let loaded = scenario::load_paths(&args.paths);
    for error in &loaded.errors {
        eprintln!("error: {error}");
    }
    if loaded.scenarios.is_empty() {
        eprintln!("error: no scenario to run in {}", display_paths(&args));
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    let (embedded, targets) = match crate::targets::connect(&args.targets).await {
        Ok(connected) => connected,
        Err(code) => return code,
    };
    let reports = run_all(loaded.scenarios, targets, usize::from(args.jobs)).await;
    embedded.stop().await;
    if let Err(error) = print_and_write_reports(&args, &reports) {
        eprintln!("error: {error}");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    if !loaded.errors.is_empty() {
        eprintln!(
            "{} scenario file(s) could not be read; see the errors above",
            loaded.errors.len()
        );
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    let all_passed = reports.iter().all(mobile::ScenarioReport::passed);
    ExitCode::from(if all_passed { EXIT_PASSED } else { EXIT_FAILED })
}

/// Prints each report and the summary, and writes the files asked for (diagrams, JUnit, JSON).
fn print_and_write_reports(
    args: &RunArgs,
    reports: &[mobile::ScenarioReport],
) -> Result<(), String> {
    let diagrams = match &args.diagrams {
        Some(dir) => Some(
            write_diagrams(dir, reports)
                .map_err(|error| format!("cannot write diagrams to {}: {error}", dir.display()))?,
        ),
        None => None,
    };
    let mut stdout = std::io::stdout().lock();
    reports
        .iter()
        .try_for_each(|report| mobile::render(report, &mut stdout))
        .and_then(|()| mobile::render_summary(reports, diagrams.as_deref(), &mut stdout))
        .and_then(|()| stdout.flush())
        .map_err(|error| format!("cannot write the report: {error}"))?;
    if let Some(path) = &args.junit {
        write_file(path, |file| mobile::write_junit(reports, file))?;
    }
    if let Some(path) = &args.json {
        write_file(path, |file| mobile::write_json(reports, file))?;
    }
    Ok(())
}

fn write_diagrams(dir: &Path, reports: &[mobile::ScenarioReport]) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    reports
        .iter()
        .map(|report| mobile::write_diagram(report, dir))
        .collect()
}

fn write_file(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), String> {
    let file =
        File::create(path).map_err(|error| format!("cannot create {}: {error}", path.display()))?;
    let mut writer = BufWriter::new(file);
    write(&mut writer)
        .and_then(|()| writer.flush())
        .map_err(|error| format!("cannot write {}: {error}", path.display()))
}

/// Runs every scenario, at most `jobs` at a time, and returns one report per scenario, in the scenarios' order.
pub async fn run_all(
    scenarios: Vec<scenario::Scenario>,
    targets: mobile::Targets,
    jobs: usize,
) -> Vec<mobile::ScenarioReport> {
    let targets = Arc::new(targets);
    let play = move |scenario: Arc<scenario::Scenario>| {
        let targets = Arc::clone(&targets);
        async move { mobile::run(&scenario, &targets).await }
    };
    run_each(scenarios, jobs, play).await
}

/// Plays each scenario with `play`, each in its own task, at most `jobs` at a time, and returns one report per
/// scenario, in the scenarios' order: a task that panics or is cancelled gives a failed report with the
/// scenario's name and the panic's message, so no loaded scenario can go missing from the verdict.
pub async fn run_each<Play, Played>(
    scenarios: Vec<scenario::Scenario>,
    jobs: usize,
    play: Play,
) -> Vec<mobile::ScenarioReport>
where
    Play: Fn(Arc<scenario::Scenario>) -> Played,
    Played: Future<Output = mobile::ScenarioReport> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(jobs.max(1)));
    let scenarios: Vec<Arc<scenario::Scenario>> = scenarios.into_iter().map(Arc::new).collect();
    let mut running = JoinSet::new();
    let mut index_of = HashMap::new();
    for (index, scenario) in scenarios.iter().enumerate() {
        let permits = Arc::clone(&permits);
        let played = play(Arc::clone(scenario));
        let task = running.spawn(async move {
            let _permit = permits.acquire_owned().await;
            played.await
        });
        index_of.insert(task.id(), index);
    }
    let mut reports: Vec<Option<mobile::ScenarioReport>> = vec![None; scenarios.len()];
    while let Some(joined) = running.join_next_with_id().await {
        let (id, report) = match joined {
            Ok((id, report)) => (id, Ok(report)),
            Err(error) => (error.id(), Err(error)),
        };
        let Some(&index) = index_of.get(&id) else {
            continue;
        };
        let Some(scenario) = scenarios.get(index) else {
            continue;
        };
        let report = report.unwrap_or_else(|error| {
            let why = task_failure(error);
            tracing::error!(scenario = %scenario.name, %why, "a scenario task failed");
            mobile::ScenarioReport::not_played(scenario, why)
        });
        if let Some(slot) = reports.get_mut(index) {
            *slot = Some(report);
        }
    }
    reports
        .into_iter()
        .zip(&scenarios)
        .map(|(report, scenario)| {
            report.unwrap_or_else(|| {
                mobile::ScenarioReport::not_played(scenario, "the scenario's task never ended")
            })
        })
        .collect()
}

/// Why a scenario's task ended without a report: its panic's message, or that it was cancelled.
fn task_failure(error: tokio::task::JoinError) -> String {
    if error.is_cancelled() {
        return "the scenario's task was cancelled before it ended".to_owned();
    }
    let message = match error.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned()),
        Err(error) => error.to_string(),
    };
    format!("the scenario's task panicked: {message}")
}

fn display_paths(args: &RunArgs) -> String {
    args.paths
        .iter()
        .map(|path| path.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
