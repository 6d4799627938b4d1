//! Every scenario of the repository (exactly the files listed) passes on the embedded servers, and a wrong
//! expectation fails.

use e2e::{Sandbox, scenarios_dir};
use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_repository_scenario_passes_on_the_embedded_servers() {
    let loaded = scenario::load_paths(&[scenarios_dir()]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let dir = scenarios_dir();
    let shipped: Vec<String> = loaded
        .scenarios
        .iter()
        .filter_map(|scenario| scenario.file.strip_prefix(&dir).ok())
        .map(|file| file.to_string_lossy().replace('\\', "/"))
        .collect();
    assert_eq!(
        shipped, SHIPPED,
        "the shipped scenario files, in the order they run"
    );
    let sandbox = Sandbox::start().await.unwrap();
    let reports = connpay::client::run_all(loaded.scenarios, sandbox.targets.clone(), 16).await;
    let mut rendered = Vec::new();
    for report in &reports {
        mobile::render(report, &mut rendered).unwrap();
    }
    let rendered = String::from_utf8_lossy(&rendered);
    for report in &reports {
        assert_eq!(
            report.verdict(),
            mobile::Verdict::Pass,
            "{} failed or was skipped: {:?} {:?}\n{rendered}",
            report.name,
            report.failures,
            report.skipped_expectations
        );
    }
    assert!(
        !rendered.contains("4111111111111111"),
        "a full card number was printed:\n{rendered}"
    );
    sandbox.servers.stop().await;
}

/// Every shipped scenario file, in the order `mobile-client run scenarios/` runs them: a file added or removed
/// must be listed or unlisted here.
const SHIPPED: [&str; 53] = [
    "01-approved-no-3ds.toml",
    "02-approved-cvv-1234.toml",
    "03-3ds-approved.toml",
    "04-3ds-wrong-password-declined.toml",
    "05-3ds-cancelled.toml",
    "06-card-without-3ds.toml",
    "07-declined-expired-card.toml",
    "08-declined-insufficient-funds.toml",
    "09-declined-not-permitted.toml",
    "10-declined-stolen-card.toml",
    "11-declined-other-cvv.toml",
    "12-repeat-sale-by-reference.toml",
    "13-repeat-sale-email-mismatch.toml",
    "14-unknown-ending-error.toml",
    "15-party-check-wrong-signature.toml",
    "16-party-check-wrong-nonce.toml",
    "17-party-check-missing-server-card-id.toml",
    "18-party-check-filtered.toml",
    "19-party-check-server-failed.toml",
    "20-party-check-http-500.toml",
    "21-party-check-slow.toml",
    "22-party-notification-refused.toml",
    "23-party-notification-wrong-signature.toml",
    "24-gateway-callback-wrong-control.toml",
    "25-party-callback-refused-twice.toml",
    "26-party-notification-refused-once.toml",
    "27-slow-party-and-gateway.toml",
    "28-refused-tampered-amount.toml",
    "29-refused-tampered-currency.toml",
    "30-refused-reused-session.toml",
    "31-refused-other-device-token.toml",
    "32-refused-other-device-serial.toml",
    "33-refused-second-perform.toml",
    "34-refused-card-failing-luhn.toml",
    "35-refused-unknown-endpoint.toml",
    "36-refused-currency-not-on-endpoint.toml",
    "37-3ds-random-sum-right.toml",
    "38-3ds-random-sum-wrong.toml",
    "39-3ds-random-sum-not-entered.toml",
    "40-verification-then-sale-by-reference.toml",
    "41-verification-3ds-approved.toml",
    "42-verification-3ds-wrong-password.toml",
    "43-verification-declined-cvv.toml",
    "44-verification-party-check-wrong-signature.toml",
    "45-sale-by-declined-verification-refused.toml",
    "attacks/01-check-wrong-nonce.toml",
    "attacks/02-check-wrong-serial.toml",
    "attacks/03-check-foreign-token.toml",
    "attacks/04-check-unknown-invoice.toml",
    "attacks/05-notification-unknown-token.toml",
    "attacks/06-callback-forged-control.toml",
    "attacks/07-callback-unknown-invoice.toml",
    "attacks/08-callback-twice.toml",
];

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
