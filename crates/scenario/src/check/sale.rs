//! Checks of one `[[sale]]` or `[[verification]]`: amount, currency, source of funds, 3-D Secure and
//! expectations (its sandbox-only parts are checked by `check::sandbox` and `check::faults`, its refusal,
//! mistake, attack and random sum by `check::outcome`).

use dapi::{Flow, SaleState};
use sandbox_api::Attack;

use super::reference::{reference, reference_fits};
use super::{faults, is_digits, non_empty, outcome, sandbox, security_code};
use crate::model::{Card, Expect, Mistake, Sale, Source};
use crate::raw::{
    RawCard, RawExpect, RawFaults, RawMisbehave, RawSale, RawThreeDs, RawVerification,
};

/// Checks one sale; `earlier` are the sales and verifications before it, already checked.
pub(super) fn sale(raw: RawSale, line: usize, earlier: &[Sale]) -> Result<Sale, String> {
    if raw.amount_centis == 0 {
        return Err("amount_centis must be greater than 0".to_owned());
    }
    let source = match (raw.card, raw.card_reference) {
        (Some(card_data), None) => Source::Card(card(card_data)?),
        (None, Some(reference_data)) => reference(reference_data, earlier)?,
        (Some(_), Some(_)) => return Err("give card or card_reference, not both".to_owned()),
        (None, None) => return Err("give card or card_reference".to_owned()),
    };
    let parts = Parts {
        flow: Flow::Sale,
        currency: raw.currency,
        email: raw.email,
        three_ds: raw.three_ds,
        misbehave: raw.misbehave,
        faults: raw.faults,
        expect: raw.expect,
        mistake: raw.mistake,
        attack: raw.attack,
        random_sum_centis: raw.random_sum_centis,
        new_access_token: raw.new_access_token.unwrap_or(false),
    };
    transaction(parts, line, raw.amount_centis, source, earlier)
}

/// Checks one card verification (addendum §2): card data, a currency, no amount. The app's mistakes, the
/// attack pack and the random sum are a sale's: a verification has none of them.
pub(super) fn verification(
    raw: RawVerification,
    line: usize,
    earlier: &[Sale],
) -> Result<Sale, String> {
    let source = Source::Card(card(raw.card)?);
    let parts = Parts {
        flow: Flow::Verification,
        currency: raw.currency,
        email: raw.email,
        three_ds: raw.three_ds,
        misbehave: raw.misbehave,
        faults: raw.faults,
        expect: raw.expect,
        mistake: None,
        attack: None,
        random_sum_centis: None,
        new_access_token: false,
    };
    transaction(parts, line, 0, source, earlier)
}

/// What a sale and a verification have alike.
struct Parts {
    flow: Flow,
    currency: String,
    email: Option<String>,
    three_ds: Option<RawThreeDs>,
    misbehave: Option<RawMisbehave>,
    faults: Option<RawFaults>,
    expect: RawExpect,
    mistake: Option<Mistake>,
    attack: Option<Attack>,
    random_sum_centis: Option<u64>,
    new_access_token: bool,
}

/// The checks a sale and a verification share, once the source of funds is known.
fn transaction(
    parts: Parts,
    line: usize,
    amount_centis: u64,
    source: Source,
    earlier: &[Sale],
) -> Result<Sale, String> {
    let currency = parts.currency;
    if !(currency.len() == 3 && currency.bytes().all(|byte| byte.is_ascii_uppercase())) {
        return Err(format!(
            "currency must be three upper-case letters (ISO 4217), not {currency:?}"
        ));
    }
    non_empty("email", parts.email.as_deref())?;
    let expect = expect(parts.expect)?;
    let three_ds = parts.three_ds.map(|raw| raw.0);
    outcome::refused_sale(parts.mistake, &expect, three_ds.as_ref(), earlier)?;
    match (&three_ds, expect.redirect) {
        (None, Some(true)) => {
            return Err("expect.redirect = true needs three_ds (what the consumer does on the 3-D Secure page)".to_owned());
        }
        (Some(_), Some(false)) => {
            return Err("three_ds is given but expect.redirect = false".to_owned());
        }
        _ => {}
    }
    reference_fits(&source, &expect, earlier)?;
    let misbehave = sandbox::misbehave(parts.misbehave, parts.flow, &source, &expect)?;
    let misbehave = faults::apply(parts.faults, &source, &expect, misbehave)?;
    let context = (&source, &expect, three_ds.as_ref());
    let misbehave = outcome::attack(parts.attack, parts.random_sum_centis, context, misbehave)?;
    Ok(Sale {
        flow: parts.flow,
        ordinal: 0,
        line,
        amount_centis,
        currency,
        source,
        three_ds,
        email: parts.email,
        new_access_token: parts.new_access_token,
        mistake: parts.mistake,
        misbehave,
        expect,
    })
}

