//! [`write_json`]: every report of a run as one JSON document, for a CI to read.
//!
//! Masking holds here as everywhere: step details and failures never carry a full card number, a CVV or a
//! password, since the report never holds one.

use std::io::{self, Write};
use std::time::Duration;

use dapi::{AuthStatus, CallbackStatus, ClientCardId, Flow, InvoiceId, SaleState};
use sandbox_api::ContractViolation;
use serde::Serialize;

use crate::report::{SaleOutcome, ScenarioReport, Step, Verdict, Verdicts};

/// Writes `reports` as one pretty-printed JSON document (camelCase keys, absent values as `null`), then a
/// newline:
///
/// ```json
/// {
///   "summary": { "passed": 1, "failed": 1, "skipped": 0, "total": 2, "elapsedMs": 830 },
///   "scenarios": [{
///     "name": "3-D Secure sale approved", "file": "scenarios/03-3ds-approved.toml",
///     "verdict": "FAIL", "passed": false, "elapsedMs": 412,
///     "failures": ["sale 1: unexpected contract violation: step 9 Check sale response (seen by gateway): …"],
///     "violations": [{ "sale": 1, "observer": "gateway", "step": 9, "message": "Check sale response",
///                      "path": "session.checkSignature", "rule": "…", "expected": "…", "actual": "…" }],
///     "sales": [{ "sale": 1, "flow": "sale", "label": "sale 1", "invoiceId": "INV-1", "state": "DECLINED", "errorCode": 100,
///                 "errorMessage": "…", "secure3DAuthStatus": null, "callback": "declined", "clientCardId": null }],
///     "steps": [{ "sale": null, "step": 2, "name": "Request access token",
///                 "detail": "POST /auth/request-access-token serialNumber SN-1", "elapsedMs": 3 }]
///   }]
/// }
/// ```
///
/// - `summary.elapsedMs` is the sum of the scenarios' `elapsedMs` (scenarios run concurrently take less
///   wall-clock time); `passed`, `failed` and `skipped` count scenarios by their `verdict` and add up to
///   `total`.
/// - `verdict` is `PASS`, `FAIL` or `SKIP`; `passed` is `true` for `PASS` only. A skipped scenario (a server
///   without the sandbox's `/sim/` control, or an expectation no part of the sandbox could observe) carries
///   `"skipped": "<why>"`, and `skippedExpectations` lists the expectations not observable, one line each.
/// - `failures` are the lines [`crate::render`] prints; a scenario failed when there is one.
/// - `violations` lists every contract violation seen, expected or not: the fields of
///   [`ContractViolation`] (`expected` and `actual` only when known) plus `sale` (`null`: the consumer's
///   authentication, no sale's). `observer` is `app`, `gateway` or `party`; `step` is spec 2.1's.
/// - `sales` has one entry per sale or card verification started, in the scenario's order: `sale` is its
///   position, `flow` `sale` or `verification`, `label` how the reports name it (`verification 1`); `state`
///   is `null` when it never reached a final one.
/// - `steps` is the step log in order: `sale` (`null` for steps 2–3), `step` (spec 2.1's number; 0 for the
///   sandbox's misbehaviour set-up), `name`, `detail` and `elapsedMs` since the scenario started.
///
/// # Errors
/// When writing to `out` fails.
pub fn write_json(reports: &[ScenarioReport], mut out: impl Write) -> io::Result<()> {
    let Verdicts {
        passed,
        failed,
        skipped,
    } = Verdicts::of(reports);
    let document = Document {
        summary: Summary {
            passed,
            failed,
            skipped,
            total: reports.len(),
            elapsed_ms: millis(reports.iter().map(|report| report.elapsed).sum()),
        },
        scenarios: reports.iter().map(JsonScenario::from).collect(),
    };
    serde_json::to_writer_pretty(&mut out, &document)?;
    writeln!(out)
}

#[derive(Serialize)]
struct Document<'a> {
    summary: Summary,
    scenarios: Vec<JsonScenario<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    passed: usize,
    failed: usize,
    skipped: usize,
    total: usize,
    elapsed_ms: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonScenario<'a> {
    name: &'a str,
    file: String,
    verdict: &'static str,
    passed: bool,
    /// Why the scenario was skipped; absent unless its verdict is `SKIP`.
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<String>,
    /// The expectations no part of the sandbox could observe; absent when none.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    skipped_expectations: &'a [String],
    elapsed_ms: u64,
    failures: &'a [String],
    violations: Vec<JsonViolation<'a>>,
    sales: Vec<JsonSale<'a>>,
    steps: Vec<JsonStep<'a>>,
}

impl<'a> From<&'a ScenarioReport> for JsonScenario<'a> {
    fn from(report: &'a ScenarioReport) -> Self {
        Self {
            name: &report.name,
            file: report.file.display().to_string(),
            verdict: report.verdict().as_str(),
            passed: report.verdict() == Verdict::Pass,
            skipped: report.skip_reason(),
            skipped_expectations: &report.skipped_expectations,
            elapsed_ms: millis(report.elapsed),
            failures: &report.failures,
            violations: report
                .violations
                .iter()
                .map(|seen| JsonViolation {
                    sale: seen.sale,
                    violation: &seen.violation,
                })
                .collect(),
            sales: report
                .sales
                .iter()
                .map(|outcome| JsonSale::of(outcome, report))
                .collect(),
            steps: report.steps.iter().map(JsonStep::from).collect(),
        }
    }
}

