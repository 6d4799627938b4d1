//! Checks of the outcomes a sale may expect besides its final state: `expect.refused` with the app's `mistake`
//! that causes it, and `attack` with the `expect.attack_answer` the Connecting Party server must give; also the
//! random-sum check (`random_sum_centis`), a sandbox setting of the reference Connecting Party server.
//!
//! A refused sale (other than `perform-twice`, whose first perform goes on) ends at its refusal: it has no final
//! state, so no other expectation applies to it. A mistake is always refused at its own step; a refusal without
//! a mistake comes from the data (a card number failing Luhn, a currency the endpoint does not take).

use dapi::{PartyCause, PerformSaleCause, SaleState};
use sandbox_api::Attack;
use serde::Deserialize;
use serde::de::value::{Error as ValueError, StrDeserializer};

use crate::model::{
    Expect, ExpectedAnswer, ExpectedRefusal, Misbehave, Mistake, Sale, Source, ThreeDs,
};
use crate::raw::{RawAnswer, RawRefusal};

/// The steps a refusal may be expected at, with what answers them.
const REFUSAL_STEPS: &str = "5 (initiate sale, answered by the Connecting Party server) or 7 (perform sale, answered by the gateway)";

/// `expect.refused`, read.
pub(super) fn refusal(raw: Option<RawRefusal>) -> Result<Option<ExpectedRefusal>, String> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let (step, answer) = raw.answer();
    let causes: fn(&str) -> bool = match step {
        5 => is_cause::<PartyCause>,
        7 => is_cause::<PerformSaleCause>,
        _ => {
            return Err(format!(
                "expect.refused.step must be {REFUSAL_STEPS}, not {step}"
            ));
        }
    };
    let answer = answer_of("expect.refused", answer, causes)?;
    if answer.status.is_success() {
        return Err("expect.refused.status must be a refusal (not 2xx)".to_owned());
    }
    Ok(Some(ExpectedRefusal { step, answer }))
}

/// `expect.attack_answer`, read; its cause is one a Connecting Party server answers with (spec 5.1).
pub(super) fn attack_answer(raw: Option<RawAnswer>) -> Result<Option<ExpectedAnswer>, String> {
    raw.map(|raw| answer_of("expect.attack_answer", raw, is_cause::<PartyCause>))
        .transpose()
}

fn answer_of(
    key: &str,
    raw: RawAnswer,
    causes: fn(&str) -> bool,
) -> Result<ExpectedAnswer, String> {
    let status = raw.status.parse(&format!("{key}.status"))?;
    if let Some(cause) = raw.cause.as_deref().filter(|cause| !causes(cause)) {
        return Err(format!(
            "{key}.cause = {cause:?} is not a cause this message documents (spec 5.1)"
        ));
    }
    for (part, value) in [("code", &raw.code), ("message", &raw.message)] {
        if value.as_deref().is_some_and(|text| text.trim().is_empty()) {
            return Err(format!("{key}.{part} must not be empty; leave it out"));
        }
    }
    Ok(ExpectedAnswer {
        status,
        cause: raw.cause,
        code: raw.code,
        message: raw.message,
    })
}

/// Whether `name` is a value of the cause enum `C`, in its wire spelling.
fn is_cause<C: for<'de> Deserialize<'de>>(name: &str) -> bool {
    C::deserialize(StrDeserializer::<ValueError>::new(name)).is_ok()
}

