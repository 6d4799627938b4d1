//! Text output of reports: the only place that writes, and only to the writer the caller gives.
//!
//! ```text
//! scenario 3-D Secure sale approved (scenarios/03-3ds-approved.toml)
//!           step  2  Request access token          POST /auth/request-access-token serialNumber SN-1
//!   sale 1  step  6  Perform sale request          POST /paynet/dapi/v1/sale/1234/INV-1 card 411111******1111
//! PASS  3-D Secure sale approved  (scenarios/03-3ds-approved.toml, 1 sale, 0.41 s)
//! ```
//!
//! The summary of a run, with a failing scenario's first failure and its diagram:
//!
//! ```text
//! PASS  3-D Secure sale approved  (scenarios/03-3ds-approved.toml, 1 sale, 0.41 s)
//! FAIL  wrong check signature  (scenarios/20-wrong-check-signature.toml, 1 sale, 0.12 s, 1 failure)
//!   sale 1: unexpected contract violation: step 9 Check sale response (seen by gateway): …
//!   diagram: reports/20-wrong-check-signature.mmd
//! 1 passed, 1 failed
//! ```

use std::io::{self, Write};
use std::path::PathBuf;

use crate::report::{ScenarioReport, Verdict, Verdicts, plural};

/// Writes one report: a header, one line per step (numbered as in the spec's diagram; `-` for the
/// sandbox's misbehaviour set-up), one line per contract violation seen (expected or not), then `PASS` or
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
    let width_label = report
        .steps
        .iter()
        .filter_map(|step| step.sale)
        .map(|sale| report.label(sale).chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    for step in &report.steps {
        let (sale, number) = (sale_label(report, step.sale), step_number(step.number));
        let (name, detail) = (step.name, &step.detail);
        writeln!(
            out,
            "  {sale:<width_label$}  step {number:>2}  {name:<width$}  {detail}"
        )?;
    }
    for seen in &report.violations {
        let sale = sale_label(report, seen.sale);
        writeln!(out, "  {sale:<width_label$}  violation  {}", seen.violation)?;
    }
    writeln!(out, "{}", verdict(report))?;
    for failure in &report.failures {
        writeln!(out, "  - {failure}")?;
    }
    for skipped in &report.skipped_expectations {
        writeln!(out, "  skipped: {skipped}")?;
    }
    Ok(())
}

/// Writes one `PASS`/`FAIL`/`SKIP` line per report, then the closing count, e.g. `14 passed, 0 failed`, or with
/// skipped scenarios `12 passed, 0 failed, 2 skipped` (the three add up to the reports given). A `FAIL`
/// line is followed by the scenario's first failure ([`ScenarioReport::headline`]) and, when `diagrams` is
/// given, by `  diagram: <path>`: `diagrams[i]` is the diagram of `reports[i]` (as [`crate::write_diagram`]
/// returned it); a missing entry prints no diagram line.
///
/// # Errors
/// When writing to `out` fails.
pub fn render_summary(
    reports: &[ScenarioReport],
    diagrams: Option<&[PathBuf]>,
    out: &mut impl Write,
) -> io::Result<()> {
    for (index, report) in reports.iter().enumerate() {
        writeln!(out, "{}", verdict(report))?;
        if let Some(headline) = report.headline() {
            writeln!(out, "  {headline}")?;
            if let Some(diagram) = diagrams.and_then(|paths| paths.get(index)) {
                writeln!(out, "  diagram: {}", diagram.display())?;
            }
        }
    }
    let Verdicts {
        passed,
        failed,
        skipped,
    } = Verdicts::of(reports);
    if skipped == 0 {
        writeln!(out, "{passed} passed, {failed} failed")
    } else {
        writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped")
    }
}

/// `PASS  name  (file, 2 sales, 0.41 s)`, `FAIL  name  (file, 2 sales, 0.41 s, 1 failure)` or
/// `SKIP  name  (file, 1 sale, 0.02 s): why` (every expectation not observable, `; `-separated); verifications
/// are counted as such (`1 verification, 1 sale`).
fn verdict(report: &ScenarioReport) -> String {
    let verifications = report
        .sales
        .iter()
        .filter(|sale| sale.flow == dapi::Flow::Verification)
        .count();
    let sold = plural(report.sales.len() - verifications, "sale", "sales");
    let verified = plural(verifications, "verification", "verifications");
    let sales = match (verifications, report.sales.len() - verifications) {
        (0, _) => sold,
        (_, 0) => verified,
        _ => format!("{verified}, {sold}"),
    };
    let elapsed = report.elapsed.as_secs_f64();
    let context = format!("{}, {sales}, {elapsed:.2} s", report.file.display());
    match report.verdict() {
        Verdict::Skip => {
            let reason = report.skip_reason().unwrap_or_default();
            format!("SKIP  {}  ({context}): {reason}", report.name)
        }
        Verdict::Pass => format!("PASS  {}  ({context})", report.name),
        Verdict::Fail => {
            let failures = plural(report.failures.len(), "failure", "failures");
            format!("FAIL  {}  ({context}, {failures})", report.name)
        }
    }
}

