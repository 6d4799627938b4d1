//! Tests of `model`.

use super::*;

fn card(number: &str) -> Card {
    Card {
        number: number.to_owned(),
        security_code: "321".to_owned(),
        expiry_month: 12,
        expiry_year: 2030,
    }
}

#[test]
fn card_debug_shows_only_first_six_and_last_four_digits_and_never_the_cvv() {
    let shown = format!("{:?}", card("4111111111111111"));
    assert!(shown.contains("\"411111******1111\""), "{shown}");
    assert!(!shown.contains("321"), "{shown}");
}

#[test]
fn short_card_numbers_are_not_shown_whole() {
    assert!(format!("{:?}", card("123456789")).contains("\"*********\""));
    assert!(format!("{:?}", card("1234567890")).contains("\"******7890\""));
    assert!(format!("{:?}", card("12345")).contains("\"*****\""));
}

#[test]
fn reference_debug_hides_the_cvv() {
    let source = Source::Reference {
        from: 1,
        security_code: "1234".to_owned(),
    };
    let shown = format!("{source:?}");
    assert!(
        !shown.contains("1234") && shown.contains("from: 1"),
        "{shown}"
    );
}

#[test]
fn violations_are_compared_both_ways() {
    use dapi::steps;
    use sandbox_api::Observer;
    let expect = Expect {
        violations: vec![
            ExpectedViolation {
                observer: Observer::Gateway,
                step: 9,
                path: Some("session.nonce".to_owned()),
                optional: false,
            },
            ExpectedViolation {
                observer: Observer::Party,
                step: 8,
                path: None,
                optional: true,
            },
        ],
        ..Expect::state(SaleState::Declined)
    };
    let nonce = ContractViolation::new(
        Observer::Gateway,
        steps::CHECK_SALE_RESPONSE,
        "session.nonce",
        "x",
    );
    let callback = ContractViolation::new(Observer::Party, steps::CALLBACK, "control", "x");
    assert!(
        expect
            .unmet_violations(std::slice::from_ref(&nonce))
            .is_empty()
    );
    assert!(
        expect
            .unexpected_violations(std::slice::from_ref(&nonce))
            .is_empty()
    );
    assert_eq!(
        expect.unmet_violations(&[]),
        [&expect.violations[0]],
        "an optional violation is never unmet"
    );
    let observed = [nonce, callback.clone()];
    assert_eq!(expect.unexpected_violations(&observed), [&callback]);
}

#[test]
fn absent_expectation_is_met_only_by_a_missing_status() {
    assert!(Secure3dExpectation::Absent.is_met_by(None));
    assert!(!Secure3dExpectation::Absent.is_met_by(Some(AuthStatus::Unsupported)));
    let authenticated = Secure3dExpectation::Status(AuthStatus::Authenticated);
    assert!(authenticated.is_met_by(Some(AuthStatus::Authenticated)));
    assert!(!authenticated.is_met_by(None));
}
