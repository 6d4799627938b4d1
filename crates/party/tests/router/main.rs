//! Router-level tests of the reference Connecting Party server: requests go through `party::router` with
//! `tower::ServiceExt::oneshot`, no socket. `support` builds requests and reads answers; `flow` walks the whole
//! happy path (first sale, notification, callback, repeat sale); `refusals` and `lookups` cover every class of refused request.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod flow;
mod lookups;
mod refusals;
mod serving;
mod support;
