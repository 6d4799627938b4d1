//! Tests of `check/outcome`.
#![allow(clippy::panic, reason = "a test fails loudly")]

use std::path::Path;

use sandbox_api::Attack;

use crate::model::{Mistake, StatusMatch, ThreeDs};

/// An approved card sale (line 4), then a sale refused at perform sale on purpose (line 9).
const REFUSALS: &str = r#"[consumer]
serial_number = "SN-1"

[[sale]]
amount_centis = 100
currency = "EUR"
card = { number = "4111111111111111", security_code = "123", expiry_month = 1, expiry_year = 2030 }
expect = { state = "APPROVED" }
[[sale]]
amount_centis = 200
currency = "EUR"
card = { number = "4111111111111111", security_code = "123", expiry_month = 1, expiry_year = 2030 }
mistake = "reuse-session"
expect = { refused = { step = 7, status = 400, cause = "INVALID_REQUEST", message = "signature" } }
"#;

fn parse(text: &str) -> Result<crate::Scenario, crate::ScenarioError> {
    crate::parse(text, Path::new("x.toml"))
}

fn refused_at(from: &str, to: &str, line: usize, message: &str) {
    assert!(REFUSALS.contains(from), "REFUSALS has no {from:?}");
    let error = parse(&REFUSALS.replacen(from, to, 1)).expect_err("should be refused");
    assert_eq!(error.line, Some(line), "{error}");
    assert!(error.message.contains(message), "{error}");
}

#[test]
fn a_mistake_and_its_refusal_parse() {
    let scenario = parse(REFUSALS).unwrap_or_else(|error| panic!("{error}"));
    let sale = &scenario.sales[1];
    assert_eq!(sale.mistake, Some(Mistake::ReuseSession));
    assert_eq!(sale.expect.state, None);
    let refused = sale.expect.refused.as_ref().expect("a refusal");
    assert_eq!(refused.step, 7);
    assert_eq!(refused.answer.status, StatusMatch::Exact(400));
    assert_eq!(refused.answer.cause.as_deref(), Some("INVALID_REQUEST"));
    assert_eq!(refused.answer.message.as_deref(), Some("signature"));
    for mistake in Mistake::ALL {
        let step = mistake.refused_at();
        let text = REFUSALS
            .replace("reuse-session", mistake.name())
            .replace("step = 7", &format!("step = {step}"))
            .replace(", cause = \"INVALID_REQUEST\"", "");
        let text = if mistake == Mistake::PerformTwice {
            text.replace("{ refused", "{ state = \"APPROVED\", refused")
        } else {
            text
        };
        let scenario = parse(&text).unwrap_or_else(|error| panic!("{mistake}: {error}"));
        assert_eq!(scenario.sales[1].mistake, Some(mistake));
    }
}

#[test]
fn refusal_steps_statuses_and_causes_are_checked() {
    refused_at(
        "step = 7",
        "step = 9",
        9,
        "expect.refused.step must be 4 (the card reference",
    );
    refused_at(
        "status = 400",
        "status = 200",
        9,
        "must be a refusal (not 2xx)",
    );
    refused_at(
        "status = 400",
        "status = 99",
        9,
        "an HTTP status (100-599) or a class",
    );
    refused_at(
        "status = 400",
        "status = \"4XX\"",
        9,
        "or a class \"1xx\"-\"5xx\"",
    );
    refused_at(
        "\"INVALID_REQUEST\"",
        "\"FILTERED\"",
        9,
        "cause = \"FILTERED\" is not a cause this message documents",
    );
    refused_at(
        "message = \"signature\"",
        "message = \" \"",
        9,
        "expect.refused.message must not be empty",
    );
    refused_at(
        "message = \"signature\"",
        "mesage = \"x\"",
        14,
        "unknown field `mesage`",
    );
    let class = REFUSALS.replace("status = 400", "status = \"4xx\"");
    let scenario = parse(&class).unwrap_or_else(|error| panic!("{error}"));
    let refused = scenario.sales[1].expect.refused.as_ref().unwrap();
    assert_eq!(refused.answer.status, StatusMatch::Class(4));
}

#[test]
fn a_mistake_needs_its_refusal_and_a_refused_sale_nothing_else() {
    refused_at(
        "mistake = \"reuse-session\"",
        "mistake = \"other-device-token\"",
        9,
        "is refused at step 5, not 7",
    );
    refused_at(
        "mistake = \"reuse-session\"",
        "mistake = \"reuse-sesion\"",
        13,
        "unknown variant `reuse-sesion`",
    );
    refused_at(
        "expect = { refused",
        "expect = { state = \"DECLINED\", refused",
        9,
        "expect.state does not apply to a sale refused at step 7",
    );
    refused_at(
        "expect = { refused",
        "three_ds = \"cancel\"\nexpect = { refused",
        9,
        "three_ds does not apply to a sale refused",
    );
    refused_at(
        "mistake = \"reuse-session\"\nexpect = { refused = { step = 7, status = 400, cause = \"INVALID_REQUEST\", message = \"signature\" } }",
        "mistake = \"tamper-amount\"\nexpect = { state = \"DECLINED\" }",
        9,
        "mistake = \"tamper-amount\" needs expect.refused",
    );
    refused_at(
        "expect = { state = \"APPROVED\" }",
        "expect = { }",
        4,
        "expect.state is required",
    );
    let twice = REFUSALS.replace("reuse-session", "perform-twice");
    let error = parse(&twice).expect_err("perform-twice needs a state");
    assert!(error.message.contains("needs expect.state too"), "{error}");
    let first = REFUSALS.replacen(
        "expect = { state = \"APPROVED\" }",
        "mistake = \"reuse-session\"\nexpect = { refused = { step = 7, status = 400 } }",
        1,
    );
    let error = parse(&first).expect_err("no earlier sale");
    assert!(error.message.contains("needs an earlier sale"), "{error}");
}

