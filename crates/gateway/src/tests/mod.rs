//! The gateway through its router (no socket for the gateway, `tower::ServiceExt::oneshot`) against the real
//! reference Connecting Party server (`party`, a dev-dependency) on a loopback port, one file per concept. Its
//! wrong answers are its own per-sale misbehaviour, set through its `/sim` API. Waits are bounded by timeouts;
//! nothing sleeps to wait.
//!
//! - `sale_life`: a sale from perform to callback — check sale, notification, 3-D Secure, CVV triggers.
//! - `attacks`: the attack pack — each attack beside the sale's own message, its answer kept, violations.
//! - `leftovers`: the random-sum check, card data in a check answer, the e-mail rule's two halves, the re-sent
//!   notification of a repeat sale, the currency the sandbox endpoint does not take.
//! - `bad_input`: every bad-input class of perform sale, sale status and the 3-D Secure pages.
//! - `status_races`: sale status polled while sales change state.
//! - `violations`: the contract violations recorded for each breach the party commits on purpose.
//! - `deliveries`: the delivery mechanism (schedule, dead letters, replay, shutdown).
//! - `store_bounds`: the caps on sales.
//! - `control_plane`: the sandbox token, the control plane switched off, the delivery list's pages.
//! - `restart`: state that survives a restart (data directory), ids that never repeat (without one).
//! - `timer_bounds`: timers die with their sale.
//! - `outbound_paths`: ids from a path cannot re-route a call to the Connecting Party.
//! - `journal`: the message journal — entries, masking, links from violations and attempts, the query.
//! - `dashboard`: the dashboard pages — list, sale page, replay, escaping, its own assets.
//! - `sandbox`: the control plane — records, misbehaviour, the delivery log routes, the latency fault.
//! - `verification`: a card verification's life and a repeat sale by the card it mapped;
//!   `verification_bad_input`: its bad input.
//! - `reference_party` (the real party on a free port, its sales, settings and events) and `support` (sale
//!   terms, requests, bounded waits and what the gateway sent).

mod attacks;
mod bad_input;
mod control_plane;
mod dashboard;
mod deliveries;
mod journal;
mod leftovers;
mod outbound_paths;
mod reference_party;
mod restart;
mod sale_life;
mod sandbox;
mod status_races;
mod store_bounds;
mod support;
mod timer_bounds;
mod verification;
mod verification_bad_input;
mod violations;
