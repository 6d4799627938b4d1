//! What the gateway records about each sale for the sandbox's record (`GET /sim/sales/{endpointId}/{invoiceId}`,
//! see `dapi::sim`): the contract violations it saw in the app's requests and the Connecting Party's answers.
//!
//! Recording never changes what the gateway does (spec 3.4: decline, `filtered`, `error`; a notification failure
//! never changes the outcome). Values are masked: digit runs that could be a card number show BIN and last four,
//! tokens and nonces their first 8 characters. At most [`MAX_VIOLATIONS_PER_SALE`] are kept per sale, and an
//! identical violation (a retried call failing the same way) is kept once.

use crate::party::{CallError, cause_name};
use crate::state::AppState;
use dapi::Step;
use dapi::{EndpointId, InvoiceId, SessionToken};
use sandbox_api::ContractViolation;
use sandbox_api::GatewaySaleRecord;
use sandbox_api::Observer;
use std::time::Duration;

/// Violations kept per sale; later ones are only logged.
pub(crate) const MAX_VIOLATIONS_PER_SALE: usize = 50;

/// A violation the gateway saw in `step`.
pub(crate) fn violation(step: Step, path: &str, rule: impl Into<String>) -> ContractViolation {
    ContractViolation::new(Observer::Gateway, step, path, rule)
}

pub(crate) use dapi::card::mask_card_numbers as mask;
pub(crate) use sandbox_api::text::short;

/// A duration for a rule text: `2 s`, or `250 ms` when not whole seconds.
pub(crate) fn duration_text(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} ms", duration.as_millis())
    }
}

/// What a failed call to the Connecting Party breaks in `step`. Nothing for an answer with the documented error
/// body: that is a legitimate answer (a caller for which a refusal is itself a breach says so on its own).
pub(crate) fn call_violations(
    step: Step,
    error: &CallError,
    timeout: Duration,
) -> Vec<ContractViolation> {
    match error {
        CallError::Timeout => vec![violation(
            step,
            "",
            format!("no answer within {}", duration_text(timeout)),
        )],
        CallError::Unreachable(detail) => {
            let mut found = violation(step, "", "no answer: connection failed");
            found.actual = Some(mask(detail));
            vec![found]
        }
        CallError::Refused {
            status,
            cause: None,
            ..
        } => vec![violation(
            step,
            "",
            format!("HTTP {status} without the documented error body"),
        )],
        CallError::Refused { cause: Some(_), .. } => Vec::new(),
        CallError::Invalid(violations) => {
            ContractViolation::from_violations(Observer::Gateway, step, violations)
        }
    }
}

/// A refusal of the card mapping notification (spec 3.7): the documented error body's cause.
pub(crate) fn refusal(step: Step, error: &CallError) -> Option<ContractViolation> {
    let CallError::Refused {
        cause: Some(cause), ..
    } = error
    else {
        return None;
    };
    let mut found = violation(step, "error.cause", "card mapping refused");
    found.actual = Some(cause_name(*cause).to_owned());
    Some(found)
}

impl AppState {
    /// Records what a sale's peers broke; logged at warn. Identical repeats, anything past the cap and anything
    /// about a sale no longer kept (`retention`) are only logged.
    pub(crate) fn record_violations(
        &self,
        token: &SessionToken,
        found: impl IntoIterator<Item = ContractViolation>,
    ) {
        for violation in found {
            tracing::warn!(%violation, "contract violation");
            let kept = self.update_sale(token, |sale| {
                let kept = &mut sale.violations;
                if kept.contains(&violation) {
                    return true;
                }
                let room = kept.len() < MAX_VIOLATIONS_PER_SALE;
                if room {
                    kept.push(violation);
                }
                room
            });
            if kept == Some(false) {
                tracing::warn!(
                    max = MAX_VIOLATIONS_PER_SALE,
                    "violation not kept: the sale's record is full"
                );
            }
        } // each sale guard ends with its iteration
    }

