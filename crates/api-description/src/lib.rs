//! OpenAPI 3.1 descriptions of the ConnPay DAPI as the sandbox speaks it, generated from the very `dapi` and
//! `sandbox-api` types the parties use (their `schemars` JSON Schemas, with the spec's lengths), with the
//! spec's samples (`dapi::samples`) as examples.
//!
//! This crate holds what both servers' documents share: the document model, the schemas, the Connecting
//! Party API (a merchant's server: paths in the party's document, `webhooks` in the gateway's) and the gateway's
//! DAPI. Each server adds its own sandbox routes and serves the result at `GET /openapi.json`
//! (the `openapi` module of `gateway` and of `party`); the committed copies are `docs/openapi/*.json`.
//!
//! # Layout
//! - [`model`]: the OpenAPI objects, typed.
//! - [`schemas`]: [`Schemas`], the components, and the rewrites that make them read well.
//! - [`describe`]: building an [`Operation`] from types and samples.
//! - [`connecting_party`]: the Connecting Party API.
//! - [`gateway`]: perform sale and sale status.
//! - [`journal`]: `GET /sim/journal` and the dashboard's entry points, alike on both servers.
//! - [`verification`]: the card verification's operations in both documents (addendum §2).
//! - [`server`]: `/health`, `/openapi.json`, `info`.

pub mod connecting_party;
pub mod describe;
pub mod gateway;
pub mod journal;
pub mod model;
pub mod schemas;
pub mod server;
pub mod verification;

pub use model::{Document, Operation, PathItem, Server, Tag};
pub use schemas::Schemas;
