#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]
//! `mobile::run` over real HTTP against tiny fake parties (`fakes`): an approved sale and a repeat sale by
//! reference, a 3-D Secure sale (password and cancel), failures reported rather than panicking, a
//! party without the sandbox record endpoint, and (`violations`) contract violations and misbehaviour.
//! End-to-end tests with the real parties live in `tests/`.

mod fakes;
mod violations;

use std::path::Path;

use dapi::{CallbackStatus, SaleState};
use mobile::{PartyObservation, ScenarioReport};

const CONSUMER: &str = "[consumer]\nserial_number = \"SN-TEST-1\"\nemail = \"jane@example.com\"\n\
    first_name = \"JANE\"\nlast_name = \"DOE\"\n";

fn scenario(sales: &str) -> scenario::Scenario {
    let text = format!("timeout_ms = 5000\n{CONSUMER}{sales}");
    scenario::parse(&text, Path::new("test.toml")).unwrap()
}

fn card_sale(cvv: &str, extra: &str, expect: &str) -> String {
    format!(
        "[[sale]]\namount_centis = 1050\ncurrency = \"EUR\"\n\
         card = {{ number = \"4111111111111111\", security_code = \"{cvv}\", expiry_month = 12, expiry_year = 2030 }}\n\
         {extra}\nexpect = {{ {expect} }}\n"
    )
}