fn card(raw: RawCard) -> Result<Card, String> {
    if !(1..=19).contains(&raw.number.len()) || !is_digits(&raw.number) {
        return Err("card.number must be 1-19 digits".to_owned());
    }
    security_code("card.security_code", &raw.security_code)?;
    if !(1..=12).contains(&raw.expiry_month) {
        return Err(format!(
            "card.expiry_month must be 1-12, not {}",
            raw.expiry_month
        ));
    }
    if !(1000..=9999).contains(&raw.expiry_year) {
        return Err(format!(
            "card.expiry_year must have four digits, not {}",
            raw.expiry_year
        ));
    }
    Ok(Card {
        number: raw.number,
        security_code: raw.security_code,
        expiry_month: raw.expiry_month,
        expiry_year: raw.expiry_year,
    })
}

fn expect(raw: RawExpect) -> Result<Expect, String> {
    if let Some(state) = raw.state {
        final_state_rules(state, &raw)?;
    }
    Ok(Expect {
        state: raw.state,
        refused: outcome::refusal(raw.refused)?,
        attack_answer: outcome::attack_answer(raw.attack_answer)?,
        random_sum: raw.random_sum.map(Into::into),
        error_code: raw.error_code,
        error_message: raw.error_message,
        secure_3d: raw.secure_3d.map(Into::into),
        callback: raw.callback,
        card_mapping: raw.card_mapping,
        redirect: raw.redirect,
        violations: sandbox::violations(raw.violation)?,
    })
}

