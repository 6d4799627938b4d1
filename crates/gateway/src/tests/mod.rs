//! Router-level tests (no socket for the gateway, `tower::ServiceExt::oneshot`) and flow tests against a tiny
//! fake Connecting Party on a loopback port. Waits are bounded by timeouts; nothing sleeps to wait.

mod admin;
mod consistency;
mod contract;
mod deliveries;
mod flow;
mod party;
mod retention;
mod router;
mod sim;
mod support;
