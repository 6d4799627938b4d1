//! The app's own contract checks of the answers it gets, beyond decoding and validation (which
//! [`crate::app::wire::CallError::violations`] reports): the spec rules a sale status answer breaks, and
//! the echoes of what the app sent or was told. Each is a [`ContractViolation`] seen by the app.
//!
//! Which step a violation of each answer carries (the `step` of `[[sale.expect.violation]]`): the answer's
//! response step in the step log ([`crate::report::steps`]), except the final sale status.
//!
//! | answer | step |
//! |---|---|
//! | access token (spec 3.1) | 3 |
//! | card reference, `client-card-id` (spec A24) | 4, spec 2.2's step 4 ("hands it over on request"), which spec 2.1 lacks; the app sees no other step 4 |
//! | initiate sale | 5 |
//! | perform sale | 7 |
//! | sale status, not final | 12 |
//! | sale status, final (`APPROVED`, `DECLINED`) | 22 ([`final_status_response`]) |
//! | a verification's: initiate, perform validation, status | 5, 7, 12 and 22, named as the verification's |
//! | the 3-D Secure close page | 17 |

use dapi::messages::status::SaleStatusResponse;
use dapi::{Flow, InvoiceId, Step, Violations};
use sandbox_api::ContractViolation;
use sandbox_api::Observer;
use sandbox_api::text::short;

use crate::app::GatewaySale;

/// Step 22 of `flow`: its status answer with the final state, as its violations name it.
pub(crate) fn final_status_response(flow: Flow) -> Step {
    Step {
        number: 22,
        ..flow.steps().status_response
    }
}

/// The rule of an echo.
const ECHO: &str = "must echo the value sent";

/// A violation when `actual` does not echo `expected` at `path` of the answer of `step`.
fn echo(step: Step, path: &str, expected: &str, actual: &str) -> Option<ContractViolation> {
    (expected != actual)
        .then(|| ContractViolation::new(Observer::App, step, path, ECHO).values(expected, actual))
}

/// A violation when the answer of `step` does not echo the sale's `invoiceId`.
pub(crate) fn invoice_echo(
    step: Step,
    expected: &InvoiceId,
    actual: &InvoiceId,
) -> Option<ContractViolation> {
    echo(step, "invoiceId", expected.as_str(), actual.as_str())
}

/// The broken rules (`violations`) and echoes of one sale status answer, at step 12, or 22 when final.
pub(crate) fn status_answer(
    sale: &GatewaySale,
    status: &SaleStatusResponse,
    violations: &Violations,
) -> Vec<ContractViolation> {
    let step = if status.state.is_final() {
        final_status_response(sale.flow)
    } else {
        sale.flow.steps().status_response
    };
    let mut found = ContractViolation::from_violations(Observer::App, step, violations);
    found.extend(invoice_echo(step, &sale.invoice_id, &status.invoice_id));
    let (token, echoed) = (sale.token.as_str(), status.session.token.as_str());
    if token != echoed {
        // Shown short, as tokens are everywhere in reports (even when the short forms look alike).
        let violation = ContractViolation::new(Observer::App, step, "session.token", ECHO)
            .values(short(token), short(echoed));
        found.push(violation);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echo_differs_or_not() {
        let (one, two) = (InvoiceId::from("INV-1"), InvoiceId::from("INV-2"));
        assert_eq!(
            invoice_echo(final_status_response(Flow::Sale), &one, &one),
            None
        );
        let violation = invoice_echo(final_status_response(Flow::Sale), &one, &two).unwrap();
        assert_eq!(
            violation.to_string(),
            "step 22 Sale status response (seen by app): invoiceId must echo the value sent: expected \"INV-1\", got \"INV-2\""
        );
    }
}
