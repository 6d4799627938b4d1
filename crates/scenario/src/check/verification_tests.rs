//! Scenario files with card verifications: `[[verification]]` tables played with the sales in file order, a
//! sale paying by a verified card (`from_verification`), the refused card reference of a declined one, and the
//! lines their mistakes are reported on.
#![allow(clippy::panic, reason = "a test fails loudly")]

use std::path::Path;

use dapi::{Flow, SaleState};

use crate::model::Source;

/// A verification (line 5), a sale by its card (line 10), a declined verification (line 16) and a sale by its
/// card, refused (line 21).
const WALLET: &str = r#"[consumer]
serial_number = "SN-IOS-0042"
email = "jane.doe@example.com"

[[verification]]
currency = "USD"
card = { number = "4111111111111111", security_code = "123", expiry_month = 12, expiry_year = 2030 }
expect = { state = "APPROVED", card_mapping = true, callback = "approved" }

[[sale]]
amount_centis = 2500
currency = "USD"
card_reference = { from_verification = 1, security_code = "123" }
expect = { state = "APPROVED" }

[[verification]]
currency = "USD"
card = { number = "4111111111111111", security_code = "116", expiry_month = 12, expiry_year = 2030 }
expect = { state = "DECLINED", card_mapping = false }

[[sale]]
amount_centis = 100
currency = "USD"
card_reference = { from_verification = 2, security_code = "123" }
expect = { refused = { step = 4, status = "4xx" } }
"#;

fn parse(text: &str) -> Result<crate::Scenario, crate::ScenarioError> {
    crate::parse(text, Path::new("x.toml"))
}

fn refused(from: &str, to: &str) -> crate::ScenarioError {
    assert!(WALLET.contains(from), "WALLET has no {from:?}");
    parse(&WALLET.replacen(from, to, 1)).expect_err("the scenario should be refused")
}

#[test]
fn verifications_and_sales_are_played_in_file_order_with_their_own_numbers() {
    let scenario = parse(WALLET).unwrap_or_else(|error| panic!("{error}"));
    let labels: Vec<String> = scenario.sales.iter().map(|sale| sale.label()).collect();
    assert_eq!(
        labels,
        ["verification 1", "sale 1", "verification 2", "sale 2"]
    );
    let lines: Vec<usize> = scenario.sales.iter().map(|sale| sale.line).collect();
    assert_eq!(lines, [5, 10, 16, 21]);
    let verification = &scenario.sales[0];
    assert_eq!(
        (
            verification.flow,
            verification.amount_centis,
            verification.currency.as_str()
        ),
        (Flow::Verification, 0, "USD")
    );
    assert!(matches!(verification.source, Source::Card(_)));
    let Source::Reference { from, .. } = &scenario.sales[1].source else {
        panic!("a sale by reference")
    };
    assert_eq!(*from, 1, "the position of verification 1");
    let Source::Reference { from, .. } = &scenario.sales[3].source else {
        panic!("a sale by reference")
    };
    assert_eq!(*from, 3, "the position of verification 2");
    let last = &scenario.sales[3].expect;
    let step = last.refused.as_ref().map(|refused| refused.step);
    assert_eq!((last.state, step), (None, Some(4)));
    assert_eq!(scenario.sales[2].expect.state, Some(SaleState::Declined));
}

#[test]
fn a_verification_takes_no_amount_no_reference_and_needs_an_e_mail() {
    let error = refused(
        "currency = \"USD\"\ncard = { number = \"4111111111111111\", security_code = \"123\"",
        "amount_centis = 1\ncurrency = \"USD\"\ncard = { number = \"4111111111111111\", security_code = \"123\"",
    );
    assert_eq!(error.line, Some(6), "{error}");
    assert!(
        error.message.contains("unknown field `amount_centis`"),
        "{error}"
    );
    let error = refused("email = \"jane.doe@example.com\"\n", "");
    assert_eq!(error.line, Some(4), "{error}");
    assert!(
        error.message.starts_with("verification 1: needs an e-mail"),
        "{error}"
    );
    let with_own = WALLET
        .replacen("email = \"jane.doe@example.com\"\n", "", 1)
        .replace(
            "[[verification]]\ncurrency",
            "[[verification]]\nemail = \"jane@example.com\"\ncurrency",
        );
    assert!(
        parse(&with_own).is_ok(),
        "a verification's own e-mail will do"
    );
}

