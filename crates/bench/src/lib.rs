//! Benchmarks of connpay-sandbox, run by `bench/run.sh` and reported in `BENCHMARKS.md`.
//!
//! # Layout
//! - `benches/dapi.rs`: `cargo bench -p bench`, micro-benchmarks (divan) of signatures, validation and JSON
//!   decoding of the perform sale request.
//! - `src/bin/bench-floor.rs`: the floor, an axum hello handler with nothing else, to compare the gateway with.
//! - `src/bin/bench-probe.rs`: what the script measures with: cold start of a server binary to its first 200,
//!   opening one sale for status polling, and a fast loop of sales to fill the gateway's memory.
//! - this file: [`PERFORM_SAMPLE`], the spec's perform sale request, shared by the benches.

/// The spec's perform sale request sample (spec 3.3), as the gateway receives it.
pub const PERFORM_SAMPLE: &str = r#"{"consumer":{"device":{"serialNumber":"SN-ANDROID-0001"},"email":"jane@example.com"},"session":{"accessToken":"a3f1c2d4e5b60718293a4b5c6d7e8f90","nonce":"7f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60","signature":"2C692B7CBF744A6258EE6AE324A00797D6A2AE9A"},"sourceOfFunds":{"card":{"number":"4111111111111111","securityCode":"321","expiry":{"month":12,"year":2030},"holder":{"printedName":"JANE DOE"}}},"transaction":{"amountCentis":1050,"currency":"EUR"}}"#;
