//! The connpay-sandbox binaries and what they share: `connpay-gateway` (the fake ConnPay gateway),
//! `party-server` (the reference Connecting Party server) and `mobile-client` (the scripted app).
//!
//! Each binary is a thin `main` over this library: parse the command line, start tracing, bind, print the one
//! stdout line `listening on http://ADDR` (`https://` when serving HTTPS), serve until Ctrl-C or SIGTERM. `mobile-client run` with no URLs starts
//! the gateway and the Connecting Party server inside its own process (the embedded default).
//!
//! # Layout
//! - [`cli`]: the command lines (clap), one module per binary, each turning flags into a party's `Config`.
//! - [`embedded`]: the gateway and the Connecting Party server on free loopback ports inside one process.
//! - [`targets`]: the servers of `run` and `load`: reachable ones by URL, embedded ones for the rest.
//! - [`healthcheck`]: `connpay-gateway healthcheck` and `party-server healthcheck`, for container runtimes.
//! - [`runtime`]: tracing to stderr, the shutdown signal, binding and the readiness line.
//! - [`client`]: `mobile-client run`: loading scenarios, running them concurrently, reports and the exit code.
//! - [`catalogue`]: `mobile-client validate` and `mobile-client list`.
//! - [`deliveries`]: `mobile-client deliveries` and `mobile-client replay`, over the gateway's admin paths.
//! - [`demo`]: `mobile-client demo`: both servers on fixed ports, scenarios at a human pace, the dashboard's
//!   Play button, until Ctrl-C.
//! - [`load`]: `mobile-client load`: many flows of one scenario, with a progress bar and the load report.

pub mod catalogue;
pub mod cli;
pub mod client;
pub mod deliveries;
pub mod demo;
pub mod embedded;
pub mod healthcheck;
pub mod load;
pub mod runtime;
pub mod targets;
