//! The gateway through its router (no socket for the gateway, `tower::ServiceExt::oneshot`) against a tiny fake
//! Connecting Party on a loopback port, one file per concept. Waits are bounded by timeouts; nothing sleeps to
//! wait.
//!
//! - `sale_life`: a sale from perform to callback — check sale, notification, 3-D Secure, CVV triggers.
//! - `bad_input`: every bad-input class of perform sale, sale status and the 3-D Secure pages.
//! - `status_races`: sale status polled while sales change state.
//! - `violations`: the contract violations recorded for each breach of the fake party.
//! - `deliveries`: the delivery mechanism (schedule, dead letters, replay, shutdown).
//! - `store_bounds`: the caps on sales.
//! - `control_plane`: the sandbox token, the control plane switched off, the delivery list's pages.
//! - `restart`: state that survives a restart (data directory), ids that never repeat (without one).
//! - `timer_bounds`: timers die with their sale.
//! - `outbound_paths`: ids from a path cannot re-route a call to the Connecting Party.
//! - `sandbox`: the control plane — records, misbehaviour, the delivery log routes, the latency fault.
//! - `party` (the fake Connecting Party) and `support` (requests and bounded waits).

mod bad_input;
mod control_plane;
mod deliveries;
mod outbound_paths;
mod party;
mod restart;
mod sale_life;
mod sandbox;
mod status_races;
mod store_bounds;
mod support;
mod timer_bounds;
mod violations;
