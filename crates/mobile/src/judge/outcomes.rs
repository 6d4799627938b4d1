//! Comparing the outcomes a sale may expect besides its final state: the refusal met (`expect.refused`) and the
//! Connecting Party server's answer to the gateway's attack (`expect.attack_answer`), with, for a repeated
//! callback, how many times the server booked it when its record says. One failure text per mismatch.

use sandbox_api::Attack;
use scenario::Sale;

use crate::report::{PartyObservation, SaleOutcome};

/// The mismatches of the refusal and the attack answer, without the `sale N: ` prefix.
pub(super) fn compare(sale: &Sale, outcome: &SaleOutcome) -> Vec<String> {
    let mut failures = Vec::new();
    if let (Some(expected), Some(refusal)) = (&sale.expect.refused, &outcome.refusal) {
        let (cause, code, message) = (
            refusal.cause.as_deref(),
            refusal.code.as_deref(),
            refusal.message.as_deref(),
        );
        if let Some(wrong) = expected
            .answer
            .mismatch(refusal.status, cause, code, message)
        {
            failures.push(format!(
                "step {}: expected a refusal {}; {wrong}",
                expected.step, expected.answer
            ));
        }
    }
    if let (Some(attack), Some(expected)) =
        (sale.misbehave.gateway.attack, &sale.expect.attack_answer)
        && outcome.gateway == PartyObservation::Seen
    {
        failures.extend(attack_failure(attack, expected, outcome));
    }
    failures
}

/// The failure of an attack answered otherwise than `expected`, or never sent.
fn attack_failure(
    attack: Attack,
    expected: &scenario::ExpectedAnswer,
    outcome: &SaleOutcome,
) -> Vec<String> {
    let named = format!("attack {attack} ({})", attack.sent());
    let Some(answer) = &outcome.attack else {
        return vec![format!(
            "{named}: the gateway's record shows no answer to it"
        )];
    };
    let Some(status) = answer.status else {
        return vec![format!(
            "{named}: expected {expected}, no answer: {}",
            answer.excerpt
        )];
    };
    let mut failures = Vec::new();
    let (cause, code, message) = (
        answer.cause.as_deref(),
        answer.code.as_deref(),
        answer.message.as_deref(),
    );
    if let Some(wrong) = expected.mismatch(status, cause, code, message) {
        let missing = if attack.must_refuse() && answer.accepted() {
            format!(
                " — it accepted it: a Connecting Party server must {}",
                attack.check()
            )
        } else {
            String::new()
        };
        failures.push(format!("{named}: expected {expected}; {wrong}{missing}"));
    }
    let bookings = outcome.callback_bookings.filter(|booked| *booked > 1);
    if let (Attack::CallbackTwice, Some(booked)) = (attack, bookings) {
        failures.push(format!(
            "{named}: the Connecting Party server booked it {booked} times: it must {}",
            attack.check()
        ));
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ObservedRefusal;
    use sandbox_api::AttackAnswer;
    use std::path::Path;

    fn sale(extra: &str, expect: &str) -> Sale {
        let text = format!(
            "[consumer]\nserial_number = \"SN-1\"\n[[sale]]\namount_centis = 1\ncurrency = \"EUR\"\n\
            card = {{ number = \"4111111111111111\", security_code = \"123\", expiry_month = 1, expiry_year = 2030 }}\n\
            {extra}\nexpect = {{ {expect} }}\n"
        );
        let scenario = scenario::parse(&text, Path::new("t.toml")).unwrap();
        scenario.sales.into_iter().next().unwrap()
    }

    fn refused(status: u16, cause: &str) -> SaleOutcome {
        SaleOutcome {
            refusal: Some(ObservedRefusal {
                step: 7,
                status,
                cause: Some(cause.into()),
                code: Some("DAPI-400-SIGNATURE".into()),
                message: Some("signature mismatch".into()),
            }),
            ..SaleOutcome::new(1)
        }
    }

    #[test]
    fn a_refusal_is_compared_with_the_expected_one() {
        let sale = sale(
            "mistake = \"tamper-amount\"",
            "refused = { step = 7, status = 400, cause = \"INVALID_REQUEST\" }",
        );
        assert!(compare(&sale, &refused(400, "INVALID_REQUEST")).is_empty());
        assert_eq!(
            compare(&sale, &refused(400, "INVALID_CONFIGURATION")),
            [
                "step 7: expected a refusal HTTP 400 INVALID_REQUEST; error.cause \"INVALID_REQUEST\", got \"INVALID_CONFIGURATION\""
            ]
        );
    }

    fn attacked(status: Option<u16>, bookings: Option<u32>) -> SaleOutcome {
        SaleOutcome {
            gateway: PartyObservation::Seen,
            callback_bookings: bookings,
            attack: Some(AttackAnswer {
                attack: Attack::CheckWrongNonce,
                step: 9,
                status,
                cause: None,
                code: None,
                message: None,
                excerpt: "timeout".into(),
            }),
            ..SaleOutcome::new(1)
        }
    }

    #[test]
    fn an_accepted_attack_names_the_missing_check() {
        let sale = sale(
            "attack = \"check-wrong-nonce\"",
            "state = \"APPROVED\", attack_answer = { status = 403 }",
        );
        assert!(compare(&sale, &attacked(Some(403), None)).is_empty());
        let [accepted] = compare(&sale, &attacked(Some(200), None))
            .try_into()
            .unwrap();
        assert_eq!(
            accepted,
            "attack check-wrong-nonce (a check sale with a nonce it never issued): expected HTTP 403; HTTP 403, got HTTP 200 — it accepted it: a Connecting Party server must compare session.nonce with the nonce issued at initiate sale (spec 3.4)"
        );
        let [silent] = compare(&sale, &attacked(None, None)).try_into().unwrap();
        assert!(
            silent.ends_with("expected HTTP 403, no answer: timeout"),
            "{silent}"
        );
        let unread = SaleOutcome {
            gateway: PartyObservation::NotObservable,
            ..attacked(Some(200), None)
        };
        assert!(
            compare(&sale, &unread).is_empty(),
            "the gateway's record was not read"
        );
    }

    #[test]
    fn a_callback_booked_twice_fails_the_repeat_attack() {
        let sale = sale(
            "attack = \"callback-twice\"",
            "state = \"APPROVED\", attack_answer = { status = 200 }",
        );
        assert!(compare(&sale, &attacked(Some(200), Some(1))).is_empty());
        let [booked] = compare(&sale, &attacked(Some(200), Some(2)))
            .try_into()
            .unwrap();
        assert!(
            booked.contains("booked it 2 times: it must de-duplicate"),
            "{booked}"
        );
    }
}