fn rendered(report: &ScenarioReport) -> String {
    let mut out = Vec::new();
    mobile::render(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn step_numbers(report: &ScenarioReport, sale: usize) -> Vec<u8> {
    let steps = report.steps.iter().filter(|step| step.sale == Some(sale));
    steps.map(|step| step.number).collect()
}

#[tokio::test]
async fn an_approved_sale_and_a_repeat_sale_by_reference_pass() {
    let (fake, targets) = fakes::start(true).await;
    let reference = "[[sale]]\namount_centis = 700\ncurrency = \"EUR\"\n\
        card_reference = { from_sale = 1, security_code = \"123\" }\n\
        expect = { state = \"APPROVED\", callback = \"approved\", card_mapping = false, redirect = false }\n";
    let first = card_sale(
        "123",
        "",
        "state = \"APPROVED\", secure_3d = \"AUTHENTICATED\", callback = \"approved\", card_mapping = true, redirect = false",
    );
    let report = mobile::run(&scenario(&format!("{first}{reference}")), &targets).await;
    let text = rendered(&report);
    assert!(report.passed(), "{text}");
    assert_eq!(
        step_numbers(&report, 1),
        [4, 5, 6, 7, 11, 12, 21, 22, 8, 19, 23]
    );
    assert_eq!(
        step_numbers(&report, 2)[..4],
        [4, 4, 4, 5],
        "card reference request and response (spec 2.2 step 4), then initiate"
    );
    let outcome = &report.sales[0];
    assert_eq!(outcome.state, Some(SaleState::Approved));
    assert_eq!(outcome.callback, Some(CallbackStatus::Approved));
    assert_eq!(
        outcome.client_card_id.as_ref().map(|id| id.as_str()),
        Some("CC-INV-1")
    );
    assert_eq!(outcome.party, PartyObservation::Seen);

    let inner = fake.lock();
    assert_eq!(
        inner.token_requests[0]["consumer"]["device"]["serialNumber"],
        "SN-TEST-1"
    );
    let [card, by_reference] = inner.performs.as_slice() else {
        panic!("two performs")
    };
    assert_eq!(card["sourceOfFunds"]["card"]["number"], "4111111111111111");
    assert_eq!(card["sourceOfFunds"]["card"]["holder"]["firstName"], "JANE");
    assert_eq!(card["consumer"]["email"], "jane@example.com");
    assert_eq!(
        by_reference["sourceOfFunds"]["reference"]["clientCardId"],
        "CC-INV-1"
    );
    assert!(by_reference["sourceOfFunds"].get("card").is_none());
    assert!(
        !text.contains("4111111111111111") && text.contains("411111******1111"),
        "{text}"
    );
}

#[tokio::test]
async fn a_three_ds_sale_posts_the_password_and_a_cancelled_one_is_declined() {
    let (fake, targets) = fakes::start(true).await;
    let approved = card_sale(
        "321",
        "three_ds = { password = \"hint\" }",
        "state = \"APPROVED\", secure_3d = \"AUTHENTICATED\", callback = \"approved\", card_mapping = true, redirect = true",
    );
    let cancelled = card_sale(
        "321",
        "three_ds = \"cancel\"",
        "state = \"DECLINED\", secure_3d = \"NOT_AUTHENTICATED\", error_message = \"3DS\", callback = \"declined\", card_mapping = false, redirect = true",
    );
    let report = mobile::run(&scenario(&format!("{approved}{cancelled}")), &targets).await;
    let text = rendered(&report);
    assert!(report.passed(), "{text}");
    assert_eq!(
        step_numbers(&report, 1),
        [4, 5, 6, 7, 11, 12, 13, 15, 16, 17, 21, 22, 8, 19, 23]
    );
    let inner = fake.lock();
    let [submitted, cancel] = inner.three_ds_posts.as_slice() else {
        panic!("two form posts")
    };
    assert_eq!(submitted.get("password").map(String::as_str), Some("hint"));
    assert_eq!(submitted.get("action").map(String::as_str), Some("submit"));
    assert_eq!(
        submitted.get("attempt").map(String::as_str),
        Some("1"),
        "hidden fields are kept"
    );
    assert_eq!(cancel.get("action").map(String::as_str), Some("cancel"));
    assert!(
        !text.contains("hint"),
        "the password stays out of the report: {text}"
    );
}

#[tokio::test]
async fn wrong_outcomes_refusals_and_stuck_sales_are_failures() {
    let (fake, targets) = fakes::start(true).await;
    let approved = "state = \"APPROVED\"";
    let sales = [
        card_sale("101", "", approved),
        card_sale("999", "", approved),
        card_sale("321", "", "state = \"DECLINED\""),
        card_sale("217", "", approved),
    ];
    let mut scenario = scenario(&sales.concat());
    scenario.timeout = std::time::Duration::from_millis(300);
    let report = mobile::run(&scenario, &targets).await;
    assert!(!report.passed());
    let [wrong, refused, unexpected, stuck] = report.failures.as_slice() else {
        panic!("four failures: {}", rendered(&report))
    };
    assert_eq!(
        wrong,
        r#"sale 1: state: expected APPROVED, got DECLINED (errorCode 101, errorMessage "Expired card")"#
    );
    assert_eq!(
        refused,
        "sale 2: perform sale refused: HTTP 400 INVALID_REQUEST (DAPI-400-INVALID): signature mismatch"
    );
    assert_eq!(
        unexpected,
        "sale 3: unexpected 3-D Secure page (the scenario has no three_ds): cancelling it"
    );
    let timed_out =
        "sale 4: sale did not reach a final state within 300ms (still PROCESSING after ";
    assert!(stuck.starts_with(timed_out), "{stuck}");
    assert_eq!(report.sales[1].state, None);
    assert_eq!(report.sales[2].state, Some(SaleState::Declined));
    let inner = fake.lock();
    assert_eq!(
        inner.three_ds_posts[0].get("action").map(String::as_str),
        Some("cancel")
    );
    let summary = {
        let mut out = Vec::new();
        mobile::render_summary(std::slice::from_ref(&report), None, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    assert!(summary.ends_with("0 passed, 1 failed\n"), "{summary}");
}

#[tokio::test]
async fn a_party_without_sandbox_records_makes_its_steps_not_observable() {
    let (_fake, targets) = fakes::start(false).await;
    let sale = card_sale(
        "123",
        "",
        "state = \"APPROVED\", callback = \"approved\", card_mapping = true",
    );
    let report = mobile::run(&scenario(&sale), &targets).await;
    let text = rendered(&report);
    assert!(report.passed(), "nothing failed: {text}");
    assert_eq!(
        report.verdict(),
        mobile::Verdict::Skip,
        "but it did not pass: {text}"
    );
    assert_eq!(report.skipped_expectations.len(), 2, "{text}");
    assert!(
        report.skipped_expectations[0].starts_with("sale 1: callback approved: not observable"),
        "{text}"
    );
    assert_eq!(report.sales[0].party, PartyObservation::NotObservable);
    let observed: Vec<&str> = report
        .steps
        .iter()
        .filter(|s| [8, 19, 23].contains(&s.number))
        .map(|s| s.detail.as_str())
        .collect();
    assert_eq!(observed.len(), 3, "{text}");
    assert!(
        observed
            .iter()
            .all(|detail| detail.starts_with("not observable")),
        "{text}"
    );
}

#[tokio::test]
async fn an_unreachable_party_is_a_failure_not_a_panic() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed: url::Url = format!("http://{}", listener.local_addr().unwrap())
        .parse()
        .unwrap();
    drop(listener);
    let targets = mobile::Targets::new(closed.clone(), closed);
    let report = mobile::run(
        &scenario(&card_sale("123", "", "state = \"APPROVED\"")),
        &targets,
    )
    .await;
    let [failure] = report.failures.as_slice() else {
        panic!("one failure: {:?}", report.failures)
    };
    assert!(
        failure.starts_with("access token refused, no sale played: no answer"),
        "{failure}"
    );
    assert!(report.sales.is_empty());
}

#[tokio::test]
async fn failed_polls_are_retried_until_the_deadline_and_every_error_is_reported() {
    let (_fake, targets) = fakes::start(true).await;
    let recovers = card_sale("503", "", "state = \"APPROVED\"");
    let report = mobile::run(&scenario(&recovers), &targets).await;
    let text = rendered(&report);
    assert_eq!(report.verdict(), mobile::Verdict::Pass, "{text}");
    let errors: Vec<&str> = report
        .steps
        .iter()
        .filter(|step| step.number == 12 && step.detail.contains("503"))
        .map(|step| step.detail.as_str())
        .collect();
    assert_eq!(errors.len(), 1, "the same error twice is one step: {text}");
    let mut never = scenario(&card_sale("504", "", "state = \"APPROVED\""));
    never.timeout = std::time::Duration::from_millis(300);
    let report = mobile::run(&never, &targets).await;
    let [failure] = report.failures.as_slice() else {
        panic!("one failure: {}", rendered(&report))
    };
    assert!(
        failure.contains("without an answer after ")
            && failure.contains("errors met: HTTP 503 INTERNAL_ERROR (GW-503): busy ("),
        "{failure}"
    );
}

#[tokio::test]
async fn the_page_stays_open_while_polling_and_is_closed_when_the_state_leaves_redirect_request() {
    let (fake, targets) = fakes::start(true).await;
    let left_alone = card_sale(
        "322",
        "three_ds = \"ignore\"",
        "state = \"DECLINED\", secure_3d = \"NOT_AUTHENTICATED\", redirect = true",
    );
    let report = mobile::run(&scenario(&left_alone), &targets).await;
    let text = rendered(&report);
    assert!(report.passed(), "{text}");
    assert_eq!(
        step_numbers(&report, 1)[4..],
        [11, 12, 13, 21, 22, 17, 8, 19, 23],
        "{text}"
    );
    let closed = report.steps.iter().find(|step| step.number == 17).unwrap();
    assert!(closed.detail.ends_with("the app closes the page"), "{text}");
    assert!(
        fake.lock().three_ds_posts.is_empty(),
        "the consumer did nothing"
    );
    assert!(
        fake.lock().sales["INV-1"].polls >= 4,
        "polling went on while the page was open"
    );
}

#[test]
fn a_run_can_be_spawned_on_another_task() {
    fn is_send<T: Send>(_: &T) {}
    let scenario = scenario(&card_sale("123", "", "state = \"APPROVED\""));
    let local: url::Url = "http://127.0.0.1:9".parse().unwrap();
    let targets = mobile::Targets::new(local.clone(), local);
    let client = mobile::Client::new(&targets).unwrap();
    is_send(&mobile::run(&scenario, &targets));
    is_send(&client.run(&scenario));
}
