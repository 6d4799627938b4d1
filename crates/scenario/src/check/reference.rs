//! Checks of a card reference (`card_reference`): which earlier sale or verification it names (by its number
//! among its flow: `from_sale`, `from_verification`), and that the one named is expected to map a card, unless
//! the sale expects the Connecting Party to refuse the card reference (`expect.refused` at step 4).

use dapi::{Flow, SaleState};

use super::security_code;
use crate::model::{Expect, Sale, Source};
use crate::raw::RawCardReference;

/// A reference names an earlier sale made with card data (`from_sale`) or an earlier verification
/// (`from_verification`), by its number among its flow; it must be expected to yield a card mapping (only an
/// approved one with full card data does, spec 2.2, 3.7), unless the reference is expected to be refused,
/// which needs one expected to yield none.
pub(super) fn reference(raw: RawCardReference, earlier: &[Sale]) -> Result<Source, String> {
    security_code("card_reference.security_code", &raw.security_code)?;
    let (flow, key, number) = match (raw.from_sale, raw.from_verification) {
        (Some(number), None) => (Flow::Sale, "from_sale", number),
        (None, Some(number)) => (Flow::Verification, "from_verification", number),
        _ => {
            return Err(
                "card_reference needs from_sale or from_verification, exactly one".to_owned(),
            );
        }
    };
    let of_flow = || earlier.iter().enumerate().filter(|(_, s)| s.flow == flow);
    let Some((index, origin)) = number.checked_sub(1).and_then(|n| of_flow().nth(n)) else {
        return Err(format!(
            "card_reference.{key} = {number} must name an earlier {flow} (1..={})",
            of_flow().count()
        ));
    };
    if !matches!(origin.source, Source::Card(_)) {
        return Err(format!(
            "card_reference.{key} = {number} names a sale without card data"
        ));
    }
    Ok(Source::Reference {
        from: index + 1,
        security_code: raw.security_code,
    })
}

/// Whether `origin` is expected to make a card mapping the reference can use.
fn maps_a_card(origin: &Expect) -> bool {
    origin.state == Some(SaleState::Approved) && origin.card_mapping != Some(false)
}

/// A reference to a sale or verification expected to map a card, or, for a sale expected to be refused its
/// card reference (step 4, spec A24), to one expected to map none. A step 4 refusal needs a card reference.
pub(super) fn reference_fits(
    source: &Source,
    expect: &Expect,
    earlier: &[Sale],
) -> Result<(), String> {
    let at_step_4 = expect
        .refused
        .as_ref()
        .is_some_and(|refused| refused.step == 4);
    let Source::Reference { from, .. } = source else {
        return match at_step_4 {
            true => {
                Err("expect.refused at step 4 (the card reference) needs card_reference".to_owned())
            }
            false => Ok(()),
        };
    };
    let Some(origin) = from.checked_sub(1).and_then(|index| earlier.get(index)) else {
        return Ok(());
    };
    let label = origin.label();
    match (at_step_4, maps_a_card(&origin.expect)) {
        (false, false) => Err(format!(
            "card_reference names {label}, which is not expected to be approved with a card mapping"
        )),
        (true, true) => Err(format!(
            "expect.refused at step 4 needs a reference to a sale or verification expected to map no card, not {label}"
        )),
        _ => Ok(()),
    }
}
