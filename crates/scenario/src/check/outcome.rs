//! Checks of the outcomes a sale may expect besides its final state: `expect.refused` with the app's `mistake`
//! that causes it, and `attack` with the `expect.attack_answer` the Connecting Party server must give; also the
//! random-sum check (`random_sum_centis`), a sandbox setting of the reference Connecting Party server.
//!
//! A refused sale (other than `perform-twice`, whose first perform goes on) ends at its refusal: it has no final
//! state, so no other expectation applies to it. A mistake is always refused at its own step; a refusal without
//! a mistake comes from the data (a card number failing Luhn, a currency the endpoint does not take, a card
//! reference to a sale or verification that mapped no card, refused at step 4).

use dapi::{PartyCause, PerformSaleCause, SaleState};
use sandbox_api::Attack;
use serde::Deserialize;
use serde::de::value::{Error as ValueError, StrDeserializer};

use crate::model::{
    Expect, ExpectedAnswer, ExpectedRefusal, Misbehave, Mistake, Sale, Source, ThreeDs,
};
use crate::raw::{RawAnswer, RawRefusal};

/// The steps a refusal may be expected at, with what answers them.
const REFUSAL_STEPS: &str = "4 (the card reference, answered by the Connecting Party server), 5 (initiate sale, answered by the Connecting Party server) or 7 (perform sale, answered by the gateway)";

/// `expect.refused`, read.
pub(super) fn refusal(raw: Option<RawRefusal>) -> Result<Option<ExpectedRefusal>, String> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let (step, answer) = raw.answer();
    let causes: fn(&str) -> bool = match step {
        4 | 5 => is_cause::<PartyCause>,
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
    mistake_rules(mistake, expect, earlier)?;
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
    nothing_else(refused.step, expect, three_ds)
}

/// A mistake needs its refusal at its own step; `reuse-session` an earlier sale that was initiated.
fn mistake_rules(
    mistake: Option<Mistake>,
    expect: &Expect,
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
    Ok(())
}

/// A sale refused at `step` ends there: no other expectation applies to it.
fn nothing_else(step: u8, expect: &Expect, three_ds: Option<&ThreeDs>) -> Result<(), String> {
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

/// Checks `random_sum_centis` (positive) and that the consumer answers a random sum only when one is asked.
fn random_sum(
    random_sum_centis: Option<u64>,
    three_ds: Option<&ThreeDs>,
) -> Result<Option<u64>, String> {
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
    Ok(random_sum_centis)
}

/// Checks `attack` and `random_sum_centis` and adds them to the sale's sandbox settings.
pub(super) fn attack(
    attack: Option<Attack>,
    random_sum_centis: Option<u64>,
    (source, expect, three_ds): (&Source, &Expect, Option<&ThreeDs>),
    mut misbehave: Misbehave,
) -> Result<Misbehave, String> {
    misbehave.party.random_sum_centis = random_sum(random_sum_centis, three_ds)?;
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
mod tests;
