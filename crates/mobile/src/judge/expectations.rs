//! Comparing a sale's outcome with its `[sale.expect]`: one failure text per mismatch, none when it matches.
//!
//! Only sales that reached a final state are compared (a refused or stuck sale already has its failure).
//! The party's side (callback, card mapping) is compared with its record, or with the gateway's delivery log
//! when the party has none ([`PartyObservation::Deliveries`]); when neither can be read, those expectations
//! are not observable ([`unobservable`]): skipped, never passed.

use std::time::Duration;

use scenario::Expect;

use super::deliveries::compare_deliveries;
use crate::report::{PartyObservation, SaleOutcome};

/// The mismatches between `expect` and `outcome`, without the `sale N: ` prefix; `waited` is how long the
/// client waited for the callback.
pub(super) fn compare(expect: &Expect, outcome: &SaleOutcome, waited: Duration) -> Vec<String> {
    let mut failures = Vec::new();
    let Some(state) = outcome.state else {
        return failures;
    };
    if let Some(expected) = expect.state
        && state != expected
    {
        failures.push(format!(
            "state: expected {expected}, got {state}{}",
            reason(outcome)
        ));
    }
    if let Some(code) = expect.error_code
        && outcome.error_code != Some(code)
    {
        let got = outcome
            .error_code
            .map_or("none".to_owned(), |got| got.to_string());
        failures.push(format!("errorCode: expected {code}, got {got}"));
    }
    if let Some(part) = &expect.error_message {
        let message = outcome.error_message.as_deref();
        if !message.is_some_and(|message| message.contains(part.as_str())) {
            let got = message.map_or("none".to_owned(), |message| format!("{message:?}"));
            failures.push(format!(
                "errorMessage: expected to contain {part:?}, got {got}"
            ));
        }
    }
    let statuses = [
        ("secure3DAuthStatus", expect.secure_3d, outcome.secure_3d),
        ("randomSumAuthStatus", expect.random_sum, outcome.random_sum),
    ];
    for (field, expected, observed) in statuses {
        if let Some(expected) = expected
            && !expected.is_met_by(observed)
        {
            let got = observed.map_or("ABSENT", |status| status.as_str());
            failures.push(format!("{field}: expected {expected}, got {got}"));
        }
    }
    match (expect.redirect, outcome.redirect) {
        (Some(true), false) => {
            failures.push("redirect: expected a REDIRECT_REQUEST, none seen".into())
        }
        (Some(false), true) => {
            failures.push("redirect: expected no REDIRECT_REQUEST, one was seen".into())
        }
        _ => {}
    }
    match outcome.party {
        PartyObservation::Seen => compare_party(expect, outcome, waited, &mut failures),
        PartyObservation::Deliveries => {
            failures.extend(compare_deliveries(expect, outcome, waited));
        }
        PartyObservation::NotObservable | PartyObservation::NotFetched => {}
    }
    failures
}

/// The expectations on the party's side that nothing could observe: a sale that reached its final state, whose
/// Connecting Party server has no sandbox record and whose gateway has no delivery log.
pub(super) fn unobservable(expect: &Expect, outcome: &SaleOutcome) -> Vec<String> {
    if outcome.state.is_none() || outcome.party != PartyObservation::NotObservable {
        return Vec::new();
    }
    let why = "not observable: neither the Connecting Party server has a sandbox record nor the gateway a delivery log";
    let mut skipped = Vec::new();
    if let Some(callback) = expect.callback {
        skipped.push(format!("callback {callback}: {why}"));
    }
    if let Some(mapping) = expect.card_mapping {
        let what = if mapping { "expected" } else { "expected none" };
        skipped.push(format!("card mapping ({what}): {why}"));
    }
    skipped
}

fn compare_party(
    expect: &Expect,
    outcome: &SaleOutcome,
    waited: Duration,
    failures: &mut Vec<String>,
) {
    match (expect.callback, outcome.callback) {
        (Some(expected), None) => {
            failures.push(format!(
                "callback: expected {expected}, none received within {waited:?}"
            ));
        }
        (Some(expected), Some(got)) if got != expected => {
            failures.push(format!("callback: expected {expected}, got {got}"));
        }
        _ => {}
    }
    match (expect.card_mapping, &outcome.client_card_id) {
        (Some(true), None) => {
            failures.push("card mapping: expected one, the party recorded none".into());
        }
        (Some(false), Some(id)) => {
            failures.push(format!(
                "card mapping: expected none, the party mapped clientCardId {id}"
            ));
        }
        _ => {}
    }
}

