//! Scenario files for the scripted mobile client: TOML in, a typed [`Scenario`] out.
//!
//! A scenario is one consumer making one or more sales and card verifications against the gateway,
//! each with what the client must observe (final `state`, `errorCode`, `secure3DAuthStatus`, the callback and card
//! mapping the Connecting Party server received, the contract violations the parties recorded),
//! and, in the sandbox, how a server misbehaves on purpose. The crate is pure: it reads files and nothing
//! else, and every error names its file and, when it has one, its line.
//!
//! ```toml
//! name = "3-D Secure sale approved"      # optional, default: the file stem
//! description = "CVV 321 opens the 3-D Secure page; the consumer types the right password"
//! tags = ["3ds", "approved"]             # optional
//! timeout_ms = 30000                     # optional: how long one sale is polled
//!
//! [consumer]
//! serial_number = "SN-ANDROID-0001"      # 1-50 characters
//! email = "jane@example.com"             # optional
//! first_name = "JANE"                    # with last_name; or printed_name; default printed "TEST CONSUMER"
//! last_name = "DOE"
//!
//! [[sale]]
//! amount_centis = 1050
//! currency = "EUR"
//! card = { number = "4111111111111111", security_code = "321", expiry_month = 12, expiry_year = 2030 }
//! # or: card_reference = { from_sale = 1, security_code = "123" }
//! three_ds = { password = "hint" }       # or "cancel", "ignore" (page left open); omitted: no page expected
//!                                        # with random_sum_centis = 37 in it: the amount typed (spec A21)
//! email = "other@example.com"            # optional override of consumer.email
//! # new_access_token = true              # the app signs the consumer in again before this sale
//! # mistake = "tamper-amount"            # the app sends something wrong on purpose (see `Mistake`)
//! # attack = "check-wrong-nonce"         # the gateway attacks the party (sandbox_api::Attack)
//! # random_sum_centis = 37               # the reference party asks for a random-sum check (sandbox)
//!
//! [sale.expect]
//! state = "APPROVED"                     # APPROVED or DECLINED; left out for a sale refused instead
//! # refused = { step = 7, status = 400, cause = "INVALID_REQUEST" }   # code, message (a substring) optional
//! # attack_answer = { status = 403, cause = "INVALID_REQUEST" }       # what the party answers the attack
//! # random_sum = "AUTHENTICATED"         # randomSumAuthStatus, or NOT_AUTHENTICATED, ABSENT
//! secure_3d = "AUTHENTICATED"            # or NOT_AUTHENTICATED, UNSUPPORTED, ABSENT
//! callback = "approved"                  # approved, declined, error, filtered
//! card_mapping = true
//! redirect = true
//! # error_code = 116, error_message = "funds" (a substring): DECLINED sales only
//!
//! [sale.misbehave]                       # optional, sandbox only: a server misbehaves on purpose
//! party_check = "wrong-check-signature"  # or wrong-nonce, wrong-token, wrong-invoice, wrong-currency,
//!                                        # missing-check-signature, filtered, server-failed, http-500, slow,
//!                                        # missing-server-card-id, other-email (these two: repeat sales)
//! # party_delay_ms = 3000                # with party_check = "slow" only
//! # party_notification = "refuse"        # or wrong-check-signature, wrong-nonce, missing-token, http-500:
//!                                        # approved card sales only
//! # party_callback = "http-500"          # every callback of the sale: never accepted
//! # gateway_callback = "wrong-control"
//!
//! [sale.faults]                          # optional, sandbox only: a server fails or is slow; no violation
//! party_callback_fail_first = 2          # the first N callback attempts get 503 SERVER_UNAVAILABLE
//! # party_notification_fail_first = 1    # same for the card mapping notification: approved card sales only
//! # party_latency_ms = 300               # every party answer about the sale (check, notification, callback)
//! # gateway_latency_ms = 100             # the gateway's answers about the sale; both 1-300000
//!
//! [[sale.expect.violation]]              # repeatable: a contract violation this sale must cause
//! observer = "gateway"                   # gateway, party or app: who records it
//! step = 9                               # the message's step in spec 2.1's diagrams, 1-24
//! path = "session.checkSignature"        # optional; omitted: any path, even the whole message
//! # optional = true                      # may be seen, need not be
//! ```
//!
//! A sale expecting a refusal (`expect.refused`, step 4, 5 or 7) ends there and has no final state, unless its
//! mistake is `perform-twice`; each mistake is refused at its own step.
//!
//! A card verification (addendum §2: the card is checked and saved, nothing is charged) is a
//! `[[verification]]` table beside the sales: a currency and full card data, no amount, and the same
//! `three_ds`, `email`, `misbehave`, `faults` and `expect` as a sale (`[verification.expect]`, …). Sales and
//! verifications are played in the order the file has them, and numbered each among their own: a later sale
//! pays by a verified card with `card_reference = { from_verification = 1, security_code = "123" }`. A
//! verification needs an e-mail (perform validation requires `consumer.email`). The app's mistakes, the
//! attack pack and the random sum are a sale's: a `[[verification]]` has no `mistake`, `attack` or
//! `random_sum_centis`.
//!
//! ```toml
//! [[verification]]
//! currency = "USD"
//! card = { number = "4111111111111111", security_code = "123", expiry_month = 12, expiry_year = 2030 }
//! expect = { state = "APPROVED", card_mapping = true, callback = "approved" }
//!
//! [[sale]]
//! amount_centis = 2500
//! currency = "USD"
//! card_reference = { from_verification = 1, security_code = "123" }
//! expect = { state = "APPROVED" }
//! ```
//!
//! A sale whose card reference names a sale or verification expected to map no card expects the
//! Connecting Party to refuse the card reference (spec A24), so that the sale never starts:
//! `expect = { refused = { step = 4, status = "4xx" } }`, with nothing else expected.
//!
//! `[sale.faults]` and `[sale.misbehave]` may both appear: both end up in the sale's [`Misbehave`],
//! which the client sends to the servers' `/sim/` paths.
//!
//! Expected violations work both ways: each must be observed, and each violation a party records
//! for the sale must be expected, so a sale listing none must cause none (see
//! [`ExpectedViolation`]).
//!
//! # Layout
//! - `model`: the typed [`Scenario`], [`Sale`] (a sale or a verification), [`Expect`] and their parts;
//!   `model::sandbox`: [`Misbehave`] (misbehaviour, faults, attacks) and [`ExpectedViolation`];
//!   `model::outcome`: [`Mistake`], [`ExpectedRefusal`], [`ExpectedAnswer`], [`StatusMatch`].
//! - `raw`: serde structs mirroring the file, unknown keys denied.
//! - `check`: semantic checks turning the raw file into a [`Scenario`]; `check::sale` checks one
//!   sale or verification, `check::reference` its card reference, `check::sandbox` its misbehaviour and
//!   expected violations, `check::faults` its faults, `check::outcome` its refusal, mistake, attack and
//!   random-sum check.
//! - `load`: [`load_file`] and [`load_paths`] (files and directories, recursively).
//! - `error`: [`ScenarioError`], displayed as `file:line: message`.
//! - [`schema`]: the files' JSON Schema ([`schema::json_schema`]), from `raw`; committed as
//!   `scenarios/scenario.schema.json`.