/// The consistency of `mistake`, `expect.refused`, `expect.state` and the rest of the expectations; `earlier`
/// are the sales before this one.
pub(super) fn refused_sale(
    mistake: Option<Mistake>,
    expect: &Expect,
    three_ds: Option<&ThreeDs>,
    earlier: &[Sale],
) -> Result<(), String> {
    match (mistake, &expect.refused) {
        (Some(mistake), None) => {
            return Err(format!(
                "mistake = \"{mistake}\" needs expect.refused (what the server must answer it, at step {})",
                mistake.refused_at()
            ));
        }
        (Some(mistake), Some(refused)) if refused.step != mistake.refused_at() => {
            return Err(format!(
                "mistake = \"{mistake}\" is refused at step {}, not {}",
                mistake.refused_at(),
                refused.step
            ));
        }
        _ => {}
    }
    if mistake == Some(Mistake::ReuseSession) {
        let previous = earlier.last().ok_or(
            "mistake = \"reuse-session\" needs an earlier sale, whose nonce and signature it reuses",
        )?;
        if previous
            .expect
            .refused
            .as_ref()
            .is_some_and(|refused| refused.step == 5)
        {
            return Err(
                "mistake = \"reuse-session\" needs the previous sale to be initiated (it is refused at step 5)"
                    .to_owned(),
            );
        }
    }
    let Some(refused) = &expect.refused else {
        return match expect.state {
            Some(_) => Ok(()),
            None => Err("expect.state is required (APPROVED or DECLINED), or expect.refused for a sale that must be refused".to_owned()),
        };
    };
    if mistake == Some(Mistake::PerformTwice) {
        return match expect.state {
            Some(_) => Ok(()),
            None => Err(
                "mistake = \"perform-twice\" needs expect.state too: the first perform goes on"
                    .to_owned(),
            ),
        };
    }
    let step = refused.step;
    let others = [
        ("expect.state", expect.state.is_some()),
        ("expect.error_code", expect.error_code.is_some()),
        ("expect.error_message", expect.error_message.is_some()),
        ("expect.secure_3d", expect.secure_3d.is_some()),
        ("expect.random_sum", expect.random_sum.is_some()),
        ("expect.callback", expect.callback.is_some()),
        ("expect.card_mapping", expect.card_mapping.is_some()),
        ("expect.redirect", expect.redirect.is_some()),
        ("expect.attack_answer", expect.attack_answer.is_some()),
        ("three_ds", three_ds.is_some()),
    ];
    match others.into_iter().find(|(_, given)| *given) {
        Some((key, _)) => Err(format!(
            "{key} does not apply to a sale refused at step {step}: it ends there, with no final state"
        )),
        None => Ok(()),
    }
}

/// Checks `attack` and `random_sum_centis` and adds them to the sale's sandbox settings.
pub(super) fn attack(
    attack: Option<Attack>,
    random_sum_centis: Option<u64>,
    (source, expect, three_ds): (&Source, &Expect, Option<&ThreeDs>),
    mut misbehave: Misbehave,
) -> Result<Misbehave, String> {
    if random_sum_centis == Some(0) {
        return Err("random_sum_centis must be greater than 0".to_owned());
    }
    let answers_sum = matches!(
        three_ds,
        Some(ThreeDs::Password {
            random_sum_centis: Some(_),
            ..
        })
    );
    if answers_sum && random_sum_centis.is_none() {
        return Err("three_ds.random_sum_centis needs random_sum_centis (the Connecting Party server's random-sum check)".to_owned());
    }
    misbehave.party.random_sum_centis = random_sum_centis;
    let Some(attack) = attack else {
        if expect.attack_answer.is_some() {
            return Err(
                "expect.attack_answer needs attack (what the gateway sends on purpose)".to_owned(),
            );
        }
        return Ok(misbehave);
    };
    let name = attack.name();
    let Some(answer) = &expect.attack_answer else {
        return Err(format!(
            "attack = \"{name}\" needs expect.attack_answer (what the Connecting Party server must answer it)"
        ));
    };
    if expect.state.is_none() {
        return Err(format!(
            "attack = \"{name}\" needs expect.state: the sale itself goes on"
        ));
    }
    match (attack.must_refuse(), answer.status.is_success()) {
        (true, true) => {
            return Err(format!(
                "attack = \"{name}\" must be refused: expect.attack_answer.status cannot be 2xx"
            ));
        }
        (false, false) => {
            return Err(format!(
                "attack = \"{name}\" must be accepted again (spec 3.8): expect.attack_answer.status must be 2xx"
            ));
        }
        _ => {}
    }
    let approved_card_sale =
        matches!(source, Source::Card(_)) && expect.state == Some(SaleState::Approved);
    if attack == Attack::NotificationUnknownToken && !approved_card_sale {
        return Err(format!(
            "attack = \"{name}\" needs a sale with card data expected APPROVED (only such a sale sends a card mapping notification, spec 3.7)"
        ));
    }
    if attack.step() == dapi::steps::CALLBACK_RESPONSE && misbehave.gateway.callback.is_some() {
        return Err(format!(
            "attack = \"{name}\" and misbehave.gateway_callback both bend the callback; give one"
        ));
    }
    misbehave.gateway.attack = Some(attack);
    Ok(misbehave)
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a test fails loudly")]
mod tests {
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
            "expect.refused.step must be 5 (initiate sale",
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
        let error = parse(&ATTACK.replace("random_sum_centis = 37 }", "sum = 37 }"))
            .expect_err("unknown key");
        assert!(error.message.contains("unknown field `sum`"), "{error}");
    }
}
