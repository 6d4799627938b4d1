//! Checks of a sale's sandbox-only parts: `[sale.misbehave]` and `[[sale.expect.violation]]`.
//!
//! A misbehaviour is refused when the sale cannot reach the message it spoils: the party's
//! notification answer needs a card mapping notification, which only an approved sale with card
//! data causes (spec 3.7); a missing `serverCardId` needs a check sale that should carry one, i.e.
//! a repeat sale (spec 2.2, 3.4), and so does another e-mail than the card's.

use dapi::{Flow, SaleState};
use sandbox_api::CheckMisbehaviour;
use sandbox_api::GatewayMisbehaviour;
use sandbox_api::PartyMisbehaviour;

use crate::model::{Expect, ExpectedViolation, Misbehave, Source};
use crate::raw::{RawMisbehave, RawViolation};

/// Checks `[sale.misbehave]` against the sale's flow, source of funds and expectations.
pub(super) fn misbehave(
    raw: Option<RawMisbehave>,
    flow: Flow,
    source: &Source,
    expect: &Expect,
) -> Result<Misbehave, String> {
    let Some(raw) = raw else {
        return Ok(Misbehave::default());
    };
    let party_check = raw.party_check;
    let is_reference = matches!(source, Source::Reference { .. });
    let needs_reference = match party_check {
        Some(CheckMisbehaviour::MissingServerCardId) => {
            Some(("missing-server-card-id", "a serverCardId"))
        }
        // A check verification answer carries the consumer's e-mail too (addendum §2.4).
        Some(CheckMisbehaviour::OtherEmail) if flow == Flow::Sale => {
            Some(("other-email", "the card's e-mail"))
        }
        _ => None,
    };
    if let Some((name, carried)) = needs_reference.filter(|_| !is_reference) {
        return Err(format!(
            "misbehave.party_check = \"{name}\" needs card_reference \
            (only a repeat sale's check sale answer carries {carried}, spec 3.4)"
        ));
    }
    match raw.party_delay_ms {
        Some(_) if party_check != Some(CheckMisbehaviour::Slow) => {
            return Err(
                "misbehave.party_delay_ms needs misbehave.party_check = \"slow\"".to_owned(),
            );
        }
        Some(0) => return Err("misbehave.party_delay_ms must be greater than 0".to_owned()),
        _ => {}
    }
    if raw.party_notification.is_some()
        && (is_reference || expect.state != Some(SaleState::Approved))
    {
        return Err(
            "misbehave.party_notification needs a sale with card data expected APPROVED \
            (only such a sale sends a card mapping notification, spec 3.7)"
                .to_owned(),
        );
    }
    let misbehave = Misbehave {
        party: PartyMisbehaviour {
            check: party_check,
            notification: raw.party_notification,
            callback: raw.party_callback,
            delay_ms: raw.party_delay_ms,
            ..PartyMisbehaviour::default()
        },
        gateway: GatewayMisbehaviour {
            callback: raw.gateway_callback,
            ..GatewayMisbehaviour::default()
        },
    };
    if misbehave.is_empty() {
        return Err("[sale.misbehave] names no misbehaviour; leave the table out".to_owned());
    }
    Ok(misbehave)
}

