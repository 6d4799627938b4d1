//! `mobile-client load`: read one scenario, start what was not given by URL, run the flows with a progress
//! bar (on a terminal only), print the load report and choose the exit code.

use crate::cli::load::LoadArgs;
use crate::client::{EXIT_BAD_INPUT, EXIT_FAILED, EXIT_PASSED};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Runs `mobile-client load` and returns the process exit code: 0 when every flow passed, 1 otherwise
/// (2: the scenario file is wrong; 3: a server given by URL cannot be reached or the embedded ones
/// cannot start).
pub async fn run(args: LoadArgs) -> ExitCode {
    let scenario = match scenario::load_file(&args.scenario) {
        Ok(scenario) => scenario,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let (embedded, targets) = match crate::targets::connect(&args.targets).await {
        Ok(connected) => connected,
        Err(code) => return code,
    };
    let flows = usize::try_from(args.flows).unwrap_or(usize::MAX);
    let mut options = mobile::LoadOptions::new(flows, usize::from(args.concurrency));
    options.first_sale_only = args.first_sale;
    let bar = progress_bar(args.flows);
    options.progress = Some(progress(bar.clone()));
    let report = mobile::load(&scenario, &targets, options).await;
    bar.finish_and_clear();
    embedded.stop().await;
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = mobile::render_load(&report, &mut stdout).and_then(|()| stdout.flush()) {
        eprintln!("error: cannot write the report: {error}");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    ExitCode::from(exit_code(&report))
}

/// 0 when every flow ran and passed, else 1.
pub fn exit_code(report: &mobile::LoadReport) -> u8 {
    if report.all_passed() {
        EXIT_PASSED
    } else {
        EXIT_FAILED
    }
}

/// A bar on stderr when stdout is a terminal; hidden otherwise (a report piped to a file or read by a
/// script stays clean, and CI logs get no escape codes).
fn progress_bar(flows: u64) -> ProgressBar {
    if !std::io::stdout().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(flows), ProgressDrawTarget::stderr());
    let template = "{wide_bar} {pos}/{len} flows  {per_sec}  {msg}  eta {eta}";
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn progress(bar: ProgressBar) -> mobile::ProgressFn {
    let mut failed = 0;
    Box::new(move |progress: mobile::LoadProgress| {
        bar.set_position(progress.completed);
        if progress.failed != failed {
            failed = progress.failed;
            bar.set_message(format!("{failed} failed"));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::path::{Path, PathBuf};

    fn args(scenario: &str) -> LoadArgs {
        let parsed = crate::cli::mobile::ClientArgs::try_parse_from([
            "mobile-client",
            "load",
            scenario,
            "--poll-interval-ms",
            "5",
        ])
        .unwrap();
        match parsed.command {
            crate::cli::mobile::ClientCommand::Load(args) => args,
            _ => panic!("load expected"),
        }
    }

    fn repository_scenario(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../scenarios")
            .join(name)
    }

    async fn load(scenario: &scenario::Scenario, flows: usize) -> mobile::LoadReport {
        let (embedded, targets) = crate::targets::start_missing(&args("unused.toml").targets)
            .await
            .unwrap();
        let mut options = mobile::LoadOptions::new(flows, 4);
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = std::sync::Arc::clone(&seen);
        options.progress = Some(Box::new(move |progress| {
            counter.store(progress.completed, std::sync::atomic::Ordering::Relaxed);
        }));
        let report = mobile::load(scenario, &targets, options).await;
        embedded.stop().await;
        assert_eq!(
            seen.load(std::sync::atomic::Ordering::Relaxed),
            report.completed
        );
        report
    }

    fn rendered(report: &mobile::LoadReport) -> String {
        let mut out = Vec::new();
        mobile::render_load(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn twenty_three_ds_flows_pass_with_ordered_percentiles_and_every_hop() {
        let scenario = scenario::load_file(&repository_scenario("03-3ds-approved.toml")).unwrap();
        let report = load(&scenario, 20).await;
        let text = rendered(&report);
        assert_eq!((report.completed, report.failed), (20, 0), "{text}");
        assert!(report.all_passed() && report.failures.is_empty(), "{text}");
        assert_eq!(exit_code(&report), EXIT_PASSED);
        assert_eq!((report.concurrency, report.sales_per_flow), (4, 1));
        let latency = report.latency;
        assert_eq!(latency.count, 20);
        assert!(
            latency.min <= latency.p50 && latency.p50 <= latency.p95,
            "{text}"
        );
        assert!(
            latency.p95 <= latency.p99 && latency.p99 <= latency.max,
            "{text}"
        );
        assert!(report.flows_per_second() > 0.0);
        for (number, name) in [
            (7, "Perform sale response"),
            (13, "Open browser on redirectUrl"),
            (22, "Sale status response (final)"),
        ] {
            let hop = report
                .hops
                .iter()
                .find(|hop| hop.hop.number == number && hop.hop.name == name);
            let hop = hop.unwrap_or_else(|| panic!("no hop {number} {name} in\n{text}"));
            assert_eq!(hop.latency.count, 20, "{text}");
            assert!(hop.latency.p50 <= hop.latency.p99, "{text}");
        }
        assert!(text.ends_with("20 passed, 0 failed\n"), "{text}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_declined_sale_expected_approved_fails_every_flow_under_one_kind() {
        let text = "[consumer]\nserial_number = \"SN-LOAD-1\"\nprinted_name = \"JANE DOE\"\n\
            [[sale]]\namount_centis = 1250\ncurrency = \"EUR\"\n\
            card = { number = \"4111111111111111\", security_code = \"116\", expiry_month = 11, expiry_year = 2030 }\n\
            expect = { state = \"APPROVED\" }\n";
        let scenario =
            scenario::parse(text, Path::new("declined-but-expected-approved.toml")).unwrap();
        let report = load(&scenario, 12).await;
        let text = rendered(&report);
        assert_eq!(
            (report.completed, report.failed, report.passed()),
            (12, 12, 0),
            "{text}"
        );
        assert_eq!(report.failures.len(), 1, "{text}");
        let kind = &report.failures[0];
        assert_eq!(kind.count, 12, "{text}");
        assert!(kind.kind.starts_with("sale 1: "), "{text}");
        assert!(kind.kind.contains("DECLINED"), "{text}");
        assert_eq!(exit_code(&report), EXIT_FAILED);
        assert!(text.ends_with("0 passed, 12 failed\n"), "{text}");
    }
}
