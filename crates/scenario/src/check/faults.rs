//! Checks of `[sale.faults]`: a server failing or slowing down on purpose (sandbox only), merged into the
//! sale's [`Misbehave`] so the client sends it through the same `/sim/` paths as `[sale.misbehave]`.
//!
//! Unlike a misbehaviour, a fault breaks no contract: the sale must end as it would without it, and no
//! violation is expected. A count or latency of 0 is refused (leave the key out), and so is a fault on a
//! message the sale never causes: the card mapping notification needs an approved sale with card data
//! (spec 3.7).

use dapi::SaleState;

use crate::model::{Expect, Misbehave, Source};
use crate::raw::RawFaults;

/// The longest latency accepted, in milliseconds (5 minutes, as the sandbox's servers accept).
const MAX_LATENCY_MS: u64 = 300_000;

/// Checks `[sale.faults]` against the sale's source of funds and expectations, and adds it to `misbehave`.
pub(super) fn apply(
    raw: Option<RawFaults>,
    source: &Source,
    expect: &Expect,
    mut misbehave: Misbehave,
) -> Result<Misbehave, String> {
    let Some(raw) = raw else {
        return Ok(misbehave);
    };
    let counts = [
        ("party_callback_fail_first", raw.party_callback_fail_first),
        (
            "party_notification_fail_first",
            raw.party_notification_fail_first,
        ),
    ];
    for (key, count) in counts {
        if count == Some(0) {
            return Err(format!(
                "faults.{key} must be greater than 0; leave it out for none"
            ));
        }
    }
    for (key, latency) in [
        ("party_latency_ms", raw.party_latency_ms),
        ("gateway_latency_ms", raw.gateway_latency_ms),
    ] {
        if latency.is_some_and(|ms| !(1..=MAX_LATENCY_MS).contains(&ms)) {
            return Err(format!(
                "faults.{key} must be 1-{MAX_LATENCY_MS} (at most 5 minutes)"
            ));
        }
    }
    let is_reference = matches!(source, Source::Reference { .. });
    if raw.party_notification_fail_first.is_some()
        && (is_reference || expect.state != Some(SaleState::Approved))
    {
        return Err(
            "faults.party_notification_fail_first needs a sale with card data expected APPROVED \
            (only such a sale sends a card mapping notification, spec 3.7)"
                .to_owned(),
        );
    }
    let latencies = [raw.party_latency_ms, raw.gateway_latency_ms];
    if counts.iter().all(|(_, count)| count.is_none()) && latencies.iter().all(Option::is_none) {
        return Err("[sale.faults] names no fault; leave the table out".to_owned());
    }
    misbehave.party.callback_fail_first = raw.party_callback_fail_first;
    misbehave.party.notification_fail_first = raw.party_notification_fail_first;
    misbehave.party.latency_ms = raw.party_latency_ms;
    misbehave.gateway.latency_ms = raw.gateway_latency_ms;
    Ok(misbehave)
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a test fails loudly")]
mod tests {
    use std::path::Path;

    use sandbox_api::CallbackMisbehaviour;
    use sandbox_api::GatewayMisbehaviour;
    use sandbox_api::NotificationMisbehaviour;
    use sandbox_api::PartyMisbehaviour;

    use super::*;

    /// A card sale (line 4) with faults and a misbehaviour as tables, and a repeat sale (line 21) with faults
    /// inline.
    const FAULTS: &str = r#"[consumer]
serial_number = "SN-1"

[[sale]]
amount_centis = 100
currency = "EUR"
card = { number = "4111111111111111", security_code = "123", expiry_month = 1, expiry_year = 2030 }

[sale.faults]
party_callback_fail_first = 2
party_notification_fail_first = 1
party_latency_ms = 300
gateway_latency_ms = 100

[sale.misbehave]
party_notification = "wrong-check-signature"

[sale.expect]
state = "APPROVED"

[[sale]]
amount_centis = 200
currency = "EUR"
card_reference = { from_sale = 1, security_code = "123" }
faults = { gateway_latency_ms = 50 }
expect = { state = "APPROVED" }
"#;

    fn parse(text: &str) -> Result<crate::Scenario, crate::ScenarioError> {
        crate::parse(text, Path::new("x.toml"))
    }

    fn refused_at(from: &str, to: &str, line: usize, message: &str) {
        assert!(FAULTS.contains(from), "FAULTS has no {from:?}");
        let error = parse(&FAULTS.replacen(from, to, 1)).expect_err("should be refused");
        assert_eq!(error.line, Some(line), "{error}");
        assert!(error.message.contains(message), "{error}");
    }

    #[test]
    fn faults_and_misbehaviour_merge_into_one_misbehave_as_tables_and_inline() {
        let scenario = parse(FAULTS).unwrap_or_else(|error| panic!("{error}"));
        let [first, second] = scenario.sales.as_slice() else {
            panic!("two sales expected")
        };
        let party = PartyMisbehaviour {
            notification: Some(NotificationMisbehaviour::WrongCheckSignature),
            callback_fail_first: Some(2),
            notification_fail_first: Some(1),
            latency_ms: Some(300),
            ..PartyMisbehaviour::default()
        };
        let gateway = GatewayMisbehaviour {
            latency_ms: Some(100),
            ..GatewayMisbehaviour::default()
        };
        assert_eq!(first.misbehave, Misbehave { party, gateway });
        assert!(second.misbehave.party_is_empty());
        assert_eq!(second.misbehave.gateway.latency_ms, Some(50));
        assert!(first.expect.violations.is_empty());
    }

    #[test]
    fn faults_alone_need_no_misbehave_table() {
        let text = FAULTS.replace(
            "[sale.misbehave]\nparty_notification = \"wrong-check-signature\"\n",
            "",
        );
        let scenario = parse(&text).unwrap_or_else(|error| panic!("{error}"));
        let first = &scenario.sales[0];
        assert_eq!(first.misbehave.party.notification, None);
        assert_eq!(first.misbehave.party.callback_fail_first, Some(2));
        let with_callback = text.replace(
            "[sale.faults]",
            "[sale.misbehave]\ngateway_callback = \"wrong-control\"\n\n[sale.faults]",
        );
        let scenario = parse(&with_callback).unwrap_or_else(|error| panic!("{error}"));
        let gateway = &scenario.sales[0].misbehave.gateway;
        assert_eq!(gateway.callback, Some(CallbackMisbehaviour::WrongControl));
        assert_eq!(gateway.latency_ms, Some(100));
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_refused_on_their_lines() {
        refused_at(
            "party_latency_ms = 300",
            "party_latncy_ms = 300",
            12,
            "unknown field",
        );
        refused_at("= 2\n", "= -2\n", 10, "invalid value");
        refused_at(
            "gateway_latency_ms = 50",
            "gateway_latency = 50",
            25,
            "unknown field",
        );
    }

    #[test]
    fn zero_counts_and_latencies_out_of_range_are_refused_at_their_sale() {
        refused_at(
            "party_callback_fail_first = 2",
            "party_callback_fail_first = 0",
            4,
            "sale 1: faults.party_callback_fail_first must be greater than 0",
        );
        refused_at(
            "party_latency_ms = 300",
            "party_latency_ms = 0",
            4,
            "faults.party_latency_ms must be 1-300000",
        );
        refused_at(
            "gateway_latency_ms = 50",
            "gateway_latency_ms = 300001",
            21,
            "sale 2: faults.gateway_latency_ms must be 1-300000",
        );
    }

    #[test]
    fn a_notification_fault_needs_an_approved_card_sale() {
        refused_at(
            "faults = { gateway_latency_ms = 50 }",
            "faults = { party_notification_fail_first = 1 }",
            21,
            "sale 2: faults.party_notification_fail_first needs a sale with card data",
        );
        let declined = FAULTS
            .replace(
                "[sale.misbehave]\nparty_notification = \"wrong-check-signature\"\n",
                "",
            )
            .replacen("state = \"APPROVED\"", "state = \"DECLINED\"", 1);
        let error = parse(&declined).expect_err("a declined sale sends no notification");
        assert_eq!(error.line, Some(4), "{error}");
        assert!(error.message.contains("expected APPROVED"), "{error}");
    }

    #[test]
    fn an_empty_faults_table_is_refused() {
        refused_at(
            "faults = { gateway_latency_ms = 50 }",
            "faults = {}",
            21,
            "sale 2: [sale.faults] names no fault",
        );
    }
}