#[derive(Serialize)]
struct JsonViolation<'a> {
    sale: Option<usize>,
    #[serde(flatten)]
    violation: &'a ContractViolation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonSale<'a> {
    sale: usize,
    flow: Flow,
    label: String,
    invoice_id: Option<&'a InvoiceId>,
    state: Option<SaleState>,
    error_code: Option<u32>,
    error_message: Option<&'a str>,
    #[serde(rename = "secure3DAuthStatus")]
    secure_3d_auth_status: Option<AuthStatus>,
    callback: Option<CallbackStatus>,
    client_card_id: Option<&'a ClientCardId>,
}

impl<'a> JsonSale<'a> {
    fn of(outcome: &'a SaleOutcome, report: &ScenarioReport) -> Self {
        Self {
            sale: outcome.sale,
            flow: outcome.flow,
            label: report.label(outcome.sale),
            invoice_id: outcome.invoice_id.as_ref(),
            state: outcome.state,
            error_code: outcome.error_code,
            error_message: outcome.error_message.as_deref(),
            secure_3d_auth_status: outcome.secure_3d,
            callback: outcome.callback,
            client_card_id: outcome.client_card_id.as_ref(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonStep<'a> {
    sale: Option<usize>,
    step: u8,
    name: &'a str,
    detail: &'a str,
    elapsed_ms: u64,
}

impl<'a> From<&'a Step> for JsonStep<'a> {
    fn from(step: &'a Step) -> Self {
        Self {
            sale: step.sale,
            step: step.number,
            name: step.name,
            detail: &step.detail,
            elapsed_ms: millis(step.elapsed),
        }
    }
}

/// Whole milliseconds, saturating (a run never lasts 584 million years).
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;
    use serde_json::Value;

    /// The object's keys, sorted, space-separated.
    fn keys(value: &Value) -> String {
        let mut keys: Vec<&str> = value
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys.join(" ")
    }

    fn document() -> Value {
        let reports = [sample::three_ds_approved(), sample::wrong_check_signature()];
        let mut out = Vec::new();
        write_json(&reports, &mut out).unwrap();
        assert!(out.ends_with(b"}\n"));
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn the_summary_counts_scenarios() {
        let json = document();
        assert_eq!(keys(&json), "scenarios summary");
        let summary = &json["summary"];
        assert_eq!(keys(summary), "elapsedMs failed passed skipped total");
        assert_eq!(
            (&summary["passed"], &summary["failed"]),
            (&1.into(), &1.into())
        );
        assert_eq!(summary["total"], 2);
        assert!(summary["elapsedMs"].is_u64());
    }

    #[test]
    fn each_scenario_has_its_verdict_failures_violations_sales_and_steps() {
        let json = document();
        let failing = &json["scenarios"][1];
        assert_eq!(
            keys(failing),
            "elapsedMs failures file name passed sales steps verdict violations"
        );
        assert_eq!(failing["name"], "wrong check signature");
        assert_eq!(failing["file"], "scenarios/20-wrong-check-signature.toml");
        assert_eq!(failing["passed"], false);
        assert_eq!(failing["failures"].as_array().unwrap().len(), 2);
        let violation = &failing["violations"][0];
        assert_eq!(keys(violation), "message observer path rule sale step");
        assert_eq!(violation["sale"], 1);
        assert_eq!(violation["observer"], "gateway");
        assert_eq!(violation["step"], 9);
        assert_eq!(violation["path"], "session.checkSignature");
    }

    #[test]
    fn sales_and_steps_have_every_key_even_when_absent() {
        let json = document();
        let passing = &json["scenarios"][0];
        let sale = &passing["sales"][0];
        assert_eq!(
            keys(sale),
            "callback clientCardId errorCode errorMessage flow invoiceId label sale secure3DAuthStatus state"
        );
        assert_eq!(sale["state"], "APPROVED");
        assert_eq!(sale["secure3DAuthStatus"], "AUTHENTICATED");
        assert_eq!(sale["callback"], "approved");
        assert!(sale["errorCode"].is_null());
        let steps = passing["steps"].as_array().unwrap();
        assert_eq!(keys(&steps[0]), "detail elapsedMs name sale step");
        assert!(steps[0]["sale"].is_null());
        assert_eq!(steps[0]["step"], 2);
        assert_eq!(steps[0]["name"], "Request access token");
        let times: Vec<u64> = steps
            .iter()
            .map(|s| s["elapsedMs"].as_u64().unwrap())
            .collect();
        assert!(times.windows(2).all(|pair| pair[0] <= pair[1]), "{times:?}");
        let text = passing.to_string();
        assert!(text.contains("411111******1111") && !text.contains("4111111111111111"));
    }

    #[test]
    fn a_skipped_scenario_says_why_and_is_not_counted_as_passed() {
        let mut unobservable = sample::three_ds_approved();
        unobservable.skip_expectation(1, "callback: not observable");
        let mut out = Vec::new();
        write_json(&[unobservable, sample::three_ds_approved()], &mut out).unwrap();
        let json: Value = serde_json::from_slice(&out).unwrap();
        let skipped = &json["scenarios"][0];
        assert_eq!(skipped["verdict"], "SKIP");
        assert_eq!(skipped["passed"], false);
        assert_eq!(skipped["skipped"], "sale 1: callback: not observable");
        assert_eq!(
            skipped["skippedExpectations"][0],
            "sale 1: callback: not observable"
        );
        let summary = &json["summary"];
        assert_eq!(
            (&summary["passed"], &summary["skipped"], &summary["total"]),
            (&1.into(), &1.into(), &2.into())
        );
        assert_eq!(json["scenarios"][1]["verdict"], "PASS");
    }
}
