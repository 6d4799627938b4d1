//! Contract violations over real HTTP: misbehaviour set on the fakes before perform sale, the servers'
//! violations collected from their records, the app's own, and the comparison with the expectations.

use dapi::SaleState;
use mobile::PartyObservation;
use sandbox_api::Observer;
use serde_json::json;

use super::{card_sale, fakes, rendered, scenario};

const WRONG_CHECK_SIGNATURE: &str = "misbehave = { party_check = \"wrong-check-signature\" }";
const GATEWAY_SEES_SIGNATURE: &str =
    "violation = [{ observer = \"gateway\", step = 9, path = \"session.checkSignature\" }]";

#[tokio::test]
async fn a_misbehaving_party_is_set_before_perform_and_its_expected_violation_passes() {
    let (fake, targets) = fakes::start(true).await;
    let expect = format!("state = \"DECLINED\", error_code = 100, {GATEWAY_SEES_SIGNATURE}");
    let sale = card_sale("123", WRONG_CHECK_SIGNATURE, &expect);
    let report = mobile::run(&scenario(&sale), &targets).await;
    assert!(report.passed(), "{}", rendered(&report));
    let outcome = &report.sales[0];
    assert_eq!(outcome.state, Some(SaleState::Declined));
    assert_eq!(outcome.gateway, PartyObservation::Seen);
    let [seen] = report.violations.as_slice() else {
        panic!("one violation: {}", rendered(&report))
    };
    assert_eq!(seen.sale, Some(1));
    assert_eq!(
        (seen.violation.observer, seen.violation.step),
        (Observer::Gateway, 9)
    );
    let inner = fake.lock();
    assert_eq!(
        inner.misbehave_posts,
        [(
            "/sim/sales/INV-1/misbehave".to_owned(),
            json!({"check": "wrong-check-signature"})
        )]
    );
    let numbers: Vec<u8> = report.steps.iter().map(|step| step.number).collect();
    let misbehave = numbers.iter().position(|n| *n == 0).unwrap();
    assert_eq!(
        numbers[misbehave - 1..=misbehave + 1],
        [5, 0, 6],
        "between initiate and perform"
    );
    let diagram = mobile::mermaid(&report);
    assert!(
        diagram.contains("CP--xGW: 9 Check sale response\n    Note over CP,GW: ⚠ step 9"),
        "{diagram}"
    );
}

#[tokio::test]
async fn a_misbehaving_gateway_is_set_on_its_own_path_and_the_party_sees_the_callback() {
    let (fake, targets) = fakes::start(true).await;
    let expect = "state = \"APPROVED\", callback = \"approved\", \
        violation = [{ observer = \"party\", step = 23, path = \"control\" }]";
    let sale = card_sale(
        "123",
        "misbehave = { gateway_callback = \"wrong-control\" }",
        expect,
    );
    let report = mobile::run(&scenario(&sale), &targets).await;
    assert!(report.passed(), "{}", rendered(&report));
    let inner = fake.lock();
    assert_eq!(
        inner.misbehave_posts,
        [(
            "/sim/sales/1234/INV-1/misbehave".to_owned(),
            json!({"callback": "wrong-control"})
        )]
    );
}

#[tokio::test]
async fn an_unexpected_violation_and_an_expected_one_not_seen_are_failures() {
    let (_fake, targets) = fakes::start(true).await;
    let unexpected = card_sale("123", WRONG_CHECK_SIGNATURE, "state = \"DECLINED\"");
    let missing = card_sale(
        "123",
        "",
        "state = \"APPROVED\", violation = [{ observer = \"gateway\", step = 9, path = \"session.nonce\" }]",
    );
    let mut scenario = scenario(&format!("{unexpected}{missing}"));
    scenario.timeout = std::time::Duration::from_millis(300);
    let report = mobile::run(&scenario, &targets).await;
    assert_eq!(
        report.failures,
        [
            "sale 1: unexpected contract violation: step 9 Check sale response (seen by gateway): session.checkSignature does not verify",
            "sale 2: expected a contract violation at step 9 (gateway) session.nonce, none seen",
        ],
        "{}",
        rendered(&report)
    );
    let mut junit = Vec::new();
    mobile::write_junit(std::slice::from_ref(&report), &mut junit).unwrap();
    let junit = String::from_utf8(junit).unwrap();
    let document = roxmltree::Document::parse(&junit).unwrap();
    let failure = document
        .descendants()
        .find(|node| node.has_tag_name("failure"))
        .expect("a failure");
    assert_eq!(
        failure.attribute("message"),
        Some(report.failures[0].as_str())
    );
}

