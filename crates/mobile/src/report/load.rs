//! Text output of a load run, for people:
//!
//! ```text
//! load  3-D Secure sale approved  (scenarios/03-3ds-approved.toml): whole scenario, 1 sale per flow
//! flows      200 completed in 1.02 s, 196.1 flows/s, concurrency 8; 200 passed, 0 failed
//! latency    p50 38.91 ms  p95 49.98 ms  p99 55.01 ms  (min 30.12, mean 39.40, max 57.73 ms)
//! hops       time since the previous step, ms            count      p50      p95      p99      max
//!            step  2  Request access token                 200     0.02     0.05     0.09     0.20
//!   sale 1   step  4  Initiate sale request                200     0.50     0.90     1.20     2.00
//! failures   none
//! 200 passed, 0 failed
//! ```

use std::io::{self, Write};
use std::time::Duration;

use crate::load::{Hop, Latency, LoadReport};
use crate::report::plural;
use crate::report::text::step_number;

/// Writes `report`: what ran, throughput, flow latency percentiles, one line per hop of the diagram,
/// one line per kind of first failure (with an example as reported), and the closing count.
///
/// # Errors
/// When writing to `out` fails.
pub fn render_load(report: &LoadReport, out: &mut impl Write) -> io::Result<()> {
    let played = if report.first_sale_only {
        "first sale only"
    } else {
        "whole scenario"
    };
    let sales = plural(report.sales_per_flow, "sale", "sales");
    // A verification counts as a sale here; the hops say which is which.
    writeln!(
        out,
        "load  {}  ({}): {played}, {sales} per flow",
        report.scenario,
        report.file.display()
    )?;
    writeln!(
        out,
        "flows      {} of {} completed in {:.2} s, {:.1} flows/s, concurrency {}; {} passed, {} failed",
        report.completed,
        report.flows,
        report.elapsed.as_secs_f64(),
        report.flows_per_second(),
        report.concurrency,
        report.passed(),
        report.failed
    )?;
    writeln!(out, "latency    {}", summary(&report.latency))?;
    write_hops(report, out)?;
    if report.failures.is_empty() {
        writeln!(out, "failures   none")?;
    } else {
        writeln!(out, "failures   by first failure, most frequent first")?;
        for kind in &report.failures {
            writeln!(out, "  {:>7}  {}", kind.count, kind.kind)?;
            if kind.example != kind.kind {
                writeln!(out, "           e.g. {}", kind.example)?;
            }
        }
    }
    let unfinished = report.flows.saturating_sub(report.completed);
    writeln!(
        out,
        "{} passed, {} failed",
        report.passed(),
        report.failed + unfinished
    )
}

fn write_hops(report: &LoadReport, out: &mut impl Write) -> io::Result<()> {
    let labels: Vec<String> = report.hops.iter().map(|hop| label(&hop.hop)).collect();
    let width = labels
        .iter()
        .map(|label| label.chars().count())
        .max()
        .unwrap_or(0);
    let sale_width = report
        .hops
        .iter()
        .map(|hop| hop.hop.label.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    writeln!(
        out,
        "{:<head$}{:<width$}  {:>7}  {:>8}  {:>8}  {:>8}  {:>8}",
        "hops",
        "time since the previous step, ms",
        "count",
        "p50",
        "p95",
        "p99",
        "max",
        head = sale_width + 4
    )?;
    for (hop, label) in report.hops.iter().zip(&labels) {
        let sale = &hop.hop.label;
        let latency = &hop.latency;
        writeln!(
            out,
            "  {sale:<sale_width$}  {label:<width$}  {:>7}  {:>8}  {:>8}  {:>8}  {:>8}",
            latency.count,
            millis(latency.p50),
            millis(latency.p95),
            millis(latency.p99),
            millis(latency.max)
        )?;
    }
    Ok(())
}

/// `step 11  Sale status request`, with ` #2` for a hop's second occurrence in a flow.
fn label(hop: &Hop) -> String {
    let number = step_number(hop.number);
    let again = match hop.occurrence {
        1 => String::new(),
        nth => format!(" #{nth}"),
    };
    format!("step {number:>2}  {}{again}", hop.name)
}

fn summary(latency: &Latency) -> String {
    format!(
        "p50 {} ms  p95 {} ms  p99 {} ms  (min {}, mean {}, max {} ms)",
        millis(latency.p50),
        millis(latency.p95),
        millis(latency.p99),
        millis(latency.min),
        millis(latency.mean),
        millis(latency.max)
    )
}

fn millis(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{FailureKind, HopLatency};
    use std::path::PathBuf;

    fn latency(count: u64, millis: u64) -> Latency {
        let at = Duration::from_millis(millis);
        Latency {
            count,
            min: at / 2,
            mean: at,
            p50: at,
            p95: at * 2,
            p99: at * 3,
            max: at * 4,
        }
    }

    fn hop(sale: Option<usize>, number: u8, name: &'static str, occurrence: u32) -> HopLatency {
        let hop = Hop {
            sale,
            label: sale.map(|sale| format!("sale {sale}")).unwrap_or_default(),
            number,
            name,
            occurrence,
        };
        HopLatency {
            hop,
            latency: latency(4, 1),
        }
    }

    #[test]
    fn a_load_run_reads_as_throughput_latency_hops_and_failures() {
        let report = LoadReport {
            scenario: "approved".to_owned(),
            file: PathBuf::from("scenarios/01.toml"),
            sales_per_flow: 1,
            first_sale_only: true,
            flows: 5,
            concurrency: 2,
            completed: 4,
            failed: 1,
            elapsed: Duration::from_millis(500),
            latency: latency(4, 10),
            hops: vec![
                hop(None, 2, "Request access token", 1),
                hop(Some(1), 0, "Sandbox misbehaviour", 1),
                hop(Some(1), 11, "Sale status request", 2),
            ],
            failures: vec![FailureKind {
                kind: "sale 1: after N polls".to_owned(),
                count: 1,
                example: "sale 1: after 3 polls".to_owned(),
            }],
        };
        let mut out = Vec::new();
        render_load(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let expected = "\
load  approved  (scenarios/01.toml): first sale only, 1 sale per flow
flows      4 of 5 completed in 0.50 s, 8.0 flows/s, concurrency 2; 3 passed, 1 failed
latency    p50 10.00 ms  p95 20.00 ms  p99 30.00 ms  (min 5.00, mean 10.00, max 40.00 ms)
hops       time since the previous step, ms    count       p50       p95       p99       max
           step  2  Request access token          4      1.00      2.00      3.00      4.00
  sale 1   step  -  Sandbox misbehaviour          4      1.00      2.00      3.00      4.00
  sale 1   step 11  Sale status request #2        4      1.00      2.00      3.00      4.00
failures   by first failure, most frequent first
        1  sale 1: after N polls
           e.g. sale 1: after 3 polls
3 passed, 2 failed
";
        assert_eq!(text, expected);
    }
}