#[test]
fn references_name_an_earlier_verification_expected_to_map_a_card() {
    let error = refused("from_verification = 1", "from_verification = 3");
    assert_eq!(error.line, Some(10), "{error}");
    assert!(
        error
            .message
            .contains("from_verification = 3 must name an earlier verification (1..=1)"),
        "{error}"
    );
    let error = refused(
        "from_verification = 1,",
        "from_verification = 1, from_sale = 1,",
    );
    assert!(error.message.contains("exactly one"), "{error}");
    let error = refused("from_verification = 1", "from_verification = 2");
    assert!(
        error.message.contains("must name an earlier verification"),
        "{error}"
    );
    let error = refused("from_verification = 2", "from_verification = 1");
    assert_eq!(error.line, Some(21), "{error}");
    assert!(
        error
            .message
            .contains("needs a reference to a sale or verification expected to map no card"),
        "{error}"
    );
    let error = refused(
        "refused = { step = 4, status = \"4xx\" }",
        "state = \"DECLINED\", error_code = 116",
    );
    assert!(
        error
            .message
            .contains("verification 2, which is not expected to be approved"),
        "{error}"
    );
}

#[test]
fn a_refused_card_reference_expects_nothing_else() {
    let error = refused("{ refused = {", "{ state = \"DECLINED\", refused = {");
    assert!(
        error
            .message
            .contains("expect.state does not apply to a sale refused at step 4"),
        "{error}"
    );
    let error = refused(
        "refused = { step = 4, status = \"4xx\" } }",
        "refused = { step = 4, status = \"4xx\" }, callback = \"declined\" }",
    );
    assert!(error.message.contains("does not apply"), "{error}");
    let error = refused(
        "refused = { step = 4, status = \"4xx\" }",
        "refused = { step = 4, status = \"4xx\", cause = \"INVALID_CONFIGURATION\" }",
    );
    assert!(
        error.message.contains("not a cause this message documents"),
        "{error}"
    );
    let error = refused(
        "card_reference = { from_verification = 2, security_code = \"123\" }",
        "card = { number = \"4111111111111111\", security_code = \"123\", expiry_month = 12, expiry_year = 2030 }",
    );
    assert!(error.message.contains("needs card_reference"), "{error}");
}

#[test]
fn verification_misbehaviour_is_checked_like_a_sales() {
    let text = WALLET.replacen(
        "expect = { state = \"APPROVED\", card_mapping = true, callback = \"approved\" }",
        "misbehave = { party_check = \"other-email\" }\nexpect = { state = \"DECLINED\", callback = \"declined\", \
         violation = [{ observer = \"gateway\", step = 9, path = \"consumer.email\" }] }",
        1,
    )
    .replace("from_verification = 1,", "from_verification = 1, from_sale = 9,");
    let error = parse(&text).expect_err("sale 1 names no usable card now");
    assert!(error.message.starts_with("sale 1"), "{error}");
    let only = "[consumer]\nserial_number = \"S\"\nemail = \"a@b.c\"\n[[verification]]\ncurrency = \"USD\"\n\
        card = { number = \"4111111111111111\", security_code = \"123\", expiry_month = 1, expiry_year = 2030 }\n\
        misbehave = { party_check = \"other-email\" }\nexpect = { state = \"DECLINED\" }\n";
    assert!(
        parse(only).is_ok(),
        "other-email applies to a verification's check answer"
    );
    let missing = only.replace("other-email", "missing-server-card-id");
    let error = parse(&missing).expect_err("no serverCardId in a verification's check");
    assert!(error.message.contains("needs card_reference"), "{error}");
    let notified = only
        .replace(
            "misbehave = { party_check = \"other-email\" }",
            "misbehave = { party_notification = \"refuse\" }",
        )
        .replace("\"DECLINED\"", "\"APPROVED\"");
    assert!(
        parse(&notified).is_ok(),
        "an approved verification sends a notification"
    );
}
