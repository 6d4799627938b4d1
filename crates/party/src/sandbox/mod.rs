//! The sandbox's own machinery, kept apart from the protocol: what a reference server does that a real one does
//! not. The protocol code (`crate::routes`, `crate::sale`, `crate::mapping`, `crate::callback`) computes the
//! correct answer and knows nothing of what happens here.
//!
//! - Controls, installed by [`install`] (one switch for the whole control plane, `Config::control_plane`): the `/sim` routes and one
//!   middleware around the protocol routes that applies each sale's settings, keyed by invoice id in the
//!   sandbox's own bounded map ([`Controls`]): misbehaviour (a wrong answer on purpose), faults (a refused
//!   attempt, per sale or server-wide, [`Faults`]) and latency.
//! - Observation, always on: the contract violations the gateway's messages break, whose rules are in
//!   `observe` and which the protocol records on the sale where it learns something (`record`), and the record
//!   served at `GET /sim/sales/{invoiceId}`.
//!
//! # Layout
//! - `edge`: the middleware, dispatching by route, and what its parts share.
//! - `check`, `notification`, `callback`: one part per bent message.
//! - `controls`: [`Controls`], the per-sale settings and attempt counters, and the `misbehave` body.
//! - `faults`: [`Faults`], [`FaultStats`] and the seeded generator.
//! - `wrong`: the wrong values of wrong answers.
//! - `refusal`: the error answers given on purpose.
//! - `observe`: the rules of the contract violations.
//! - `record`: the violation log and the sale's record.
//! - `routes`: the `/sim` routes.
//! - `dashboard`: the server's dashboard at `/`.
//! - `journal`: the message journal's steps per route, whose sale an exchange is, `GET /sim/journal`.

mod callback;
mod check;
mod controls;
mod dashboard;
mod edge;
mod faults;
pub(crate) mod journal;
mod notification;
pub(crate) mod observe;
#[cfg(test)]
mod plane_tests;
mod record;
mod refusal;
mod routes;
mod wrong;

pub(crate) use controls::Controls;
pub use faults::{FaultStats, Faults};
pub use record::MAX_VIOLATIONS_PER_SALE;
pub(crate) use record::ViolationLog;

use crate::store::AppState;
use axum::Router;

/// The protocol routes with the sandbox's controls: its middleware around them, and the `/sim` routes beside
/// them, as the configuration's [`server_kit::ControlPlane`] says (a token guards the `misbehave` write). With the
/// control plane off the server is the protocol alone, plus the observer that publishes
/// [`crate::PartyEvent::Checked`], which the controls' middleware publishes otherwise.
pub(crate) fn install(protocol: Router<AppState>, state: &AppState) -> Router<AppState> {
    let plane = &state.config().control_plane;
    if !plane.is_on() {
        let observer = axum::middleware::from_fn_with_state(state.clone(), edge::observe_only);
        return protocol.route_layer(observer);
    }
    let edge = axum::middleware::from_fn_with_state(state.clone(), edge::around);
    let secure = state.config().transport.tls.is_some();
    protocol
        .route_layer(edge)
        .merge(routes::router(plane))
        .merge(dashboard::router(plane, secure))
}