#[tokio::test]
async fn a_broken_status_answer_is_an_app_violation_reported_once() {
    let (_fake, targets) = fakes::start(true).await;
    let unexpected = card_sale("555", "", "state = \"APPROVED\"");
    let report = mobile::run(&scenario(&unexpected), &targets).await;
    assert_eq!(
        report.failures,
        [
            "sale 1: unexpected contract violation: step 22 Sale status response (seen by app): bankOrderId is required"
        ],
        "{}",
        rendered(&report)
    );
    assert_eq!(report.sales[0].state, Some(SaleState::Approved));
    let expected = card_sale(
        "555",
        "",
        "state = \"APPROVED\", violation = [{ observer = \"app\", step = 22, path = \"bankOrderId\" }]",
    );
    let report = mobile::run(&scenario(&expected), &targets).await;
    assert!(report.passed(), "{}", rendered(&report));
    assert_eq!(report.violations.len(), 1);
}

#[tokio::test]
async fn servers_without_sim_paths_skip_misbehaving_scenarios_and_their_violations_are_not_observable()
 {
    let (fake, targets) = fakes::start(false).await;
    let misbehaving = card_sale("123", WRONG_CHECK_SIGNATURE, "state = \"DECLINED\"");
    let unobservable = card_sale(
        "123",
        "",
        &format!("state = \"APPROVED\", {GATEWAY_SEES_SIGNATURE}"),
    );
    let report = mobile::run(&scenario(&format!("{misbehaving}{unobservable}")), &targets).await;
    assert!(report.failures.is_empty(), "{}", rendered(&report));
    let skipped = report.skipped.as_deref().unwrap_or_default();
    assert!(
        skipped.contains("has no sandbox misbehaviour control")
            && skipped.contains("/sim/sales/INV-1/misbehave"),
        "{skipped}"
    );
    assert!(report.passed(), "a skipped scenario does not fail");
    assert_eq!(
        report.sales.len(),
        1,
        "the scenario stops at the sale it cannot set up"
    );
    assert_eq!(
        fake.lock().performs.len(),
        0,
        "sale 1 stopped before perform"
    );
    let mut summary = Vec::new();
    mobile::render_summary(std::slice::from_ref(&report), None, &mut summary).unwrap();
    let summary = String::from_utf8(summary).unwrap();
    assert!(
        summary.lines().any(|line| line.starts_with("SKIP  test")),
        "{summary}"
    );
    assert_eq!(
        summary.lines().last(),
        Some("0 passed, 0 failed, 1 skipped")
    );

    let report = mobile::run(&scenario(&unobservable), &targets).await;
    assert!(report.passed(), "{}", rendered(&report));
    assert_eq!(report.sales[0].gateway, PartyObservation::NotObservable);
    assert_eq!(report.sales[0].party, PartyObservation::NotObservable);
}

#[tokio::test]
async fn the_json_report_of_a_run_lists_the_violations_with_their_sale() {
    let (_fake, targets) = fakes::start(true).await;
    let expect = format!("state = \"DECLINED\", {GATEWAY_SEES_SIGNATURE}");
    let report = mobile::run(
        &scenario(&card_sale("123", WRONG_CHECK_SIGNATURE, &expect)),
        &targets,
    )
    .await;
    let mut out = Vec::new();
    mobile::write_json(std::slice::from_ref(&report), &mut out).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["summary"]["passed"], 1);
    let scenario = &json["scenarios"][0];
    assert_eq!(scenario["violations"][0]["sale"], 1);
    assert_eq!(scenario["violations"][0]["observer"], "gateway");
    assert_eq!(scenario["sales"][0]["invoiceId"], "INV-1");
    let steps = scenario["steps"].as_array().unwrap();
    assert!(
        steps
            .iter()
            .any(|step| step["step"] == 0 && step["name"] == "Sandbox misbehaviour")
    );
}
