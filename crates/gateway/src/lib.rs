//! The fake ConnPay (Payneteasy "DAPI") gateway of connpay-sandbox: perform sale, sale status, a simulated
//! 3-D Secure page, and the gateway's calls to the Connecting Party server (check sale, card mapping
//! notification, final-status callback). Section numbers ("spec 3.4") refer to `dapi-sale.md`.
//!
//! It checks its peers: every rule the Connecting Party's answers (check sale, notification, callback) or the
//! app's perform sale break is recorded per sale as a [`dapi::ContractViolation`] seen by the gateway, while the
//! sale still ends as the real gateway would end it. The sandbox-only routes `GET /sim/sales/{endpointId}/{invoiceId}`
//! ([`dapi::sim::GatewaySaleRecord`]) and `POST …/misbehave` ([`dapi::sim::GatewayMisbehaviour`]) expose the record
//! and make the gateway misbehave on purpose in one sale, so a scripted run can tell a CI exactly what broke.
//!
//! The caller binds, picks the shutdown and builds the [`Config`]; the library reads no environment and installs
//! no global, so several parties can share one process:
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let public_url = format!("http://{}", listener.local_addr()?);
//! let state = gateway::AppState::new(gateway::Config::sandbox(&public_url, "http://127.0.0.1:8081"));
//! gateway::serve(listener, state, async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```
//!
//! # Layout
//! - [`config`]: [`Config`], [`EndpointConfig`], [`Timings`], [`Retry`], the TOML format ([`Config::from_toml`]).
//! - `state`: [`AppState`], the maps of sales, invoices, cards, violations and misbehaviours, touched only in
//!   synchronous methods.
//! - `sale`: one sale and its state machine (spec 3.5); `outcome`: the CVV triggers (spec 6).
//! - `perform`: perform sale's checks (spec 3.3); `error`: the error enums and their wire form.
//! - `flow`: the tracked jobs after perform sale: check sale, processing, 3-D Secure, notification, callback.
//! - `party`: the HTTP client towards the Connecting Party.
//! - `record`: the contract violations per sale (masked, bounded) and the sale record; `misbehave`: misbehaviour
//!   on purpose per sale, in a bounded map.
//! - `routes`: the DAPI routes, the `/sim/3ds` pages and the `/sim/sales` record and misbehaviour routes; `html`:
//!   the pages.

pub mod config;
mod error;
mod flow;
mod html;
mod misbehave;
mod outcome;
mod party;
mod perform;
mod record;
mod routes;
mod sale;
mod state;

#[cfg(test)]
mod tests;

pub use config::{Config, ConfigError, EndpointConfig, Retry, Timings};
pub use flow::DeadLetter;
pub use state::AppState;

use axum::Router;
use dapi::PerformSaleCause;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// How long [`serve`] waits for outbound deliveries after the server stopped.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The gateway's routes: perform sale and sale status under the DAPI prefix, the sandbox's `/sim/3ds` pages and
/// `/sim/sales` routes, `/health`, JSON error bodies for bad input, unknown paths and methods.
pub fn router(state: AppState) -> Router {
    let limits = state.config().limits;
    let app = routes::app(&state);
    server_kit::with_common_layers(app, limits, PerformSaleCause::InvalidRequest)
        // An outer span naming the party, for logs of three parties in one process; events come from the inner one.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    tracing::info_span!("gateway", method = %request.method(), path = %request.uri().path())
                })
                .on_request(())
                .on_response(())
                .on_failure(()),
        )
        .with_state(state)
}

/// Serves the gateway until `shutdown` resolves, then waits a few seconds for outbound deliveries (check sale,
/// notification, callback) and logs, at error level, how many were cut off.
///
/// # Errors
/// When accepting connections fails.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let served = server_kit::serve(listener, router(state.clone()), shutdown).await;
    state.shutdown(SHUTDOWN_GRACE).await;
    served
}