    /// The contract violations the gateway saw in one sale, oldest first; `None` for an unknown sale.
    pub fn violations(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> Option<Vec<ContractViolation>> {
        let token = self.token_of(endpoint_id, invoice_id)?;
        self.with_sale(&token, |sale| sale.violations.clone())
    }

    /// The gateway's record of one sale (state and violations); `None` for an unknown sale.
    pub fn sale_record(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> Option<GatewaySaleRecord> {
        let token = self.token_of(endpoint_id, invoice_id)?;
        self.with_sale(&token, |sale| GatewaySaleRecord {
            invoice_id: invoice_id.clone(),
            state: sale.state(),
            violations: sale.violations.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use dapi::steps;
    use dapi::{PartyCause, Rule, Violations};

    #[test]
    fn card_like_digit_runs_are_masked_and_tokens_shortened() {
        assert_eq!(mask("pan 4111111111111111!"), "pan 411111******1111!");
        assert_eq!(mask("9876543"), "9876543");
        assert_eq!(mask("INV-2024-000042"), "INV-2024-000042");
        assert_eq!(
            short("7f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60"),
            "7f3b9c1d…"
        );
        assert_eq!(short("abc"), "abc");
        assert_eq!(duration_text(Duration::from_secs(2)), "2 s");
        assert_eq!(duration_text(Duration::from_millis(250)), "250 ms");
    }

    #[test]
    fn call_failures_become_violations_except_documented_error_bodies() {
        let step = steps::CHECK_SALE_RESPONSE;
        let timeout = Duration::from_secs(2);
        let rules = |error: &CallError| -> Vec<(String, String)> {
            call_violations(step, error, timeout)
                .into_iter()
                .map(|found| (found.path, found.rule))
                .collect()
        };
        assert_eq!(
            rules(&CallError::Timeout),
            [(String::new(), "no answer within 2 s".to_owned())]
        );
        let bare = CallError::Refused {
            status: 500,
            cause: None,
            reason: String::new(),
        };
        assert_eq!(
            rules(&bare),
            [(
                String::new(),
                "HTTP 500 without the documented error body".to_owned()
            )]
        );
        let filtered = CallError::Refused {
            status: 403,
            cause: Some(PartyCause::Filtered),
            reason: " FILTERED: no".into(),
        };
        assert!(rules(&filtered).is_empty());
        let refused = refusal(steps::CARD_MAPPING_RESPONSE, &filtered).unwrap();
        assert_eq!(
            (refused.path.as_str(), refused.actual.as_deref()),
            ("error.cause", Some("FILTERED"))
        );
        assert!(refusal(steps::CARD_MAPPING_RESPONSE, &bare).is_none());
        let invalid = CallError::Invalid(Violations::one("session.checkSignature", Rule::Missing));
        assert_eq!(
            rules(&invalid),
            [(
                "session.checkSignature".to_owned(),
                "is required".to_owned()
            )]
        );
    }

    #[test]
    fn a_sale_keeps_identical_violations_once_and_at_most_fifty() {
        let state = AppState::new(Config::sandbox("http://gw.test", "http://cp.test"));
        let token = SessionToken::from("0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b");
        let step = steps::CALLBACK_RESPONSE;
        state.record_violations(&token, [violation(step, "", "unknown sale")]);
        state.open_sale(crate::sale::tests::sale("123")).unwrap();
        let kept = || state.violations(&"1234".into(), &"INV-1".into()).unwrap();
        assert_eq!(
            kept(),
            [],
            "nothing is kept for a sale the gateway does not know"
        );
        state.record_violations(&token, [violation(step, "", "a"), violation(step, "", "a")]);
        assert_eq!(kept().len(), 1);
        state.record_violations(
            &token,
            (0..100).map(|n| violation(step, "", format!("rule {n}"))),
        );
        assert_eq!(kept().len(), MAX_VIOLATIONS_PER_SALE);
        assert_eq!(kept()[0].rule, "a");
    }
}