/// What a final `state` excludes: the error fields of an approved sale, the card mapping of a declined one,
/// a callback of the other state.
fn final_state_rules(state: SaleState, raw: &RawExpect) -> Result<(), String> {
    if !state.is_final() {
        return Err(format!(
            "expect.state must be APPROVED or DECLINED, not {state}"
        ));
    }
    if state == SaleState::Approved {
        if raw.error_code.is_some() || raw.error_message.is_some() {
            return Err(
                "expect.error_code and expect.error_message apply to DECLINED sales, not APPROVED"
                    .to_owned(),
            );
        }
    } else if raw.card_mapping == Some(true) {
        return Err(
            "expect.card_mapping = true needs expect.state = APPROVED (spec 3.7)".to_owned(),
        );
    }
    match raw.callback {
        Some(callback) if callback.sale_state() != state => Err(format!(
            "expect.callback = \"{callback}\" contradicts expect.state = {state}"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::check::tests::{assert_refused, refused};

    #[test]
    fn a_sale_with_both_card_and_card_reference_is_refused_at_its_line() {
        let both = "card_reference = { from_sale = 1, security_code = \"123\" }\ncard = { number = \"4111111111111111\", \
            security_code = \"123\", expiry_month = 1, expiry_year = 2030 }";
        assert_refused(
            "card_reference = { from_sale = 1, security_code = \"123\" }",
            both,
            Some(10),
            "sale 2: give card or card_reference, not both",
        );
    }

    #[test]
    fn a_sale_with_neither_card_nor_card_reference_is_refused_at_its_line() {
        assert_refused(
            "card_reference = { from_sale = 1, security_code = \"123\" }\n",
            "",
            Some(10),
            "sale 2: give card or card_reference",
        );
    }

    #[test]
    fn a_reference_to_the_same_or_a_later_sale_is_refused() {
        assert_refused(
            "from_sale = 1",
            "from_sale = 2",
            Some(10),
            "from_sale = 2 must name an earlier sale (1..=1)",
        );
        assert_refused(
            "from_sale = 1",
            "from_sale = 0",
            Some(10),
            "from_sale = 0 must name an earlier sale",
        );
    }

    #[test]
    fn a_reference_to_a_sale_without_a_card_mapping_is_refused() {
        assert_refused(
            "\"APPROVED\", card_mapping = true",
            "\"DECLINED\"",
            Some(10),
            "not expected to be approved with a card mapping",
        );
        assert_refused(
            "card_mapping = true",
            "card_mapping = false",
            Some(10),
            "not expected to be approved with a card mapping",
        );
    }

    #[test]
    fn a_currency_not_three_upper_case_letters_is_refused_at_its_sale() {
        assert_refused(
            "currency = \"EUR\"\ncard_reference",
            "currency = \"eur\"\ncard_reference",
            Some(10),
            "sale 2: currency",
        );
        assert_refused(
            "currency = \"EUR\"",
            "currency = \"EURO\"",
            Some(4),
            "sale 1: currency",
        );
    }

    #[test]
    fn a_zero_amount_is_refused_at_its_sale() {
        assert_refused(
            "amount_centis = 200",
            "amount_centis = 0",
            Some(10),
            "sale 2: amount_centis must be greater than 0",
        );
    }

    #[test]
    fn an_approved_sale_with_an_error_code_or_message_is_refused() {
        assert_refused(
            "{ state = \"APPROVED\" }",
            "{ state = \"APPROVED\", error_code = 116 }",
            Some(10),
            "apply to DECLINED sales",
        );
        assert_refused(
            "{ state = \"APPROVED\" }",
            "{ state = \"APPROVED\", error_message = \"x\" }",
            Some(10),
            "apply to DECLINED sales",
        );
    }

    #[test]
    fn a_state_that_is_not_final_is_refused() {
        assert_refused(
            "{ state = \"APPROVED\" }",
            "{ state = \"PROCESSING\" }",
            Some(10),
            "must be APPROVED or DECLINED, not PROCESSING",
        );
    }

    #[test]
    fn a_callback_contradicting_the_state_is_refused() {
        assert_refused(
            "{ state = \"APPROVED\" }",
            "{ state = \"APPROVED\", callback = \"error\" }",
            Some(10),
            "callback = \"error\" contradicts",
        );
        assert_refused(
            "{ state = \"APPROVED\" }",
            "{ state = \"DECLINED\", callback = \"approved\" }",
            Some(10),
            "contradicts expect.state = DECLINED",
        );
    }

    #[test]
    fn a_declined_sale_expecting_a_card_mapping_is_refused() {
        assert_refused(
            "{ state = \"APPROVED\" }",
            "{ state = \"DECLINED\", card_mapping = true }",
            Some(10),
            "needs expect.state = APPROVED",
        );
    }

    #[test]
    fn a_redirect_without_three_ds_instructions_and_the_reverse_are_refused() {
        assert_refused(
            "{ state = \"APPROVED\" }",
            "{ state = \"APPROVED\", redirect = true }",
            Some(10),
            "needs three_ds",
        );
        let with_three_ds =
            "three_ds = \"cancel\"\nexpect = { state = \"DECLINED\", redirect = false }";
        assert_refused(
            "expect = { state = \"APPROVED\" }",
            with_three_ds,
            Some(10),
            "three_ds is given but expect.redirect = false",
        );
    }

    #[test]
    fn malformed_card_data_is_refused_without_echoing_the_cvv() {
        assert_refused(
            "\"4111111111111111\"",
            "\"4111-1111\"",
            Some(4),
            "card.number must be 1-19 digits",
        );
        assert_refused(
            "\"4111111111111111\"",
            "\"41111111111111111111\"",
            Some(4),
            "card.number must be 1-19 digits",
        );
        let error = refused(
            "security_code = \"123\", expiry",
            "security_code = \"12a45\", expiry",
        );
        assert_eq!(
            error.to_string(),
            "x.toml:4: sale 1: card.security_code must be 1-4 digits"
        );
        assert_refused(
            "expiry_month = 1,",
            "expiry_month = 13,",
            Some(4),
            "expiry_month must be 1-12, not 13",
        );
        assert_refused(
            "expiry_year = 2030",
            "expiry_year = 30",
            Some(4),
            "expiry_year must have four digits",
        );
        assert_refused(
            "from_sale = 1, security_code = \"123\"",
            "from_sale = 1, security_code = \"\"",
            Some(10),
            "card_reference.security_code",
        );
    }
}
