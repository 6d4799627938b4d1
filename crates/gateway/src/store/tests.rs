//! The store alone: the card registry, violations per sale, a second open of one invoice.

use super::*;
use crate::sale::MAX_VIOLATIONS_PER_SALE;
use crate::sale::tests::sale;
use crate::sale::violations::violation;
use dapi::steps;

#[test]
fn cards_past_max_sales_go_oldest_first() {
    let store = Store::new(2, 4);
    let record = CardRecord {
        endpoint_id: "1234".into(),
        card: CardFacts::of(&"4111111111111111".into()),
        email: None,
        confirmed: false,
        origin: Flow::Sale,
    };
    let issued: Vec<ServerCardId> = (0..3).map(|_| store.issue_card(record.clone())).collect();
    let number = |n: usize| issued[n].as_str().parse::<u64>().unwrap();
    assert_eq!(
        (number(1), number(2)),
        (number(0) + 1, number(0) + 2),
        "sequential"
    );
    let kept = |n: usize| store.card(&issued[n]).is_some();
    assert_eq!((kept(0), kept(1), kept(2)), (false, true, true));
    assert_eq!(store.cards.len(), 2);
    store.confirm_card(&issued[2], true);
    assert!(store.card(&issued[2]).is_some_and(|card| card.confirmed));
}

#[test]
fn a_sale_keeps_identical_violations_once_and_at_most_fifty() {
    let store = Store::new(10, 20);
    let token = SessionToken::from("0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b");
    let step = steps::CALLBACK_RESPONSE;
    store.record_violations(&token, [violation(step, "", "unknown sale")]);
    store.open_sale(sale("123")).unwrap();
    let kept = || store.violations(&"1234".into(), &"INV-1".into()).unwrap();
    assert_eq!(
        kept(),
        [],
        "nothing is kept for a sale the gateway does not know"
    );
    store.record_violations(&token, [violation(step, "", "a"), violation(step, "", "a")]);
    assert_eq!(kept().len(), 1);
    store.record_violations(
        &token,
        (0..100).map(|n| violation(step, "", format!("rule {n}"))),
    );
    assert_eq!(kept().len(), MAX_VIOLATIONS_PER_SALE);
    assert_eq!(kept()[0].rule, "a");
}

#[test]
fn a_second_open_of_one_invoice_is_refused() {
    let store = Store::new(10, 20);
    store.open_sale(sale("123")).unwrap();
    assert_eq!(
        store.open_sale(sale("123")),
        Err(OpenError::AlreadyProcessed)
    );
    assert_eq!(store.sale_count(), 1);
}
