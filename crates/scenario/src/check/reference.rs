//! Checks of a card reference (`card_reference`): which earlier sale or verification it names (by its number
//! among its flow: `from_sale`, `from_verification`), that the one named is expected to map a card, and what a
//! sale expected to be refused its card reference (`expect.refused`) may not set up.

use dapi::{Flow, SaleState};

use super::security_code;
use crate::model::{Expect, Refusal, Sale, Source};
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
    origin.state == SaleState::Approved && origin.card_mapping != Some(false)
}

/// A reference to a sale or verification expected to map a card, or, for a sale expected to be refused its
/// card reference, to one expected to map none.
pub(super) fn reference_fits(
    source: &Source,
    expect: &Expect,
    earlier: &[Sale],
) -> Result<(), String> {
    let Source::Reference { from, .. } = source else {
        return Ok(());
    };
    let Some(origin) = from.checked_sub(1).and_then(|index| earlier.get(index)) else {
        return Ok(());
    };
    let label = origin.label();
    match (expect.refused, maps_a_card(&origin.expect)) {
        (None, false) => Err(format!(
            "card_reference names {label}, which is not expected to be approved with a card mapping"
        )),
        (Some(Refusal::CardReference), true) => Err(format!(
            "expect.refused = \"card-reference\" needs a reference to a sale or verification expected to map no card, not {label}"
        )),
        _ => Ok(()),
    }
}

/// A sale expected to be refused before it starts can expect nothing else, and set nothing up.
pub(super) fn refusal_alone(sets_up: bool, source: &Source) -> Result<(), String> {
    if !matches!(source, Source::Reference { .. }) {
        return Err("expect.refused = \"card-reference\" needs card_reference".to_owned());
    }
    if sets_up {
        return Err(
            "expect.refused: the sale never starts, so three_ds, misbehave and faults have nothing to act on"
                .to_owned(),
        );
    }
    Ok(())
}
