//! Text output of reports: the only place that writes, and only to the writer the caller gives.
//!
//! ```text
//! scenario 3-D Secure sale approved (scenarios/03-3ds-approved.toml)
//!           step  2  Request access token          POST /auth/request-access-token serialNumber SN-1
//!   sale 1  step  6  Perform sale request          POST /paynet/dapi/v1/sale/1234/INV-1 card 411111******1111
//! PASS  3-D Secure sale approved  (scenarios/03-3ds-approved.toml, 1 sale, 0.41 s)
//! ```

use std::io::{self, Write};

use crate::report::ScenarioReport;

/// Writes one report: a header, one line per step (numbered as in the spec's diagram), then `PASS` or
/// `FAIL` and, for `FAIL`, one line per failure.
///
/// # Errors
/// When writing to `out` fails.
pub fn render(report: &ScenarioReport, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "scenario {} ({})", report.name, report.file.display())?;
    let width = report
        .steps
        .iter()
        .map(|step| step.name.chars().count())
        .max()
        .unwrap_or(0);
    for step in &report.steps {
        let sale = step
            .sale
            .map(|number| format!("sale {number}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {sale:<6}  step {:>2}  {:<width$}  {}",
            step.number, step.name, step.detail
        )?;
    }
    writeln!(out, "{}", verdict(report))?;
    for failure in &report.failures {
        writeln!(out, "  - {failure}")?;
    }
    Ok(())
}

/// Writes one `PASS`/`FAIL` line per report, then the closing count, e.g. `14 passed, 0 failed`.
///
/// # Errors
/// When writing to `out` fails.
pub fn render_summary(reports: &[ScenarioReport], out: &mut impl Write) -> io::Result<()> {
    for report in reports {
        writeln!(out, "{}", verdict(report))?;
    }
    let passed = reports.iter().filter(|report| report.passed()).count();
    let failed = reports.len() - passed;
    writeln!(out, "{passed} passed, {failed} failed")
}

/// `PASS  name  (file, 2 sales, 0.41 s)` or `FAIL  name  (file, 2 sales, 0.41 s, 1 failure)`.
fn verdict(report: &ScenarioReport) -> String {
    let sales = plural(report.sales.len(), "sale", "sales");
    let elapsed = report.elapsed.as_secs_f64();
    let context = format!("{}, {sales}, {elapsed:.2} s", report.file.display());
    if report.passed() {
        format!("PASS  {}  ({context})", report.name)
    } else {
        let failures = plural(report.failures.len(), "failure", "failures");
        format!("FAIL  {}  ({context}, {failures})", report.name)
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{At, PERFORM_REQUEST, REQUEST_ACCESS_TOKEN, SaleOutcome};
    use std::path::PathBuf;
    use std::time::Duration;

    fn report(name: &str, failures: &[&str]) -> ScenarioReport {
        let mut report = ScenarioReport {
            name: name.to_owned(),
            file: PathBuf::from(format!("scenarios/{name}.toml")),
            steps: Vec::new(),
            sales: vec![SaleOutcome::new(1)],
            failures: failures.iter().map(|f| (*f).to_owned()).collect(),
            elapsed: Duration::from_millis(412),
        };
        let steps: [(Option<usize>, At, &str); 2] = [
            (
                None,
                REQUEST_ACCESS_TOKEN,
                "POST /auth/request-access-token serialNumber SN-1",
            ),
            (
                Some(1),
                PERFORM_REQUEST,
                "POST /paynet/dapi/v1/sale/1234/INV-1 card 411111******1111",
            ),
        ];
        for (sale, at, detail) in steps {
            report.step(sale, at, detail);
        }
        report
    }

    fn rendered(report: &ScenarioReport) -> String {
        let mut out = Vec::new();
        render(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_passing_report_lists_its_steps_numbered_like_the_diagram() {
        assert_eq!(
            rendered(&report("approved", &[])),
            "scenario approved (scenarios/approved.toml)\n\
             \x20         step  2  Request access token  POST /auth/request-access-token serialNumber SN-1\n\
             \x20 sale 1  step  6  Perform sale request  POST /paynet/dapi/v1/sale/1234/INV-1 card 411111******1111\n\
             PASS  approved  (scenarios/approved.toml, 1 sale, 0.41 s)\n"
        );
    }

    #[test]
    fn a_failing_report_ends_with_its_failures() {
        let text = rendered(&report(
            "declined",
            &["sale 1: state: expected APPROVED, got DECLINED"],
        ));
        assert!(
            text.ends_with(
                "FAIL  declined  (scenarios/declined.toml, 1 sale, 0.41 s, 1 failure)\n\
                 \x20 - sale 1: state: expected APPROVED, got DECLINED\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn the_summary_lists_every_scenario_and_closes_with_the_counts() {
        let reports = [report("a", &[]), report("b", &["x", "y"]), report("c", &[])];
        let mut out = Vec::new();
        render_summary(&reports, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "PASS  a  (scenarios/a.toml, 1 sale, 0.41 s)",
                "FAIL  b  (scenarios/b.toml, 1 sale, 0.41 s, 2 failures)",
                "PASS  c  (scenarios/c.toml, 1 sale, 0.41 s)",
                "2 passed, 1 failed",
            ]
        );
        let mut empty = Vec::new();
        render_summary(&[], &mut empty).unwrap();
        assert_eq!(String::from_utf8(empty).unwrap(), "0 passed, 0 failed\n");
    }
}