/// Checks the `[[sale.expect.violation]]` tables (the step's range is checked while parsing).
pub(super) fn violations(raw: Vec<RawViolation>) -> Result<Vec<ExpectedViolation>, String> {
    raw.into_iter()
        .map(|violation| {
            if violation
                .path
                .as_deref()
                .is_some_and(|path| path.trim().is_empty())
            {
                return Err(
                    "expect.violation.path must not be empty; leave it out to match any path"
                        .to_owned(),
                );
            }
            Ok(ExpectedViolation {
                observer: violation.observer,
                step: violation.step.0,
                path: violation.path,
                optional: violation.optional,
            })
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a test fails loudly")]
mod tests {
    use std::path::Path;

    use sandbox_api::CallbackAnswerMisbehaviour;
    use sandbox_api::CallbackMisbehaviour;
    use sandbox_api::NotificationMisbehaviour;
    use sandbox_api::Observer;

    use super::*;
    use crate::check::tests::assert_refused;

    /// A card sale (line 4) with both new sections as tables, and a repeat sale (line 26) with them inline.
    const SANDBOX: &str = r#"[consumer]
serial_number = "SN-1"

[[sale]]
amount_centis = 100
currency = "EUR"
card = { number = "4111111111111111", security_code = "123", expiry_month = 1, expiry_year = 2030 }

[sale.misbehave]
party_notification = "wrong-check-signature"
gateway_callback = "wrong-control"

[sale.expect]
state = "APPROVED"
card_mapping = true

[[sale.expect.violation]]
observer = "gateway"
step = 20
path = "session.checkSignature"

[[sale.expect.violation]]
observer = "party"
step = 23

[[sale]]
amount_centis = 200
currency = "EUR"
card_reference = { from_sale = 1, security_code = "123" }
misbehave = { party_check = "slow", party_delay_ms = 3000 }
expect = { state = "DECLINED", violation = [{ observer = "gateway", step = 9 }] }
"#;

    fn parse(text: &str) -> Result<crate::Scenario, crate::ScenarioError> {
        crate::parse(text, Path::new("x.toml"))
    }

    fn refused_at(from: &str, to: &str, line: usize, message: &str) {
        assert!(SANDBOX.contains(from), "SANDBOX has no {from:?}");
        let error = parse(&SANDBOX.replacen(from, to, 1)).expect_err("should be refused");
        assert_eq!(error.line, Some(line), "{error}");
        assert!(error.message.contains(message), "{error}");
    }

    #[test]
    fn misbehaviour_and_expected_violations_parse_as_tables_and_inline() {
        let scenario = parse(SANDBOX).expect("SANDBOX is valid");
        let [first, second] = scenario.sales.as_slice() else {
            panic!("two sales expected")
        };
        assert_eq!(
            first.misbehave,
            Misbehave {
                party: PartyMisbehaviour {
                    notification: Some(NotificationMisbehaviour::WrongCheckSignature),
                    ..PartyMisbehaviour::default()
                },
                gateway: GatewayMisbehaviour {
                    callback: Some(CallbackMisbehaviour::WrongControl),
                    ..GatewayMisbehaviour::default()
                },
            }
        );
        assert_eq!(
            first.expect.violations,
            [
                ExpectedViolation {
                    observer: Observer::Gateway,
                    step: 20,
                    path: Some("session.checkSignature".to_owned()),
                    optional: false,
                },
                ExpectedViolation {
                    observer: Observer::Party,
                    step: 23,
                    path: None,
                    optional: false,
                },
            ]
        );
        assert_eq!(second.misbehave.party.check, Some(CheckMisbehaviour::Slow));
        assert_eq!(second.misbehave.party.delay_ms, Some(3000));
        assert!(second.misbehave.gateway_is_empty());
        assert_eq!(
            second.expect.violations,
            [ExpectedViolation {
                observer: Observer::Gateway,
                step: 9,
                path: None,
                optional: false,
            }]
        );
    }

    #[test]
    fn a_sale_without_the_new_sections_has_no_misbehaviour_and_expects_no_violation() {
        let text = SANDBOX.replace(
            "misbehave = { party_check = \"slow\", party_delay_ms = 3000 }\n",
            "",
        );
        let text = text.replace(", violation = [{ observer = \"gateway\", step = 9 }]", "");
        let scenario = parse(&text).expect("valid");
        assert!(scenario.sales[1].misbehave.is_empty());
        assert!(scenario.sales[1].expect.violations.is_empty());
    }

    #[test]
    fn every_misbehaviour_spelling_parses() {
        for check in [
            "wrong-check-signature",
            "wrong-nonce",
            "missing-server-card-id",
            "filtered",
            "server-failed",
            "http-500",
            "slow",
            "wrong-token",
            "wrong-invoice",
            "wrong-currency",
            "missing-check-signature",
            "other-email",
        ] {
            let text = SANDBOX.replace(
                "party_check = \"slow\", party_delay_ms = 3000",
                &format!("party_check = \"{check}\""),
            );
            parse(&text).unwrap_or_else(|error| panic!("{check}: {error}"));
        }
        let http500 = SANDBOX.replace("\"slow\", party_delay_ms = 3000", "\"http-500\"");
        assert_eq!(
            parse(&http500).expect("valid").sales[1]
                .misbehave
                .party
                .check,
            Some(CheckMisbehaviour::Http500)
        );
        for (name, notification) in [
            ("refuse", NotificationMisbehaviour::Refuse),
            ("http-500", NotificationMisbehaviour::Http500),
            ("wrong-nonce", NotificationMisbehaviour::WrongNonce),
            ("missing-token", NotificationMisbehaviour::MissingToken),
        ] {
            let text = SANDBOX.replace("\"wrong-check-signature\"", &format!("\"{name}\""));
            let scenario = parse(&text).unwrap_or_else(|error| panic!("{name}: {error}"));
            let party = &scenario.sales[0].misbehave.party;
            assert_eq!(party.notification, Some(notification));
        }
        let callback = SANDBOX.replace(
            "gateway_callback = \"wrong-control\"",
            "party_callback = \"http-500\"",
        );
        let scenario = parse(&callback).expect("valid");
        let party = &scenario.sales[0].misbehave.party;
        assert_eq!(party.callback, Some(CallbackAnswerMisbehaviour::Http500));
    }

    #[test]
    fn unknown_misbehaviours_and_keys_are_refused_on_their_lines() {
        refused_at(
            "\"wrong-control\"",
            "\"late\"",
            11,
            "unknown variant `late`",
        );
        refused_at("gateway_callback", "gateway_calback", 11, "unknown field");
        refused_at(
            "party_check = \"slow\"",
            "party_check = \"sloww\"",
            30,
            "unknown variant",
        );
    }

    #[test]
    fn bad_expected_violations_are_refused_on_their_lines() {
        refused_at("step = 20", "step = 25", 19, "step must be 1-24");
        refused_at("step = 20", "step = 0", 19, "step must be 1-24");
        refused_at(
            "observer = \"party\"",
            "observer = \"bank\"",
            23,
            "unknown variant `bank`",
        );
        refused_at(
            "step = 23\n",
            "step = 23\nrule = \"x\"\n",
            25,
            "unknown field `rule`",
        );
        refused_at("step = 23\n", "", 22, "missing field `step`");
        refused_at(
            "\"session.checkSignature\"",
            "\" \"",
            4,
            "sale 1: expect.violation.path must not be empty",
        );
    }

    #[test]
    fn a_missing_server_card_id_or_another_email_needs_a_repeat_sale() {
        refused_at(
            "party_notification = \"wrong-check-signature\"",
            "party_check = \"missing-server-card-id\"",
            4,
            "sale 1: misbehave.party_check = \"missing-server-card-id\" needs card_reference",
        );
        refused_at(
            "party_notification = \"wrong-check-signature\"",
            "party_check = \"other-email\"",
            4,
            "sale 1: misbehave.party_check = \"other-email\" needs card_reference",
        );
    }

    #[test]
    fn a_delay_needs_a_slow_check_and_is_positive() {
        refused_at(
            "party_check = \"slow\", party_delay_ms",
            "party_check = \"filtered\", party_delay_ms",
            26,
            "sale 2: misbehave.party_delay_ms needs misbehave.party_check = \"slow\"",
        );
        refused_at(
            "party_delay_ms = 3000",
            "party_delay_ms = 0",
            26,
            "greater than 0",
        );
    }

    #[test]
    fn a_notification_misbehaviour_needs_an_approved_card_sale() {
        refused_at(
            "state = \"APPROVED\"\ncard_mapping = true",
            "state = \"DECLINED\"",
            4,
            "sale 1: misbehave.party_notification needs a sale with card data expected APPROVED",
        );
        refused_at(
            "party_check = \"slow\", party_delay_ms = 3000",
            "party_notification = \"refuse\"",
            26,
            "sale 2: misbehave.party_notification needs a sale with card data",
        );
    }

    #[test]
    fn an_empty_misbehave_table_is_refused() {
        refused_at(
            "party_check = \"slow\", party_delay_ms = 3000",
            "",
            26,
            "sale 2: [sale.misbehave] names no misbehaviour",
        );
        assert_refused(
            "expect = { state = \"APPROVED\" }",
            "misbehave = {}\nexpect = { state = \"APPROVED\" }",
            Some(10),
            "names no misbehaviour",
        );
    }
}
