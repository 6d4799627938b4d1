//! The app's own contract checks of the answers it gets, beyond decoding and validation (which
//! [`crate::app::wire::CallError::violations`] reports): echoes of what the app sent or was told. Also the
//! contract steps the app names that [`dapi::steps`] has no constant for.
//!
//! Which step a violation of each answer carries (the `step` of `[[sale.expect.violation]]`):
//!
//! | answer | step |
//! |---|---|
//! | access token (spec 3.1) | 3 |
//! | card reference, `client-card-id` (spec A24) | 4, spec 2.2's step 4 ("hands it over on request"), which spec 2.1 lacks; the app sees no other step 4 |
//! | initiate sale | 5 |
//! | perform sale | 7 |
//! | sale status, not final | 12 |
//! | sale status, final (`APPROVED`, `DECLINED`) | 22 |
//! | the 3-D Secure close page | 17 |

use dapi::Step;
use sandbox_api::ContractViolation;
use sandbox_api::Observer;

/// Spec 2.2 step 4: the card reference the party hands the app (spec A24).
pub(crate) const CARD_REFERENCE_RESPONSE: Step = Step {
    number: 4,
    name: "Card reference response",
};

/// Spec 2.1 step 22: the sale status answer with the final state.
pub(crate) const FINAL_STATUS_RESPONSE: Step = Step {
    number: 22,
    name: "Sale status response",
};

/// The rule of an echo.
pub(crate) const ECHO: &str = "must echo the value sent";

/// A violation when `actual` does not echo `expected` at `path` of the answer of `step`.
pub(crate) fn echo(
    step: Step,
    path: &str,
    expected: &str,
    actual: &str,
) -> Option<ContractViolation> {
    (expected != actual)
        .then(|| ContractViolation::new(Observer::App, step, path, ECHO).values(expected, actual))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echo_differs_or_not() {
        assert_eq!(
            echo(FINAL_STATUS_RESPONSE, "invoiceId", "INV-1", "INV-1"),
            None
        );
        let violation = echo(FINAL_STATUS_RESPONSE, "invoiceId", "INV-1", "INV-2").unwrap();
        assert_eq!(
            violation.to_string(),
            "step 22 Sale status response (seen by app): invoiceId must echo the value sent: expected \"INV-1\", got \"INV-2\""
        );
    }
}