/// A card sale whose check sale the gateway attacks (line 4).
const ATTACK: &str = r#"[consumer]
serial_number = "SN-1"

[[sale]]
amount_centis = 100
currency = "EUR"
card = { number = "4111111111111111", security_code = "321", expiry_month = 1, expiry_year = 2030 }
attack = "check-wrong-nonce"
random_sum_centis = 37
three_ds = { password = "hint", random_sum_centis = 37 }
[sale.expect]
state = "APPROVED"
attack_answer = { status = 403, cause = "INVALID_REQUEST" }
random_sum = "AUTHENTICATED"
"#;

fn attack_refused(from: &str, to: &str, message: &str) {
    assert!(ATTACK.contains(from), "ATTACK has no {from:?}");
    let error = parse(&ATTACK.replacen(from, to, 1)).expect_err("should be refused");
    assert_eq!(error.line, Some(4), "{error}");
    assert!(error.message.contains(message), "{error}");
}

#[test]
fn an_attack_and_a_random_sum_parse_into_the_sandbox_settings() {
    let scenario = parse(ATTACK).unwrap_or_else(|error| panic!("{error}"));
    let sale = &scenario.sales[0];
    assert_eq!(sale.misbehave.gateway.attack, Some(Attack::CheckWrongNonce));
    assert_eq!(sale.misbehave.party.random_sum_centis, Some(37));
    let answer = sale.expect.attack_answer.as_ref().unwrap();
    assert_eq!(answer.status, StatusMatch::Exact(403));
    assert_eq!(
        sale.three_ds,
        Some(ThreeDs::Password {
            password: "hint".into(),
            random_sum_centis: Some(37)
        })
    );
    for attack in Attack::ALL {
        let status = if attack.must_refuse() {
            "\"4xx\""
        } else {
            "200"
        };
        let text = ATTACK
            .replace("check-wrong-nonce", attack.name())
            .replace("status = 403", &format!("status = {status}"));
        let scenario = parse(&text).unwrap_or_else(|error| panic!("{attack}: {error}"));
        assert_eq!(scenario.sales[0].misbehave.gateway.attack, Some(attack));
    }
    let ignore = ATTACK.replace(
        "three_ds = { password = \"hint\", random_sum_centis = 37 }",
        "three_ds = \"ignore\"",
    );
    assert_eq!(
        parse(&ignore).unwrap().sales[0].three_ds,
        Some(ThreeDs::Ignore)
    );
}

#[test]
fn an_attack_needs_its_answer_and_a_sale_that_sends_its_message() {
    attack_refused(
        "attack_answer = { status = 403, cause = \"INVALID_REQUEST\" }\n",
        "",
        "needs expect.attack_answer",
    );
    attack_refused(
        "attack = \"check-wrong-nonce\"\n",
        "",
        "expect.attack_answer needs attack",
    );
    attack_refused(
        "status = 403",
        "status = 200",
        "must be refused: expect.attack_answer.status cannot be 2xx",
    );
    attack_refused(
        "\"check-wrong-nonce\"",
        "\"callback-twice\"",
        "must be accepted again (spec 3.8)",
    );
    attack_refused(
        "\"INVALID_REQUEST\" }",
        "\"INVALID_CONFIGURATION\" }",
        "is not a cause this message documents",
    );
    let declined = ATTACK
        .replace("\"check-wrong-nonce\"", "\"notification-unknown-token\"")
        .replace("state = \"APPROVED\"", "state = \"DECLINED\"")
        .replace("random_sum = \"AUTHENTICATED\"", "");
    let error = parse(&declined).expect_err("no notification");
    assert!(
        error
            .message
            .contains("needs a sale with card data expected APPROVED"),
        "{error}"
    );
}

#[test]
fn a_random_sum_answer_needs_a_random_sum_check_and_three_ds_values_are_named() {
    attack_refused(
        "random_sum_centis = 37\nthree_ds",
        "three_ds",
        "three_ds.random_sum_centis needs random_sum_centis",
    );
    attack_refused(
        "random_sum_centis = 37\nthree_ds",
        "random_sum_centis = 0\nthree_ds",
        "random_sum_centis must be greater than 0",
    );
    let error = parse(&ATTACK.replace(
        "three_ds = { password = \"hint\", random_sum_centis = 37 }",
        "three_ds = \"skip\"",
    ))
    .expect_err("unknown action");
    assert!(
        error
            .message
            .contains("expected \"cancel\", \"ignore\" or { password"),
        "{error}"
    );
    let error =
        parse(&ATTACK.replace("random_sum_centis = 37 }", "sum = 37 }")).expect_err("unknown key");
    assert!(error.message.contains("unknown field `sum`"), "{error}");
}
