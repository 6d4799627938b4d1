//! How what a sale's peers break becomes a [`ContractViolation`] seen by the gateway, for the sandbox's record of
//! the sale (`GET /sim/sales/{endpointId}/{invoiceId}`): failed calls to the Connecting Party, and the echo and
//! signature rules its answers share (check sale, card mapping notification).
//!
//! Recording never changes what the gateway does (spec 3.4: decline, `filtered`, `error`; a notification failure
//! never changes the outcome). Values are masked: digit runs that could be a card number show BIN and last four
//! (`dapi::card::mask_card_numbers`), tokens and nonces their first 8 characters (`sandbox_api::text::short`).
//! A sale keeps them through the store ([`crate::store::Store::record_violations`]).

use crate::party_client::{CallError, cause_name};
use dapi::card::mask_card_numbers;
use dapi::{InvoiceId, Nonce, SessionToken, Step};
use sandbox_api::text::short;
use sandbox_api::{ContractViolation, Observer};
use std::time::Duration;

/// A violation the gateway saw in `step`.
pub(crate) fn violation(step: Step, path: &str, rule: impl Into<String>) -> ContractViolation {
    ContractViolation::new(Observer::Gateway, step, path, rule)
}

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
            found.actual = Some(mask_card_numbers(detail));
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

/// The values a Connecting Party's answer must echo (check sale, spec 3.4; card mapping notification, 3.7).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Echoes<'a> {
    /// `invoiceId`.
    pub(crate) invoice_id: &'a InvoiceId,
    /// `session.nonce`: the nonce of initiate sale.
    pub(crate) nonce: &'a Nonce,
    /// `session.token`: the gateway's session token.
    pub(crate) token: &'a SessionToken,
}

impl<'a> Echoes<'a> {
    /// The three values, in the order of the fields.
    pub(crate) fn new(
        invoice_id: &'a InvoiceId,
        nonce: &'a Nonce,
        token: &'a SessionToken,
    ) -> Self {
        Self {
            invoice_id,
            nonce,
            token,
        }
    }
}

/// Which echo an answer broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Echo {
    /// `invoiceId`.
    InvoiceId,
    /// `session.nonce`.
    Nonce,
    /// `session.token`.
    Token,
}

/// Every echo `answered` breaks at `step`, in the order that names a decline: `invoiceId`, `session.nonce`,
/// `session.token`.
pub(crate) fn echo_breaches(
    step: Step,
    sent: Echoes<'_>,
    answered: Echoes<'_>,
) -> Vec<(Echo, ContractViolation)> {
    // Each echo: which, its path, its rule, and the two values as shown (invoice ids masked, the rest short).
    let echoes = [
        (
            Echo::InvoiceId,
            "invoiceId",
            "must echo the sale's invoiceId",
            sent.invoice_id.as_str(),
            answered.invoice_id.as_str(),
        ),
        (
            Echo::Nonce,
            "session.nonce",
            "must echo the nonce of initiate sale",
            sent.nonce.as_str(),
            answered.nonce.as_str(),
        ),
        (
            Echo::Token,
            "session.token",
            "must echo the gateway's session token",
            sent.token.as_str(),
            answered.token.as_str(),
        ),
    ];
    echoes
        .into_iter()
        .filter(|(_, _, _, sent, answered)| sent != answered)
        .map(|(echo, path, rule, sent, answered)| {
            let shown = |value: &str| match echo {
                Echo::InvoiceId => mask_card_numbers(value),
                Echo::Nonce | Echo::Token => short(value),
            };
            (
                echo,
                violation(step, path, rule).values(shown(sent), shown(answered)),
            )
        })
        .collect()
}

/// `session.checkSignature` does not verify at `step`: what it should be over, and what came (masked).
pub(crate) fn bad_check_signature(step: Step, formula: &str, received: &str) -> ContractViolation {
    violation(step, "session.checkSignature", "does not verify")
        .values(formula, mask_card_numbers(received))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dapi::steps;
    use dapi::{PartyCause, Rule, Violations};

    #[test]
    fn card_like_digit_runs_are_masked_and_tokens_shortened() {
        assert_eq!(
            mask_card_numbers("pan 4111111111111111!"),
            "pan 411111******1111!"
        );
        assert_eq!(mask_card_numbers("9876543"), "9876543");
        assert_eq!(mask_card_numbers("INV-2024-000042"), "INV-2024-000042");
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
    fn echoes_are_checked_in_order_and_shown_masked_or_short() {
        let (invoice, other_invoice) = (
            InvoiceId::from("INV-1"),
            InvoiceId::from("4111111111111111"),
        );
        let (nonce, other_nonce) = (
            Nonce::from("n".repeat(32).as_str()),
            Nonce::from("x".repeat(32).as_str()),
        );
        let (token, other_token) = (
            SessionToken::from("t".repeat(36).as_str()),
            SessionToken::from("u".repeat(36).as_str()),
        );
        let sent = Echoes {
            invoice_id: &invoice,
            nonce: &nonce,
            token: &token,
        };
        assert!(echo_breaches(steps::CHECK_SALE_RESPONSE, sent, sent).is_empty());
        let answered = Echoes {
            invoice_id: &other_invoice,
            nonce: &other_nonce,
            token: &other_token,
        };
        let found = echo_breaches(steps::CARD_MAPPING_RESPONSE, sent, answered);
        let echoes: Vec<Echo> = found.iter().map(|(echo, _)| *echo).collect();
        assert_eq!(echoes, [Echo::InvoiceId, Echo::Nonce, Echo::Token]);
        let shown: Vec<_> = found
            .iter()
            .map(|(_, v)| (v.step, v.actual.as_deref()))
            .collect();
        assert_eq!(
            shown,
            [
                (20, Some("411111******1111")),
                (20, Some("xxxxxxxx…")),
                (20, Some("uuuuuuuu…"))
            ]
        );
    }
}
