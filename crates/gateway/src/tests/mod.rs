//! The gateway through its router (no socket for the gateway, `tower::ServiceExt::oneshot`) against a tiny fake
//! Connecting Party on a loopback port, one file per concept. Waits are bounded by timeouts; nothing sleeps to
//! wait.
//!
//! - `sale_life`: a sale from perform to callback — check sale, notification, 3-D Secure, CVV triggers.
//! - `attacks`: the attack pack — each attack beside the sale's own message, its answer kept, violations.
//! - `leftovers`: the random-sum check, card data in a check answer, the e-mail rule's two halves, the re-sent
//!   notification of a repeat sale, the currency the sandbox endpoint does not take.
//! - `bad_input`: every bad-input class of perform sale, sale status and the 3-D Secure pages.
//! - `status_races`: sale status polled while sales change state.
//! - `violations`: the contract violations recorded for each breach of the fake party.
//! - `deliveries`: the delivery mechanism (schedule, dead letters, replay, shutdown).
//! - `store_bounds`: the caps on sales.
//! - `sandbox`: the control plane — records, misbehaviour, the delivery log routes, the latency fault.
//! - `party` (the fake Connecting Party) and `support` (requests and bounded waits).

mod attacks;
mod bad_input;
mod deliveries;
mod leftovers;
mod party;
mod sale_life;
mod sandbox;
mod status_races;
mod store_bounds;
mod support;
mod violations;
