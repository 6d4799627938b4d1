//! The numbering of the step log: every step the client records, by spec 2.1's number and the diagram's name.
//!
//! The protocol messages the app sends and receives are [`dapi::steps`]' own, re-exported here so that the
//! log's whole vocabulary stands in one list; the others are the client's: the card reference look-up of a
//! repeat sale, the party's side as its record tells, the consumer's part, the final status pair, and the
//! sandbox set-up. A response step is also the step its answer's contract violations carry.

use dapi::Step;

/// A step of the log that [`dapi::steps`] does not have.
const fn step(number: u8, name: &'static str) -> Step {
    Step { number, name }
}

pub(crate) use dapi::steps::{
    ACCESS_TOKEN_REQUEST, ACCESS_TOKEN_RESPONSE, CALLBACK, CARD_REFERENCE_REQUEST,
    CARD_REFERENCE_RESPONSE, CLOSE_BROWSER_REQUEST, INITIATE_SALE_REQUEST, INITIATE_SALE_RESPONSE,
    OPEN_BROWSER, PERFORM_SALE_REQUEST, PERFORM_SALE_RESPONSE, SALE_STATUS_REQUEST,
    SALE_STATUS_RESPONSE, THREE_DS_STATUS_UPDATE,
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
/// ([`crate::judge::answers::FINAL_SALE_STATUS_RESPONSE`]).
pub(crate) const FINAL_STATUS_RESPONSE: Step = step(22, "Sale status response (final)");
/// The Connecting Party server's answer to an attack the gateway sent on purpose, at the step of the answer
/// (9, 20 or 24), as the gateway's record tells it.
pub(crate) fn attack_answer(number: u8) -> Step {
    step(number, "Answer to the gateway's attack")
}

/// Not a diagram step (hence 0): the sandbox set-up that makes a server misbehave for one sale.
pub(crate) const MISBEHAVE: Step = step(0, "Sandbox misbehaviour");
