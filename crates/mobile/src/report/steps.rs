//! The numbering of the step log: every step the client records, by spec 2.1's number and the diagram's name
//! (the card verification's, addendum §1, numbered alike).
//!
//! The protocol messages the app sends and receives are [`dapi::steps`]' own, re-exported here so that the
//! log's whole vocabulary stands in one list; the others are the client's: the card reference look-up of a
//! repeat sale, the party's side as its record tells, the consumer's part, the final status pair, and the
//! sandbox set-up. A response step is also the step its answer's contract violations carry. [`of`] gives a
//! flow's own steps by their role, for the code both flows share.

use dapi::{Flow, Step};

/// A step of the log that [`dapi::steps`] does not have.
const fn step(number: u8, name: &'static str) -> Step {
    Step { number, name }
}

pub(crate) use dapi::steps::{
    ACCESS_TOKEN_REQUEST, ACCESS_TOKEN_RESPONSE, CALLBACK, CARD_REFERENCE_REQUEST,
    CARD_REFERENCE_RESPONSE, CLOSE_BROWSER_REQUEST, INITIATE_SALE_REQUEST, INITIATE_SALE_RESPONSE,
    INITIATE_VERIFICATION_REQUEST, INITIATE_VERIFICATION_RESPONSE, OPEN_BROWSER,
    PERFORM_SALE_REQUEST, PERFORM_SALE_RESPONSE, PERFORM_VALIDATION_REQUEST,
    PERFORM_VALIDATION_RESPONSE, SALE_STATUS_REQUEST, SALE_STATUS_RESPONSE, THREE_DS_STATUS_UPDATE,
    VERIFICATION_STATUS_REQUEST, VERIFICATION_STATUS_RESPONSE,
};

/// Spec 2.1 steps 8–9, observed at the party.
pub(crate) const CHECK_SALE: Step = step(8, "Check sale");
/// Spec 2.1 step 15.
pub(crate) const ENTER_3DS_DATA: Step = step(15, "Consumer enters 3-D Secure data");
/// Spec 2.1 steps 19–20, observed at the party.
pub(crate) const CARD_MAPPING: Step = step(19, "Card mapping notification");
/// Spec 2.1 step 21.
pub(crate) const FINAL_STATUS_REQUEST: Step = step(21, "Sale status request");
/// Spec 2.1 step 22 in the log; its contract violations name it `Sale status response`
/// ([`crate::judge::answers::final_status_response`]).
pub(crate) const FINAL_STATUS_RESPONSE: Step = step(22, "Sale status response (final)");
/// The Connecting Party server's answer to an attack the gateway sent on purpose, at the step of the answer
/// (9, 20 or 24), as the gateway's record tells it.
pub(crate) fn attack_answer(number: u8) -> Step {
    step(number, "Answer to the gateway's attack")
}

/// Not a diagram step (hence 0): the sandbox set-up that makes a server misbehave for one sale.
pub(crate) const MISBEHAVE: Step = step(0, "Sandbox misbehaviour");
/// Verification steps 8–9, observed at the party.
pub(crate) const CHECK_VERIFICATION: Step = step(8, "Check verification");
/// Verification steps 19–20, observed at the party.
pub(crate) const VERIFICATION_CARD_MAPPING: Step =
    step(19, "Verification card mapping notification");
/// Verification step 21.
pub(crate) const FINAL_VERIFICATION_STATUS_REQUEST: Step = step(21, "Verification status request");
/// Verification step 22 in the log; its contract violations name it `Verification status response`.
pub(crate) const FINAL_VERIFICATION_STATUS_RESPONSE: Step =
    step(22, "Verification status response (final)");

/// One flow's steps of the log, by their role.
pub(crate) struct FlowSteps {
    /// Step 7 (the request pairs of steps 4–7 are `app::exchange`'s).
    pub(crate) perform_response: Step,
    /// Steps 11–12.
    pub(crate) status_request: Step,
    pub(crate) status_response: Step,
    /// Steps 21–22.
    pub(crate) final_status_request: Step,
    pub(crate) final_status_response: Step,
    /// Steps 8–9 and 19–20, observed at the party.
    pub(crate) check: Step,
    pub(crate) card_mapping: Step,
}

/// The sale's steps.
pub(crate) const SALE: FlowSteps = FlowSteps {
    perform_response: PERFORM_SALE_RESPONSE,
    status_request: SALE_STATUS_REQUEST,
    status_response: SALE_STATUS_RESPONSE,
    final_status_request: FINAL_STATUS_REQUEST,
    final_status_response: FINAL_STATUS_RESPONSE,
    check: CHECK_SALE,
    card_mapping: CARD_MAPPING,
};

/// The card verification's steps (addendum §1).
pub(crate) const VERIFICATION: FlowSteps = FlowSteps {
    perform_response: PERFORM_VALIDATION_RESPONSE,
    status_request: VERIFICATION_STATUS_REQUEST,
    status_response: VERIFICATION_STATUS_RESPONSE,
    final_status_request: FINAL_VERIFICATION_STATUS_REQUEST,
    final_status_response: FINAL_VERIFICATION_STATUS_RESPONSE,
    check: CHECK_VERIFICATION,
    card_mapping: VERIFICATION_CARD_MAPPING,
};

/// The steps of `flow`.
pub(crate) fn of(flow: Flow) -> &'static FlowSteps {
    match flow {
        Flow::Sale => &SALE,
        Flow::Verification => &VERIFICATION,
    }
}

/// Both flows' steps, for readers of a log that may hold either.
pub(crate) const FLOWS: [&FlowSteps; 2] = [&SALE, &VERIFICATION];
