//! The reference Connecting Party server (the merchant's server) of the ConnPay DAPI sandbox: it issues access
//! tokens to the app, creates and signs sales, answers the gateway's check sale and card mapping notification,
//! and records the final-status callback. Section numbers ("spec 3.4") refer to `dapi-sale.md`.
//!
//! A library: the caller builds a [`Config`], binds a listener and picks the shutdown signal, so several
//! parties can share one process; nothing here reads the environment or installs a global.
//!
//! It checks its peer too: every rule the gateway's messages break (check sale, step 8; card mapping
//! notification, step 19; callback, step 23) is recorded on the sale as a [`dapi::ContractViolation`] seen by
//! the party (at most [`MAX_VIOLATIONS_PER_SALE`]), and shown in the sale's record; the answers stay the
//! documented ones.
//!
//! Routes (all errors are `ErrorBody<PartyCause>`; 400 schema, 403 authentication, 404 unknown sandbox resource):
//! - `GET|POST /auth/request-access-token`: spec 3.1.
//! - `POST /sale/initiate-sale`: spec 3.2.
//! - `POST /sale/{invoiceId}/check`: spec 3.4.
//! - `POST /sale/notification`: spec 3.7.
//! - `POST /sale/{invoiceId}/client-card-id`: spec A24.
//! - `GET /callback`: spec 3.8.
//! - `GET /sim/sales/{invoiceId}`: sandbox only, [`dapi::sim::PartySaleRecord`] with the violations seen.
//! - `POST /sim/sales/{invoiceId}/misbehave`: sandbox only, a [`dapi::sim::PartyMisbehaviour`] body; answers
//!   it back as stored (`{}` resets). From then on this sale alone gets wrong check sale answers
//!   (`wrong-check-signature`, `wrong-nonce`, `missing-server-card-id`, `filtered` 400, `server-failed` 500,
//!   `http-500` with a plain-text body, `slow` after `delayMs`) or notification answers (`refuse` 400,
//!   `wrong-check-signature`) in place of its correct 200 answers; refusals stay as they are.
//! - `GET /health`.
//!
//! # Layout
//! - [`config`][]: [`Config`].
//! - `state`: [`AppState`] (the maps, touched only in synchronous methods) and [`PartyEvent`].
//! - `auth`: access tokens and their device binding.
//! - `sale`: the stored sale, its signatures, initiate and check sale.
//! - `mapping`: card mapping notification and the client card id look-up.
//! - `callback`: callback verification and de-duplication.
//! - `observe`: the contract violations seen in the gateway's messages, bounded per sale.
//! - `misbehave`: misbehaviour on purpose, per sale (sandbox only).
//! - `error`: one error enum per route, mapped to status, cause and code.
//! - `routes`: one file per resource; handlers extract, delegate and map.

mod auth;
mod callback;
pub mod config;
mod error;
mod mapping;
mod misbehave;
mod observe;
mod routes;
mod sale;
mod state;

pub use config::Config;
pub use observe::MAX_VIOLATIONS_PER_SALE;
pub use state::{AppState, PartyEvent};

use dapi::PartyCause;
use std::future::Future;
use tokio::net::TcpListener;

/// The server's routes with the common layers (`/health`, body limit, tracing, JSON 404/405).
pub fn router(state: AppState) -> axum::Router {
    let limits = state.config().limits;
    server_kit::with_common_layers(routes::router(), limits, PartyCause::InvalidRequest)
        .with_state(state)
}

/// Serves the router on `listener` until `shutdown` resolves, then lets in-flight requests finish.
/// The server sends nothing on its own, so there are no outbound tasks to drain.
///
/// # Errors
/// When accepting connections fails.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server_kit::serve(listener, router(state), shutdown).await
}
