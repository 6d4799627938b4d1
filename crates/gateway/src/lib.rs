//! The fake ConnPay (Payneteasy "DAPI") gateway of connpay-sandbox: perform sale, sale status, a simulated
//! 3-D Secure page, and the gateway's calls to the Connecting Party server (check sale, card mapping
//! notification, final-status callback); and the card verification beside them: perform validation and
//! verification status under the same prefix, check verification, the verification card mapping notification
//! and its callback (`type=account-verification`, `amount=0.00`). Section numbers ("spec 3.4") refer to
//! `dapi-sale.md`, "addendum §2.3" and "V9" to `dapi-verification.md`.
//!
//! It checks its peers: every rule the Connecting Party's answers (check sale, notification, callback) or the
//! app's perform sale break is recorded per sale as a [`sandbox_api::ContractViolation`] seen by the gateway, while the
//! sale still ends as the real gateway would end it. The sandbox-only routes `GET /sim/sales/{endpointId}/{invoiceId}`
//! ([`sandbox_api::GatewaySaleRecord`]) and `POST …/misbehave` ([`sandbox_api::GatewayMisbehaviour`]) expose the record
//! and make the gateway misbehave on purpose in one sale, so a scripted run can tell a CI exactly what broke.
//!
//! # Reliability
//! - **Deliveries** (`delivery`): the card mapping notification and the final-status callback are delivered at
//!   least once, retried on their schedules ([`Timings::notification_retry`], 3 attempts, before the sale shows
//!   `APPROVED` and never changing its outcome; [`Timings::callback_retry`], 30 attempts, once the sale is final)
//!   while the Connecting Party refuses (non-2xx), exceeds [`Timings::outbound_timeout`] or is down. Every attempt
//!   is logged and kept in a [`sandbox_api::DeliveryRecord`]; after the last one the delivery is dead-lettered
//!   (logged at error) and kept. Sandbox-only: `GET /sim/deliveries` (optional `invoiceId=`,
//!   `state=pending|delivered|dead-lettered`) lists them ([`AppState::deliveries`]), `POST
//!   /sim/deliveries/{id}/replay` sends one again now, 202 with the record ([`AppState::replay`]). Attempts run in
//!   tracked jobs, never in a request handler.
//! - **Faults**: `latencyMs` set through `POST /sim/sales/{endpointId}/{invoiceId}/misbehave` holds back the
//!   gateway's answers to that sale's perform sale and sale status (a layer of `sandbox`, sleeping with no guard
//!   held).
//! - **Timeouts** ([`server_kit::Timeouts`] in [`Config::transport`]): a connection must send a complete request
//!   head within the header-read timeout (10 s) and a kept-alive one its next request within the idle timeout
//!   (60 s); a request not answered within the request timeout (60 s) gets 408 with the error body.
//! - **Shutdown**, bounded by 15 s whatever is armed: [`serve`] stops accepting, lets in-flight requests finish
//!   for up to [`server_kit::Timeouts::drain`] (5 s; a latency fault longer than that is cut off), then waits up
//!   to 5 s for the outbound jobs and cancels the timers; each delivery still pending after that is logged at
//!   error, one line each (id, kind, invoiceId, attempts so far), and stays pending in the log (and in the data
//!   directory, to resume at the next start, whose file is closed within a further 5 s).
//! - **Restarts**: [`AppState::with_data_dir`] keeps sales, cards, the delivery log and the counters in
//!   `gateway.redb`; nothing acknowledged is lost, `kill -9` included, and unfinished work is picked up at start
//!   (`persist`, docs/decisions.md). Without it, ids still never repeat across boots.
//! - **Control plane**: open, protected by a token, or off ([`Config::control_plane`]).
//! - **Consistent status**: a sale's status body is built under one guard from one state (`sale`), so a poll never
//!   sees `REDIRECT_REQUEST` without its `redirectUrl` or a final state without `bankOrderId`, and a final state
//!   never changes.
//!
//! # Bounds
//! Nothing grows without limit; no queue is unbounded.
//! - Sales (with their contract violations, at most 50 each): at most [`Config::max_sales`] (default 100 000).
//!   Past it the oldest *settled* sale (final, its callback in the delivery log and not pending) is forgotten; a
//!   sale in progress or being called back never is, and a perform that finds none to forget gets 503
//!   `INTERNAL_ERROR` (`store`).
//! - Cards issued (`serverCardId` registry): at most `max_sales`, oldest first.
//! - Delivery log: at most 2 × `max_sales` records and at most [`DELIVERY_LOG_CAP`] (20 000); past it the oldest
//!   delivered record goes first, then the oldest dead letter; a pending record never goes (pending ones are
//!   bounded by the running jobs).
//! - Running jobs: per kept sale, its current step (check sale, authorisation with the notification, or the
//!   callback) and at most one timer (3-D Secure, CVV 217), cancelled when the sale settles or is forgotten
//!   ([`AppState::live_timers`] counts them); plus one per replayed delivery, so at most one per
//!   log record (a replay is refused while its delivery is pending). Every sale settles eventually: each step has
//!   a timeout, and a callback is dead-lettered after its last attempt.
//! - Misbehaviour settings: at most 10 000, oldest first. Answers read from the Connecting Party: at most 64 KiB.
//! - Card data: the CVV is never stored (it only picks the outcome) and the PAN only masked, with its BIN and
//!   `uniqueReferenceCardId`; attempt excerpts mask card-like digit runs.
//!
//! # Use
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
//! The life of a sale is `sale/`, in the order it happens; a verification lives the same life with its own
//! messages (`verification/`); the sandbox's own machinery is `sandbox/`, around both.
//! - [`config`]: [`Config`], [`EndpointConfig`], [`Timings`], [`Retry`], the TOML format ([`Config::from_toml`],
//!   `config/file.rs`) and [`ConfigError`] (`config/error.rs`).
//! - `routes`: the protocol's HTTP routes — perform sale and sale status under the DAPI prefix (`routes/sale.rs`),
//!   perform validation and verification status (`routes/verification.rs`), the simulated 3-D Secure pages
//!   (`routes/three_ds.rs`); handlers extract, delegate to `sale` or `verification` and map errors.
//! - `sale`: one sale and its life — `perform` (spec 3.3), `check` and `check/rules` (3.4), `processing` with
//!   the CVV `triggers` (spec 6), `three_ds` (3.6), `approval` with the card mapping notification (3.7),
//!   `callback` (the final state and its callback, 3.8); `status` (3.5), `machine` (the state machine and the
//!   status body), `violations` (what the peers break, as contract violations). A sale carries its flow: the
//!   steps from `check` on serve verifications too.
//! - `verification`: what a verification has of its own — perform validation (`verification/validation.rs`,
//!   addendum §2.3), its check request and answer, its card mapping notification's body.
//! - `store`: `Store` — the maps (sales, invoices, the sales' age order, the card registry, the delivery
//!   log), their synchronous methods, the lock order and the bounds.
//! - `state`: [`AppState`], the shared handle: configuration, store, sandbox controls, the HTTP client, tracked
//!   jobs and timers, shutdown.
//! - `timers`: the sales' timers, one per sale at most, cancelled with their sale.
//! - `persist`: what the data directory keeps, and the counters' boot seed.
//! - `delivery`: the one delivery mechanism (schedule, attempt log, dead letters, replay) and its bounded log.
//! - `party_client`: the HTTP client towards the Connecting Party.
//! - `sandbox`: the control plane, installed around the protocol routes by one function — settings per sale
//!   (`controls`), the latency layer (`latency`), deliveries bent on purpose (`tamper`), the attack pack sent
//!   beside a sale's own messages (`attack`; sales only), the `/sim/sales`, `/sim/verifications` and
//!   `/sim/deliveries` routes (`routes`).
//! - `pages`: the HTML pages, askama templates in `templates/`; `error`: the protocol's error enums and their
//!   wire form.
//! - [`openapi`]: the gateway's OpenAPI 3.1 document, served at `GET /openapi.json`.

