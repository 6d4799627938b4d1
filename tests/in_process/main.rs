//! In-process end-to-end tests: the gateway, the Connecting Party server and the mobile client as libraries in
//! one process, talking real HTTP on loopback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod attacks;
mod bad_input;
mod https;
mod openapi;
mod races;
mod reliability;
mod scenarios;
mod verdicts;
mod verification;
