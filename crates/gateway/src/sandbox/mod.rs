//! The sandbox's control plane: everything the gateway does that a real gateway would not, kept apart from the
//! protocol, which computes the correct answer and knows nothing of it.
//!
//! - [`controls`]: the settings per sale — misbehaviour on purpose and faults — in a bounded map.
//! - [`latency`]: the latency fault, a layer that holds back the answers of perform sale and sale status.
//! - [`tamper`]: deliveries bent on purpose (a callback's wrong `control`), planned once when a delivery opens.
//! - [`attack`]: the attack pack, messages a Connecting Party server must refuse, sent beside the sale's own (a
//!   check sale just before the real one, a notification or callback around the real delivery), and the answers
//!   kept for the sale's record.
//! - [`routes`]: `/sim/sales/…` (a sale's record, its misbehaviour) and `/sim/deliveries…` (the delivery log,
//!   replay).
//!
//! [`install`] puts the control routes and the layer around the protocol routes in one call, as the
//! configuration's [`server_kit::ControlPlane`] says: open, protected by a token (every `/sim` write and the
//! delivery list need `Authorization: Bearer TOKEN`; a sale's record stays readable by whoever knows its ids), or
//! off. A gateway without it has no `/sim/sales` or `/sim/deliveries` routes (404 like any unknown path), never
//! holds an answer back, and, since nothing can set a misbehaviour, never plans a deviation. The simulated
//! 3-D Secure pages (`/sim/3ds/…`) are not part of it: they are the bank a sale needs.

pub(crate) mod attack;
pub(crate) mod controls;
pub(crate) mod journal;
pub(crate) mod latency;
pub(crate) mod routes;
pub(crate) mod tamper;

pub(crate) use controls::Controls;
pub(crate) use tamper::Tamper;

use crate::state::AppState;
use axum::Router;
use axum::middleware::from_fn_with_state;

/// The protocol routes with the sandbox around them: the latency layer on every protocol route (it acts only on
/// those naming a sale by endpoint and invoice), then the control routes beside them; the protocol alone when
/// the control plane is off.
pub(crate) fn install(protocol: Router<AppState>, state: &AppState) -> Router<AppState> {
    let plane = &state.config().control_plane;
    if !plane.is_on() {
        return protocol;
    }
    protocol
        .route_layer(from_fn_with_state(state.clone(), latency::hold_back))
        .merge(routes::router(plane))
        .merge(crate::dashboard::router(
            plane,
            state.config().transport.tls.is_some(),
        ))
}
