//! Every loaded scenario has a verdict, and the verdict comes from what the sandbox itself saw: a panicking
//! scenario task is a FAIL in every format, the summary adds up, and against a Connecting Party server without
//! a sandbox record the callback and card mapping are judged from the gateway's delivery log — a server that
//! refuses callbacks fails, and what nothing observes is skipped, never passed.

use e2e::{NaiveOptions, NaiveParty, Sandbox, scenarios_dir};
use mobile::Verdict;
use std::path::Path;
use std::sync::Arc;

fn inline(name: &str, text: &str) -> scenario::Scenario {
    scenario::parse(text, Path::new(&format!("{name}.toml"))).unwrap()
}

const APPROVED: &str = r#"
description = "an approved card sale whose callback and card mapping the Connecting Party server must get"
timeout_ms = 3000
[consumer]
serial_number = "SN-FOREIGN-1"
printed_name = "JANE DOE"
[[sale]]
amount_centis = 1050
currency = "EUR"
card = { number = "4111111111111111", security_code = "123", expiry_month = 12, expiry_year = 2030 }
[sale.expect]
state = "APPROVED"
callback = "approved"
card_mapping = true
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_scenario_is_a_fail_in_every_format_and_the_summary_adds_up() {
    let sandbox = Sandbox::start().await.unwrap();
    let loaded = scenario::load_paths(&[scenarios_dir().join("01-approved-no-3ds.toml")]);
    let mut scenarios = loaded.scenarios;
    scenarios.push(inline(
        "panics",
        &APPROVED.replace("SN-FOREIGN-1", "SN-PANIC-1"),
    ));
    let loaded_count = scenarios.len();
    let targets = Arc::new(sandbox.targets.clone());
    let play = move |scenario: Arc<scenario::Scenario>| {
        let targets = Arc::clone(&targets);
        async move {
            if scenario.name == "panics" {
                // The hook the test passes: this scenario's task panics on purpose.
                panic!("a scenario that panics on purpose");
            }
            mobile::run(&scenario, &targets).await
        }
    };
    let reports = connpay::client::run_each(scenarios, 2, play).await;
    assert_eq!(reports.len(), loaded_count, "no scenario went missing");
    let crashed = &reports[1];
    assert_eq!(
        (crashed.name.as_str(), crashed.verdict()),
        ("panics", Verdict::Fail)
    );
    assert_eq!(
        crashed.failures,
        ["the scenario's task panicked: a scenario that panics on purpose"]
    );
    assert_eq!(reports[0].verdict(), Verdict::Pass);

    let mut text = Vec::new();
    mobile::render_summary(&reports, None, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("FAIL  panics  (panics.toml, 0 sales"),
        "{text}"
    );
    assert!(
        text.contains("  the scenario's task panicked: a scenario that panics on purpose"),
        "{text}"
    );
    assert!(text.ends_with("1 passed, 1 failed\n"), "{text}");
    let mut json = Vec::new();
    mobile::write_json(&reports, &mut json).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let summary = &json["summary"];
    let count = |key: &str| usize::try_from(summary[key].as_u64().unwrap()).unwrap();
    assert_eq!(
        count("passed") + count("failed") + count("skipped"),
        loaded_count
    );
    assert_eq!(count("total"), loaded_count);
    assert_eq!(json["scenarios"][1]["verdict"], "FAIL");
    assert_eq!(
        json["scenarios"][1]["failures"][0],
        "the scenario's task panicked: a scenario that panics on purpose"
    );
    let mut junit = Vec::new();
    mobile::write_junit(&reports, &mut junit).unwrap();
    let junit = String::from_utf8(junit).unwrap();
    let document = roxmltree::Document::parse(&junit).unwrap();
    let failure = document
        .descendants()
        .find(|node| node.has_tag_name("failure"))
        .expect("the panicking scenario's failure");
    assert_eq!(
        failure.parent().and_then(|case| case.attribute("name")),
        Some("panics")
    );
    assert_eq!(
        failure.attribute("message"),
        Some("the scenario's task panicked: a scenario that panics on purpose")
    );
    sandbox.servers.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_a_record_that_refuses_callbacks_fails_from_the_delivery_log() {
    let options = NaiveOptions {
        record: false,
        refuse_callbacks: true,
    };
    let refusing = NaiveParty::start(options).await.unwrap();
    let sandbox = Sandbox::against(&refusing.url).await.unwrap();
    let report = mobile::run(&inline("refused-callbacks", APPROVED), &sandbox.targets).await;
    assert_eq!(report.verdict(), Verdict::Fail, "{:?}", report.failures);
    // The gateway saw each refusal (step 24), and its delivery log says the callback never got through.
    let [refused, undelivered] = report.failures.as_slice() else {
        panic!("two failures: {:?}", report.failures)
    };
    assert!(
        refused.starts_with("sale 1: unexpected contract violation: step 24 Callback response (seen by gateway): answered HTTP 500"),
        "{refused}"
    );
    assert!(
        undelivered.starts_with("sale 1: callback: expected approved; the Connecting Party server did not accept it: not accepted yet (still retried): ")
            && undelivered.contains("HTTP 500 \"boom\""),
        "{undelivered}"
    );
    assert_eq!(report.sales[0].party, mobile::PartyObservation::Deliveries);
    sandbox.servers.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_a_record_passes_from_the_delivery_log_and_its_own_violations_are_skipped()
{
    let accepting = NaiveParty::start(NaiveOptions::default()).await.unwrap();
    let sandbox = Sandbox::against(&accepting.url).await.unwrap();
    let report = mobile::run(&inline("judged-from-the-log", APPROVED), &sandbox.targets).await;
    assert_eq!(
        report.verdict(),
        Verdict::Pass,
        "{:?} {:?}",
        report.failures,
        report.skipped_expectations
    );
    let callback = report.steps.iter().find(|step| step.number == 23).unwrap();
    assert!(
        callback
            .detail
            .starts_with("gateway's log: callback status approved delivered after 1 attempt"),
        "{}",
        callback.detail
    );

    let expects_party_violation = APPROVED.to_owned()
        + "[[sale.expect.violation]]\nobserver = \"party\"\nstep = 23\npath = \"control\"\n";
    let report = mobile::run(
        &inline("party-violation", &expects_party_violation),
        &sandbox.targets,
    )
    .await;
    assert_eq!(report.verdict(), Verdict::Skip, "{:?}", report.failures);
    assert_eq!(
        report.skipped_expectations,
        [
            "sale 1: expected violation step 23 (seen by party): control: not observable: the Connecting Party server has no sandbox record (GET /sim/sales/… answered 404)"
        ]
    );
    let mut junit = Vec::new();
    mobile::write_junit(std::slice::from_ref(&report), &mut junit).unwrap();
    let junit = String::from_utf8(junit).unwrap();
    assert!(
        junit.contains("<skipped message=\"sale 1: expected violation step 23"),
        "{junit}"
    );
    sandbox.servers.stop().await;
}

#[tokio::test]
async fn the_app_closes_an_abandoned_page_when_the_gateway_times_it_out() {
    let sandbox = Sandbox::start_with(|mut config| {
        config.timings.three_ds_timeout = std::time::Duration::from_millis(300);
        config
    })
    .await
    .unwrap();
    let text = APPROVED
        .replace("\"123\"", "\"321\"")
        .replace(
            "[sale.expect]",
            "three_ds = \"ignore\"\n[sale.expect]",
        )
        .replace(
            "state = \"APPROVED\"\ncallback = \"approved\"\ncard_mapping = true",
            "state = \"DECLINED\"\nsecure_3d = \"NOT_AUTHENTICATED\"\nerror_message = \"3DS timeout\"\ncallback = \"declined\"\nredirect = true",
        );
    let report = mobile::run(&inline("abandoned", &text), &sandbox.targets).await;
    assert_eq!(report.verdict(), Verdict::Pass, "{:?}", report.failures);
    let closed = report
        .steps
        .iter()
        .find(|step| step.number == 17)
        .expect("the page is closed");
    assert_eq!(
        closed.detail,
        "state DECLINED, no longer REDIRECT_REQUEST: the app closes the page"
    );
    let polls = report.steps.iter().filter(|step| step.number == 21).count();
    assert_eq!(
        polls, 1,
        "the final status was polled while the page was open"
    );
    sandbox.servers.stop().await;
}
