//! Comparing the contract violations of a sale with the scenario's `[[sale.expect.violation]]`s, both ways
//! ([`scenario::ExpectedViolation`]): each expected violation must be seen, and each violation seen must be
//! expected. Otherwise a failure:
//!
//! ```text
//! sale 1: unexpected contract violation: step 9 Check sale response (seen by gateway): session.checkSignature …
//! sale 1: expected a contract violation at step 9 (gateway) session.nonce, none seen
//! ```
//!
//! An expected violation of a server whose record could not be read (a real server, or a sale that never
//! reached a final state) is not observable: skipped ([`unobservable`]), never passed; an unexpected one is
//! always a failure, and an `optional` one is never missed.

use sandbox_api::ContractViolation;
use sandbox_api::Observer;
use scenario::Expect;

/// The failures, without the `sale N: ` prefix: unexpected violations first, then the expected ones not
/// seen whose observer is `observable`.
pub(super) fn compare(
    expect: &Expect,
    seen: &[ContractViolation],
    observable: impl Fn(Observer) -> bool,
) -> Vec<String> {
    let mut failures: Vec<String> = expect
        .unexpected_violations(seen)
        .into_iter()
        .map(unexpected)
        .collect();
    for missing in expect.unmet_violations(seen) {
        if observable(missing.observer) {
            let path = missing
                .path
                .as_deref()
                .map(|path| format!(" {path}"))
                .unwrap_or_default();
            failures.push(format!(
                "expected a contract violation at step {} ({}){path}, none seen",
                missing.step, missing.observer
            ));
        }
    }
    failures
}

/// The expected violations (not optional) that were not seen because their observer's record could not be
/// read (`unread` says why), one skip line each.
pub(super) fn unobservable(
    expect: &Expect,
    seen: &[ContractViolation],
    unread: impl Fn(Observer) -> Option<String>,
) -> Vec<String> {
    expect
        .unmet_violations(seen)
        .into_iter()
        .filter_map(|missing| {
            let why = unread(missing.observer)?;
            Some(format!(
                "expected violation {missing}: not observable: {why}"
            ))
        })
        .collect()
}

/// The failure of a violation nobody expected.
pub(super) fn unexpected(violation: &ContractViolation) -> String {
    format!("unexpected contract violation: {violation}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use dapi::SaleState;
    use dapi::steps;
    use scenario::ExpectedViolation;

    fn expect(violations: Vec<ExpectedViolation>) -> Expect {
        Expect {
            violations,
            ..Expect::state(SaleState::Declined)
        }
    }

    fn expected(observer: Observer, step: u8, path: Option<&str>) -> ExpectedViolation {
        ExpectedViolation {
            observer,
            step,
            path: path.map(str::to_owned),
            optional: false,
        }
    }

    fn signature() -> ContractViolation {
        ContractViolation::new(
            Observer::Gateway,
            steps::CHECK_SALE_RESPONSE,
            "session.checkSignature",
            "does not verify",
        )
    }

    const ALL: fn(Observer) -> bool = |_| true;

    #[test]
    fn an_expected_violation_that_was_seen_is_no_failure() {
        let expect = expect(vec![expected(Observer::Gateway, 9, None)]);
        assert!(compare(&expect, &[signature()], ALL).is_empty());
        assert!(compare(&super::tests::expect(Vec::new()), &[], ALL).is_empty());
    }

    #[test]
    fn an_expected_violation_not_seen_is_a_failure_naming_step_observer_and_path() {
        let expect = expect(vec![expected(Observer::Gateway, 9, Some("session.nonce"))]);
        assert_eq!(
            compare(&expect, &[], ALL),
            ["expected a contract violation at step 9 (gateway) session.nonce, none seen"]
        );
        let any_path = super::tests::expect(vec![expected(Observer::Party, 23, None)]);
        assert_eq!(
            compare(&any_path, &[], ALL),
            ["expected a contract violation at step 23 (party), none seen"]
        );
    }

    #[test]
    fn a_violation_nobody_expected_is_a_failure_with_its_one_line() {
        assert_eq!(
            compare(&expect(Vec::new()), &[signature()], ALL),
            [
                "unexpected contract violation: step 9 Check sale response (seen by gateway): session.checkSignature does not verify"
            ]
        );
        let other_path = expect(vec![expected(Observer::Gateway, 9, Some("session.nonce"))]);
        let failures = compare(&other_path, &[signature()], ALL);
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(failures[0].starts_with("unexpected contract violation: step 9"));
        assert!(failures[1].starts_with("expected a contract violation at step 9"));
    }

    #[test]
    fn expected_violations_of_an_unobservable_server_are_not_checked() {
        let expect = expect(vec![expected(Observer::Gateway, 9, None)]);
        let only_app = |observer: Observer| observer == Observer::App;
        assert!(compare(&expect, &[], only_app).is_empty());
        let app = expect_app();
        assert_eq!(compare(&app, &[], only_app).len(), 1);
    }

    #[test]
    fn expected_violations_of_an_unread_record_are_listed_for_the_skip() {
        let mut optional = expected(Observer::Party, 8, Some("session.nonce"));
        optional.optional = true;
        let expect = expect(vec![expected(Observer::Gateway, 9, None), optional]);
        let unread =
            |observer: Observer| (observer != Observer::App).then(|| "no record".to_owned());
        assert_eq!(
            unobservable(&expect, &[], unread),
            ["expected violation step 9 (seen by gateway): any path: not observable: no record"]
        );
        assert!(
            unobservable(&expect, &[signature()], unread).is_empty(),
            "seen after all"
        );
    }

    fn expect_app() -> Expect {
        expect(vec![expected(Observer::App, 7, Some("invoiceId"))])
    }
}
