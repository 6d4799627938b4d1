//! Router-level tests (no socket for the gateway, `tower::ServiceExt::oneshot`) and flow tests against a tiny
//! fake Connecting Party on a loopback port. Waits are bounded by timeouts; nothing sleeps to wait.

mod contract;
mod flow;
mod party;
mod router;
mod sim;
mod support;
