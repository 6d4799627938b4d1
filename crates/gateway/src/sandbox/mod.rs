//! The sandbox's control plane: everything the gateway does that a real gateway would not, kept apart from the
//! protocol, which computes the correct answer and knows nothing of it.
//!
//! - [`controls`]: the settings per sale — misbehaviour on purpose and faults — in a bounded map.
//! - [`latency`]: the latency fault, a layer that holds back the answers of perform sale and sale status.
//! - [`tamper`]: deliveries bent on purpose (a callback's wrong `control`), planned once when a delivery opens.
//! - [`routes`]: `/sim/sales/…` (a sale's record, its misbehaviour) and `/sim/deliveries…` (the delivery log,
//!   replay).
//!
//! [`install`] puts the control routes and the layer around the protocol routes in one call: a gateway built
//! without it has no `/sim/sales` or `/sim/deliveries` routes, never holds an answer back, and, since nothing can
//! set a misbehaviour, never plans a deviation. The simulated 3-D Secure pages (`/sim/3ds/…`) are not part of it:
//! they are the bank a sale needs.

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
/// those naming a sale by endpoint and invoice), then the control routes beside them.
pub(crate) fn install(protocol: Router<AppState>, state: &AppState) -> Router<AppState> {
    protocol
        .route_layer(from_fn_with_state(state.clone(), latency::hold_back))
        .merge(routes::router())
        .merge(crate::dashboard::router())
}
