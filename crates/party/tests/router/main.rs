//! Router-level tests of the reference Connecting Party server: requests go through `party::router` with
//! `tower::ServiceExt::oneshot`, no socket. `support` builds requests and reads answers; `flow` walks the whole
//! happy path (first sale, notification, callback, repeat sale); `refusals` and `lookups` cover every class of
//! refused request; `check_misbehaviour` and `notification_misbehaviour` (with the callback) each wrong answer
//! set on purpose, `misbehave_route` the route that sets them; `faults` each per-sale fault; `bounds` the
//! server-wide seeded faults and the caps; `violations` what the server records about the gateway's messages; `dashboard` the message journal and the dashboard; `control_plane` the sandbox token and
//! the control plane switched off; `restart` the state kept in a data directory; `verification` the card
//! verification flow and its refusals across flows.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod bounds;
mod check_misbehaviour;
mod control_plane;
mod dashboard;
mod faults;
mod flow;
mod lookups;
mod misbehave_route;
mod notification_misbehaviour;
mod refusals;
mod restart;
mod serving;
mod support;
mod verification;
mod violations;
