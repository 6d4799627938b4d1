//! [`write_junit`]: every report of a run as JUnit XML, the format CI servers show as test results.

use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::report::{ScenarioReport, Verdict};

/// The name of the one test suite (and of the report).
const SUITE: &str = "connpay-sandbox";

/// Writes `reports` as a JUnit XML document: one `<testsuite name="connpay-sandbox">` with one
/// `<testcase>` per scenario (`name` the scenario's name, `classname` its file, `time` its run). A failing
/// scenario's `<failure>` has as `message` its first failure (violations are judged first in each sale, so
/// an unexpected contract violation comes before what it caused) and as text the rendered report: the step
/// log, every violation seen, every failure ([`crate::render`]; card data masked as everywhere). A skipped
/// scenario (nothing failed, but it or one of its expectations could not be played or observed) is a
/// `<skipped message="…">` with every reason, never a success.
///
/// # Errors
/// When writing to `out` fails.
pub fn write_junit(reports: &[ScenarioReport], out: impl Write) -> io::Result<()> {
    let total = reports.iter().map(|report| report.elapsed).sum();
    let mut suite = TestSuite::new(SUITE);
    suite.set_time(total);
    for report in reports {
        suite.add_test_case(test_case(report)?);
    }
    let mut junit = Report::new(SUITE);
    junit.set_time(total).add_test_suite(suite);
    junit.serialize(out).map_err(io::Error::other)
}

fn test_case(report: &ScenarioReport) -> io::Result<TestCase> {
    let status = match report.headline() {
        None if report.verdict() == Verdict::Skip => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(report.skip_reason().unwrap_or_default());
            status
        }
        None => TestCaseStatus::success(),
        Some(headline) => {
            let mut rendered = Vec::new();
            crate::render(report, &mut rendered)?;
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(headline)
                .set_type("scenario failed")
                .set_description(String::from_utf8_lossy(&rendered));
            status
        }
    };
    let mut case = TestCase::new(report.name.as_str(), status);
    case.set_classname(report.file.display().to_string())
        .set_time(report.elapsed);
    Ok(case)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    fn junit(reports: &[ScenarioReport]) -> String {
        let mut out = Vec::new();
        write_junit(reports, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn xml() -> String {
        junit(&[sample::three_ds_approved(), sample::wrong_check_signature()])
    }

    /// The first element named `tag`.
    fn first<'a, 'input>(
        document: &'a roxmltree::Document<'input>,
        tag: &str,
    ) -> Option<roxmltree::Node<'a, 'input>> {
        document.descendants().find(|node| node.has_tag_name(tag))
    }

    #[test]
    fn one_suite_with_one_test_case_per_scenario() {
        let xml = xml();
        let document = roxmltree::Document::parse(&xml).unwrap();
        let suites: Vec<_> = document
            .descendants()
            .filter(|node| node.has_tag_name("testsuite"))
            .collect();
        assert_eq!(suites.len(), 1, "one testsuite: {xml}");
        let suite = suites[0];
        assert_eq!(suite.attribute("name"), Some(SUITE));
        assert_eq!(suite.attribute("tests"), Some("2"));
        assert_eq!(suite.attribute("failures"), Some("1"));
        let cases: Vec<_> = suite
            .children()
            .filter(|node| node.has_tag_name("testcase"))
            .collect();
        let names: Vec<_> = cases.iter().map(|case| case.attribute("name")).collect();
        assert_eq!(
            names,
            [
                Some("3-D Secure sale approved"),
                Some("wrong check signature")
            ]
        );
        assert_eq!(
            cases[0].attribute("classname"),
            Some("scenarios/03-3ds-approved.toml")
        );
        assert!(cases[0].attribute("time").is_some());
        assert!(!cases[0].children().any(|node| node.has_tag_name("failure")));
    }

    #[test]
    fn a_failing_scenario_has_a_failure_with_its_first_failure_and_its_report() {
        let xml = xml();
        let document = roxmltree::Document::parse(&xml).unwrap();
        let failure = first(&document, "failure").expect("a failure");
        assert_eq!(
            failure.attribute("message"),
            Some(
                "sale 1: unexpected contract violation: step 9 Check sale response (seen by gateway): session.checkSignature does not verify"
            )
        );
        let text = failure.text().unwrap_or_default();
        for part in [
            "scenario wrong check signature (scenarios/20-wrong-check-signature.toml)",
            "step  6  Perform sale request",
            "violation  step 9 Check sale response",
            "  - sale 1: state: expected APPROVED, got DECLINED",
            "411111******1111",
        ] {
            assert!(text.contains(part), "{part:?} missing in {text}");
        }
        assert!(!xml.contains("4111111111111111"));
    }

    #[test]
    fn a_skipped_scenario_is_a_skipped_test_case() {
        let mut skipped = sample::three_ds_approved();
        skipped.skipped = Some("the party has no sandbox misbehaviour control".to_owned());
        let xml = junit(&[skipped]);
        let document = roxmltree::Document::parse(&xml).unwrap();
        let mark = first(&document, "skipped").expect("a skipped element");
        assert_eq!(
            mark.attribute("message"),
            Some("the party has no sandbox misbehaviour control")
        );
        assert!(first(&document, "failure").is_none());
        let mut unobservable = sample::three_ds_approved();
        unobservable.skip_expectation(1, "callback: not observable");
        let xml = junit(&[unobservable]);
        let document = roxmltree::Document::parse(&xml).unwrap();
        let mark = first(&document, "skipped").expect("a skipped element");
        assert_eq!(
            mark.attribute("message"),
            Some("sale 1: callback: not observable")
        );
    }
}
