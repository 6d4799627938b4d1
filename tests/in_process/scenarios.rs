//! Every scenario of the repository passes on the embedded servers, and a wrong expectation fails.

use e2e::{Sandbox, scenarios_dir};
use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_repository_scenario_passes_on_the_embedded_servers() {
    let loaded = scenario::load_paths(&[scenarios_dir()]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert!(
        loaded.scenarios.len() >= 14,
        "found {} scenarios",
        loaded.scenarios.len()
    );
    let sandbox = Sandbox::start().await.unwrap();
    let reports = connpay::client::run_all(loaded.scenarios, sandbox.targets.clone(), 16).await;
    let mut rendered = Vec::new();
    for report in &reports {
        mobile::render(report, &mut rendered).unwrap();
    }
    let rendered = String::from_utf8_lossy(&rendered);
    for report in &reports {
        assert!(
            report.passed(),
            "{} failed: {:?}\n{rendered}",
            report.name,
            report.failures
        );
    }
    assert!(
        !rendered.contains("4111111111111111"),
        "a full card number was printed:\n{rendered}"
    );
    sandbox.servers.stop().await;
}

fn inline(text: &str) -> scenario::Scenario {
    scenario::parse(text, Path::new("inline.toml")).unwrap()
}

const DECLINE_EXPECTED_APPROVED: &str = r#"
description = "a decline CVV with a wrong expectation: the client must report it"
[consumer]
serial_number = "SN-NEGATIVE-1"
printed_name = "JANE DOE"
[[sale]]
amount_centis = 500
currency = "EUR"
card = { number = "4111111111111111", security_code = "116", expiry_month = 12, expiry_year = 2030 }
[sale.expect]
state = "APPROVED"
callback = "approved"
"#;

#[tokio::test]
async fn a_decline_is_never_reported_as_approved() {
    let sandbox = Sandbox::start().await.unwrap();
    let report = mobile::run(&inline(DECLINE_EXPECTED_APPROVED), &sandbox.targets).await;
    assert!(!report.passed());
    let failures = report.failures.join("\n");
    assert!(
        failures.contains("APPROVED") && failures.contains("DECLINED"),
        "{failures}"
    );
    assert_eq!(report.sales[0].state, Some(dapi::SaleState::Declined));
    sandbox.servers.stop().await;
}

#[tokio::test]
async fn a_wrong_three_ds_password_is_never_approved() {
    let text = DECLINE_EXPECTED_APPROVED
        .replace("\"116\"", "\"321\"")
        .replace(
            "[sale.expect]",
            "three_ds = { password = \"not-hint\" }\n[sale.expect]",
        );
    let sandbox = Sandbox::start().await.unwrap();
    let report = mobile::run(&inline(&text), &sandbox.targets).await;
    assert!(!report.passed(), "{:?}", report.failures);
    assert_eq!(report.sales[0].state, Some(dapi::SaleState::Declined));
    assert_eq!(
        report.sales[0].secure_3d,
        Some(dapi::AuthStatus::NotAuthenticated)
    );
    sandbox.servers.stop().await;
}

#[tokio::test]
async fn without_three_ds_on_the_endpoint_cvv_321_approves_without_a_page() {
    let text = DECLINE_EXPECTED_APPROVED
        .replace("\"116\"", "\"321\"")
        .replace(
            "callback = \"approved\"",
            "callback = \"approved\"\nredirect = false\nsecure_3d = \"ABSENT\"",
        );
    let sandbox = Sandbox::start_with(|mut config| {
        config.endpoints[0].three_ds = false;
        config
    })
    .await
    .unwrap();
    let report = mobile::run(&inline(&text), &sandbox.targets).await;
    assert!(report.passed(), "{:?}", report.failures);
    sandbox.servers.stop().await;
}