pub mod config;
mod dashboard;
mod delivery;
mod error;
pub mod openapi;
mod pages;
mod party_client;
mod persist;
mod routes;
mod sale;
mod sandbox;
mod state;
mod store;
mod timers;
mod verification;

#[cfg(test)]
mod tests;

pub use config::{Config, ConfigError, DEFAULT_MAX_SALES, EndpointConfig, Retry, Timings};
pub use dashboard::Playbook;
pub use delivery::{DeliveryFilter, ReplayError};
pub use state::{AppState, DELIVERY_LOG_CAP};

use axum::Router;
use dapi::PerformSaleCause;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// How long [`serve`] waits for outbound deliveries after the server stopped.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The gateway's routes: perform sale and sale status under the DAPI prefix, the sandbox's `/sim/3ds` pages,
/// `/sim/sales` and `/sim/deliveries` routes, `/health`, `/openapi.json` ([`openapi::document`]), JSON error
/// bodies for bad input, unknown paths and methods.
pub fn router(state: AppState) -> Router {
    let limits = state.config().limits;
    let request_timeout = state.config().transport.timeouts.request;
    let document = openapi::document(state.config());
    let app = sandbox::install(routes::protocol(&state), &state).merge(server_kit::openapi_route(
        &document,
        PerformSaleCause::InternalError,
    ));
    let app = server_kit::with_common_layers(app, limits, PerformSaleCause::InvalidRequest);
    let app =
        server_kit::with_request_timeout(app, request_timeout, PerformSaleCause::InvalidRequest);
    // Outside the request timeout: a request that timed out is journalled with the answer it got.
    journal::record_every_exchange(app, &state)
        // An outer span naming the party, for logs of three parties in one process; events come from the inner one.
        // At debug level: an enabled span per request cost ~19 % of sale status throughput (BENCHMARKS.md).
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    tracing::debug_span!("gateway", method = %request.method(), path = %request.uri().path())
                })
                .on_request(())
                .on_response(())
                .on_failure(()),
        )
        .with_state(state)
}

/// Serves the gateway (HTTPS when [`Config::transport`] has a certificate) until `shutdown` resolves; then lets
/// in-flight requests finish for up to [`server_kit::Timeouts::drain`], waits up to 5 s for the outbound jobs
/// (check sale, notification, callback, replays) and logs, at error level, each delivery cut off (id, kind,
/// invoiceId, attempts so far).
///
/// # Errors
/// When accepting connections fails.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let transport = state.config().transport.clone();
    // Open dashboards' event streams end first: a graceful shutdown waits for open requests.
    let shutdown = state.changes().closing_on(shutdown);
    let served = server_kit::serve(listener, router(state.clone()), &transport, shutdown).await;
    state.shutdown(SHUTDOWN_GRACE).await;
    served.map(drop)
}