mod check;
mod error;
mod load;
mod model;
mod raw;
pub mod schema;

use std::path::Path;

pub use error::ScenarioError;
pub use load::{Loaded, load_file, load_paths};
pub use model::{
    Card, Consumer, Expect, ExpectedAnswer, ExpectedRefusal, ExpectedViolation, Holder, Misbehave,
    Mistake, Sale, Scenario, Secure3dExpectation, Source, StatusMatch, ThreeDs,
};

/// Parses the text of one scenario file; `file` names it in errors and gives the default name.
///
/// # Errors
/// TOML syntax, a wrong type, an unknown or missing key (with the line from the TOML span), or
/// a semantic mistake such as a sale with both `card` and `card_reference` (with the sale's line).
pub fn parse(text: &str, file: &Path) -> Result<Scenario, ScenarioError> {
    let raw: raw::RawScenario =
        toml::from_str(text).map_err(|error| ScenarioError::from_toml(file, text, &error))?;
    check::scenario(raw, text, file)
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a test fails loudly")]
mod tests {
    use super::*;

    use std::time::Duration;

    use dapi::{AuthStatus, CallbackStatus, SaleState};

    fn parse_ok(text: &str) -> Scenario {
        parse(text, Path::new("scenarios/07-example.toml"))
            .unwrap_or_else(|error| panic!("{error}"))
    }

    fn parse_err(text: &str) -> ScenarioError {
        parse(text, Path::new("x.toml")).expect_err("the scenario should be refused")
    }

    const FULL: &str = r#"name = "3-D Secure sale approved"
description = "CVV 321 opens the 3-D Secure page"
tags = ["3ds", "approved"]
timeout_ms = 5000

[consumer]
serial_number = "SN-ANDROID-0001"
email = "jane@example.com"
first_name = "JANE"
last_name = "DOE"

[[sale]]
amount_centis = 1050
currency = "EUR"
card = { number = "4111111111111111", security_code = "321", expiry_month = 12, expiry_year = 2030 }
three_ds = { password = "hint" }

[sale.expect]
state = "APPROVED"
secure_3d = "AUTHENTICATED"
callback = "approved"
card_mapping = true
redirect = true

[[sale]]
amount_centis = 700
currency = "USD"
card_reference = { from_sale = 1, security_code = "123" }
three_ds = "cancel"
email = "other@example.com"
expect = { state = "DECLINED", error_code = 100, error_message = "3DS", secure_3d = "ABSENT", callback = "declined", card_mapping = false }
"#;

    #[test]
    fn a_full_scenario_parses_into_typed_values() {
        let scenario = parse_ok(FULL);
        assert_eq!(scenario.name, "3-D Secure sale approved");
        assert_eq!(
            scenario.description.as_deref(),
            Some("CVV 321 opens the 3-D Secure page")
        );
        assert_eq!(scenario.tags, ["3ds", "approved"]);
        assert_eq!(scenario.timeout, Duration::from_millis(5000));
        assert_eq!(scenario.consumer.serial_number, "SN-ANDROID-0001");
        assert_eq!(
            scenario.consumer.holder,
            Holder::Names {
                first: "JANE".into(),
                last: "DOE".into()
            }
        );
        let [first, _] = scenario.sales.as_slice() else {
            panic!("two sales expected")
        };
        assert_eq!(
            (first.line, first.amount_centis, first.currency.as_str()),
            (12, 1050, "EUR")
        );
        let Source::Card(card) = &first.source else {
            panic!("card expected")
        };
        assert_eq!(
            (card.number.as_str(), card.expiry_month, card.expiry_year),
            ("4111111111111111", 12, 2030)
        );
        assert_eq!(first.security_code(), "321");
        assert_eq!(first.three_ds, Some(ThreeDs::password("hint")));
        assert_eq!(
            first.expect,
            Expect {
                secure_3d: Some(Secure3dExpectation::Status(AuthStatus::Authenticated)),
                callback: Some(CallbackStatus::Approved),
                card_mapping: Some(true),
                redirect: Some(true),
                ..Expect::state(SaleState::Approved)
            }
        );
        assert_eq!((first.mistake, first.new_access_token), (None, false));
        assert!(first.misbehave.is_empty());
        assert_eq!(scenario.email_for(first), Some("jane@example.com"));
    }

    #[test]
    fn a_repeat_sale_by_reference_with_inline_expect_parses() {
        let scenario = parse_ok(FULL);
        let second = scenario.sale(2).expect("a second sale");
        assert_eq!(second.line, 25);
        assert_eq!(
            second.source,
            Source::Reference {
                from: 1,
                security_code: "123".into()
            }
        );
        assert_eq!(second.three_ds, Some(ThreeDs::Cancel));
        assert_eq!(scenario.email_for(second), Some("other@example.com"));
        assert_eq!(second.expect.state, Some(SaleState::Declined));
        assert_eq!(second.expect.error_code, Some(100));
        assert_eq!(second.expect.error_message.as_deref(), Some("3DS"));
        assert_eq!(second.expect.secure_3d, Some(Secure3dExpectation::Absent));
        assert_eq!(second.expect.callback, Some(CallbackStatus::Declined));
        assert_eq!(second.expect.card_mapping, Some(false));
        assert_eq!(second.expect.redirect, None);
    }

    const MINIMAL: &str = "[consumer]\nserial_number = \"SN-1\"\n\n[[sale]]\namount_centis = 1\ncurrency = \"EUR\"\n\
        card = { number = \"4111111111111111\", security_code = \"123\", expiry_month = 1, expiry_year = 2030 }\n\
        expect = { state = \"APPROVED\" }\n";

    #[test]
    fn a_minimal_scenario_gets_the_defaults() {
        let scenario = parse_ok(MINIMAL);
        assert_eq!(scenario.name, "07-example");
        assert_eq!(scenario.description, None);
        assert!(scenario.tags.is_empty());
        assert_eq!(scenario.file, Path::new("scenarios/07-example.toml"));
        assert_eq!(scenario.timeout, Duration::from_secs(30));
        assert_eq!(scenario.consumer.email, None);
        assert_eq!(
            scenario.consumer.holder,
            Holder::Printed("TEST CONSUMER".into())
        );
        let sale = scenario.sale(1).expect("one sale");
        assert_eq!(
            (sale.line, sale.three_ds.as_ref(), sale.email.as_ref()),
            (4, None, None)
        );
        assert_eq!(scenario.email_for(sale), None);
        assert_eq!(scenario.sale(0), None);
        assert_eq!(scenario.sale(2), None);
    }

    #[test]
    fn a_printed_name_is_the_holder() {
        let text = MINIMAL.replace("\"SN-1\"", "\"SN-1\"\nprinted_name = \"JANE DOE\"");
        assert_eq!(
            parse_ok(&text).consumer.holder,
            Holder::Printed("JANE DOE".into())
        );
    }

    #[test]
    fn every_secure_3d_spelling_parses() {
        for (spelling, expected) in [
            (
                "AUTHENTICATED",
                Secure3dExpectation::Status(AuthStatus::Authenticated),
            ),
            (
                "NOT_AUTHENTICATED",
                Secure3dExpectation::Status(AuthStatus::NotAuthenticated),
            ),
            (
                "UNSUPPORTED",
                Secure3dExpectation::Status(AuthStatus::Unsupported),
            ),
            ("ABSENT", Secure3dExpectation::Absent),
        ] {
            let text = MINIMAL.replace(
                "\"APPROVED\" }",
                &format!("\"APPROVED\", secure_3d = \"{spelling}\" }}"),
            );
            assert_eq!(
                parse_ok(&text).sales[0].expect.secure_3d,
                Some(expected),
                "{spelling}"
            );
        }
    }

    #[test]
    fn a_misspelt_key_is_reported_on_its_line() {
        let text = FULL.replace("redirect = true", "redirct = true");
        let error = parse_err(&text);
        assert_eq!(error.line, Some(23));
        assert!(error.message.contains("unknown field `redirct`"), "{error}");
        assert!(
            error.to_string().starts_with("x.toml:23: unknown field"),
            "{error}"
        );
    }

    #[test]
    fn a_misspelt_key_in_an_inline_table_is_reported_on_its_line() {
        let error = parse_err(&FULL.replace("from_sale = 1", "from = 1"));
        assert_eq!(error.line, Some(28));
        assert!(error.message.contains("unknown field `from`"), "{error}");
    }

    #[test]
    fn a_wrong_type_is_reported_on_its_line() {
        let error = parse_err(&FULL.replace("amount_centis = 700", "amount_centis = \"7.00\""));
        assert_eq!(error.line, Some(26));
        assert!(error.message.contains("invalid type"), "{error}");
    }

    #[test]
    fn an_unknown_state_is_reported_on_its_line() {
        let error = parse_err(&FULL.replace("state = \"APPROVED\"", "state = \"APROVED\""));
        assert_eq!(error.line, Some(19));
        assert!(
            error.message.contains("unknown variant `APROVED`"),
            "{error}"
        );
    }

    #[test]
    fn an_unknown_three_ds_action_is_refused() {
        let error = parse_err(&FULL.replace("three_ds = \"cancel\"", "three_ds = \"skip\""));
        assert_eq!(error.line, Some(29));
    }

    #[test]
    fn broken_toml_syntax_is_reported_on_its_line() {
        let error = parse_err(&FULL.replace("currency = \"USD\"", "currency = \"USD"));
        assert_eq!(error.line, Some(27));
    }

    #[test]
    fn a_missing_required_key_is_reported_at_its_table() {
        let error = parse_err(&FULL.replace("amount_centis = 1050\n", ""));
        assert_eq!(error.line, Some(12));
        assert!(
            error.message.contains("missing field `amount_centis`"),
            "{error}"
        );
        let error = parse_err(&FULL.replace("state = \"APPROVED\"\n", ""));
        assert_eq!(error.line, Some(12), "a sale without a state, at its sale");
        assert!(
            error.message.contains("expect.state is required"),
            "{error}"
        );
    }
}