/// `sale 2` (or `verification 1`), or nothing for a line that belongs to no sale.
pub(super) fn sale_label(report: &ScenarioReport, sale: Option<usize>) -> String {
    sale.map(|number| report.label(number)).unwrap_or_default()
}

/// A step's number as the step log shows it: `-` for the sandbox set-up, which is no diagram step.
pub(super) fn step_number(number: u8) -> String {
    match number {
        0 => "-".to_owned(),
        number => number.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::SaleOutcome;
    use crate::report::steps::{ACCESS_TOKEN_REQUEST, PERFORM_SALE_REQUEST};
    use std::time::Duration;

    fn report(name: &str, failures: &[&str]) -> ScenarioReport {
        let mut report = ScenarioReport::named(name, format!("scenarios/{name}.toml"));
        report.sales = vec![SaleOutcome::new(1)];
        report.failures = failures.iter().map(|f| (*f).to_owned()).collect();
        report.elapsed = Duration::from_millis(412);
        let steps: [(Option<usize>, dapi::Step, &str); 2] = [
            (
                None,
                ACCESS_TOKEN_REQUEST,
                "POST /auth/request-access-token serialNumber SN-1",
            ),
            (
                Some(1),
                PERFORM_SALE_REQUEST,
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
        render_summary(&reports, None, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "PASS  a  (scenarios/a.toml, 1 sale, 0.41 s)",
                "FAIL  b  (scenarios/b.toml, 1 sale, 0.41 s, 2 failures)",
                "  x",
                "PASS  c  (scenarios/c.toml, 1 sale, 0.41 s)",
                "2 passed, 1 failed",
            ]
        );
        let mut empty = Vec::new();
        render_summary(&[], None, &mut empty).unwrap();
        assert_eq!(String::from_utf8(empty).unwrap(), "0 passed, 0 failed\n");
    }

    #[test]
    fn skipped_expectations_make_a_skip_never_a_pass_and_every_report_is_counted_once() {
        let mut unobservable = report("d", &[]);
        unobservable.skip_expectation(1, "callback: not observable");
        unobservable.skip_expectation(1, "card mapping: not observable");
        let mut skipped = report("e", &[]);
        skipped.skipped = Some("no control".into());
        let mut both = report("f", &["a failure"]);
        both.skip_expectation(1, "callback: not observable");
        let reports = [
            report("a", &[]),
            report("b", &["x"]),
            unobservable,
            skipped,
            both,
        ];
        let mut out = Vec::new();
        render_summary(&reports, None, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[3],
            "SKIP  d  (scenarios/d.toml, 1 sale, 0.41 s): sale 1: callback: not observable; sale 1: card mapping: not observable"
        );
        assert!(
            lines[4].starts_with("SKIP  e") && lines[5].starts_with("FAIL  f"),
            "{text}"
        );
        assert_eq!(lines.last(), Some(&"1 passed, 2 failed, 2 skipped"));
        let Verdicts {
            passed,
            failed,
            skipped,
        } = Verdicts::of(&reports);
        assert_eq!(passed + failed + skipped, reports.len());
        let rendered = rendered(&reports[2]);
        assert!(
            rendered.ends_with("  skipped: sale 1: card mapping: not observable\n"),
            "{rendered}"
        );
    }
}

#[cfg(test)]
mod summary_tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn a_failing_scenario_is_followed_by_its_first_failure_and_its_diagram() {
        let reports = [sample::three_ds_approved(), sample::wrong_check_signature()];
        let diagrams = [PathBuf::from("out/a.mmd"), PathBuf::from("out/b.mmd")];
        let mut out = Vec::new();
        render_summary(&reports, Some(&diagrams), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5, "{text}");
        assert!(
            lines[0].starts_with("PASS  3-D Secure sale approved"),
            "{text}"
        );
        assert!(
            lines[1].starts_with("FAIL  wrong check signature"),
            "{text}"
        );
        assert_eq!(
            lines[2],
            "  sale 1: unexpected contract violation: step 9 Check sale response (seen by gateway): session.checkSignature does not verify"
        );
        assert_eq!(lines[3], "  diagram: out/b.mmd");
        assert_eq!(lines[4], "1 passed, 1 failed");
    }

    #[test]
    fn verifications_are_named_and_counted_as_such() {
        let mut out = Vec::new();
        render(&sample::verified_card(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("  verification 1  step  6  Perform validation request"),
            "{text}"
        );
        assert!(
            text.contains("  sale 1          step  4  Card reference request"),
            "{text}"
        );
        assert!(text.contains("1 verification, 1 sale, "), "{text}");
        let mut report = sample::verified_card();
        report.fail(Some(1), "state: expected APPROVED, got DECLINED");
        assert_eq!(
            report.failures,
            ["verification 1: state: expected APPROVED, got DECLINED"]
        );
    }

    #[test]
    fn the_violations_seen_are_listed_in_the_report() {
        let mut out = Vec::new();
        render(&sample::wrong_check_signature(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("  sale 1  violation  step 9 Check sale response (seen by gateway): session.checkSignature does not verify\n"),
            "{text}"
        );
        assert!(
            text.contains("  sale 1  step  -  Sandbox misbehaviour"),
            "{text}"
        );
    }
}