/// ` (errorCode 100, errorMessage "…")` when the status gave a reason.
fn reason(outcome: &SaleOutcome) -> String {
    let mut parts = Vec::new();
    if let Some(code) = outcome.error_code {
        parts.push(format!("errorCode {code}"));
    }
    if let Some(message) = &outcome.error_message {
        parts.push(format!("errorMessage {message:?}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dapi::{AuthStatus, CallbackStatus, SaleState};
    use scenario::Secure3dExpectation;

    const WAITED: Duration = Duration::from_secs(30);

    fn expect() -> Expect {
        Expect {
            secure_3d: Some(Secure3dExpectation::Status(AuthStatus::Authenticated)),
            callback: Some(CallbackStatus::Approved),
            card_mapping: Some(true),
            redirect: Some(true),
            ..Expect::state(SaleState::Approved)
        }
    }

    fn approved() -> SaleOutcome {
        SaleOutcome {
            invoice_id: Some("INV-1".into()),
            state: Some(SaleState::Approved),
            secure_3d: Some(AuthStatus::Authenticated),
            redirect: true,
            party: PartyObservation::Seen,
            callback: Some(CallbackStatus::Approved),
            client_card_id: Some("CC-1".into()),
            ..SaleOutcome::new(1)
        }
    }

    #[test]
    fn a_matching_outcome_produces_no_failure() {
        assert_eq!(
            compare(&expect(), &approved(), WAITED),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_different_state_names_both_and_the_reason() {
        let outcome = SaleOutcome {
            state: Some(SaleState::Declined),
            error_code: Some(100),
            error_message: Some("check sale failed: consumer.email mismatch".into()),
            ..approved()
        };
        assert_eq!(
            compare(&expect(), &outcome, WAITED),
            [
                r#"state: expected APPROVED, got DECLINED (errorCode 100, errorMessage "check sale failed: consumer.email mismatch")"#
            ]
        );
    }

    #[test]
    fn error_code_and_message_mismatches_are_reported() {
        let expect = Expect {
            state: Some(SaleState::Declined),
            error_code: Some(116),
            error_message: Some("funds".into()),
            ..expect()
        };
        let outcome = SaleOutcome {
            state: Some(SaleState::Declined),
            error_code: Some(100),
            error_message: Some("Do not honour".into()),
            ..approved()
        };
        assert_eq!(
            compare(&expect, &outcome, WAITED),
            [
                "errorCode: expected 116, got 100",
                r#"errorMessage: expected to contain "funds", got "Do not honour""#
            ]
        );
        let silent = SaleOutcome {
            state: Some(SaleState::Declined),
            ..approved()
        };
        assert_eq!(
            compare(&expect, &silent, WAITED),
            [
                "errorCode: expected 116, got none",
                r#"errorMessage: expected to contain "funds", got none"#
            ]
        );
    }

    #[test]
    fn secure_3d_and_redirect_mismatches_are_reported() {
        let outcome = SaleOutcome {
            secure_3d: None,
            redirect: false,
            ..approved()
        };
        assert_eq!(
            compare(&expect(), &outcome, WAITED),
            [
                "secure3DAuthStatus: expected AUTHENTICATED, got ABSENT",
                "redirect: expected a REDIRECT_REQUEST, none seen"
            ]
        );
        let expect = Expect {
            secure_3d: Some(Secure3dExpectation::Absent),
            redirect: Some(false),
            ..expect()
        };
        assert_eq!(
            compare(&expect, &approved(), WAITED),
            [
                "secure3DAuthStatus: expected ABSENT, got AUTHENTICATED",
                "redirect: expected no REDIRECT_REQUEST, one was seen"
            ]
        );
    }

    #[test]
    fn callback_and_card_mapping_mismatches_are_reported() {
        let outcome = SaleOutcome {
            callback: None,
            client_card_id: None,
            ..approved()
        };
        assert_eq!(
            compare(&expect(), &outcome, WAITED),
            [
                "callback: expected approved, none received within 30s",
                "card mapping: expected one, the party recorded none"
            ]
        );
        let expect = Expect {
            callback: Some(CallbackStatus::Filtered),
            card_mapping: Some(false),
            ..expect()
        };
        assert_eq!(
            compare(&expect, &approved(), WAITED),
            [
                "callback: expected filtered, got approved",
                "card mapping: expected none, the party mapped clientCardId CC-1"
            ]
        );
    }

    #[test]
    fn party_expectations_nothing_observed_are_skipped_and_sales_without_state_are_not_compared() {
        let outcome = SaleOutcome {
            party: PartyObservation::NotObservable,
            callback: None,
            client_card_id: None,
            ..approved()
        };
        assert!(compare(&expect(), &outcome, WAITED).is_empty());
        let skipped = unobservable(&expect(), &outcome);
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert!(
            skipped[0].starts_with("callback approved: not observable"),
            "{skipped:?}"
        );
        assert!(
            skipped[1].starts_with("card mapping (expected): not observable"),
            "{skipped:?}"
        );
        let refused = SaleOutcome::new(1);
        assert!(compare(&expect(), &refused, WAITED).is_empty());
        assert!(
            unobservable(&expect(), &refused).is_empty(),
            "a sale that stopped has its failure"
        );
        assert!(unobservable(&expect(), &approved()).is_empty());
    }

    #[test]
    fn a_random_sum_status_is_compared_like_secure_3d() {
        let expect = Expect {
            random_sum: Some(Secure3dExpectation::Status(AuthStatus::Authenticated)),
            ..expect()
        };
        assert_eq!(
            compare(&expect, &approved(), WAITED),
            ["randomSumAuthStatus: expected AUTHENTICATED, got ABSENT"]
        );
        let outcome = SaleOutcome {
            random_sum: Some(AuthStatus::Authenticated),
            ..approved()
        };
        assert!(compare(&expect, &outcome, WAITED).is_empty());
    }
}
