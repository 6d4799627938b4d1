//! The reference Connecting Party server (the merchant's server) of the ConnPay DAPI sandbox: it issues access
//! tokens to the app, creates and signs sales, answers the gateway's check sale and card mapping notification,
//! and records the final-status callback; and the same for card verifications (initiate, check, the
//! verification card mapping notification). Section numbers ("spec 3.4") refer to `dapi-sale.md`, "addendum
//! §2.4" and "V16" to `dapi-verification.md`.
//!
//! A library: the caller builds a [`Config`], binds a listener and picks the shutdown signal, so several
//! parties can share one process; nothing here reads the environment or installs a global.
//!
//! The protocol code computes the correct answer and knows nothing else; the sandbox's own machinery (the
//! `/sim` routes, misbehaviour, faults and latency) is one module installed around it by one function, keyed
//! by invoice id in its own bounded map.
//!
//! It checks its peer too: every rule the gateway's messages break (check sale, step 8; card mapping
//! notification, step 19; callback, step 23) is recorded on the sale as a [`sandbox_api::ContractViolation`] seen by
//! the party (at most [`MAX_VIOLATIONS_PER_SALE`]), and shown in the sale's record; the answers stay the
//! documented ones.
//!
//! Routes (all errors are `ErrorBody<PartyCause>`; 400 schema, 403 authentication, 404 unknown sandbox resource):
//! - `GET|POST /auth/request-access-token`: spec 3.1.
//! - `POST /sale/initiate-sale`: spec 3.2.
//! - `POST /sale/{invoiceId}/check`: spec 3.4.
//! - `POST /sale/notification`: spec 3.7.
//! - `POST /sale/{invoiceId}/client-card-id`: spec A24.
//! - `GET /callback`: spec 3.8, for sales and verifications (`type=account-verification`, `amount=0.00`).
//! - `POST /verification/initiate-verification`, `POST /verification/{invoiceId}/check`,
//!   `POST /verification/notification`, `POST /verification/{invoiceId}/client-card-id`: addendum §2.2, §2.4,
//!   §2.7, V17. A verification is a sale of flow verification in the same store (V16): a sale's invoice or
//!   gateway token on a verification path, or the reverse, is refused (check 403, notification 400, client
//!   card id 404).
//! - `GET /sim/sales/{invoiceId}`: sandbox only, [`sandbox_api::PartySaleRecord`] with the violations seen.
//!   The `/sim` routes follow [`Config::control_plane`]: open, `misbehave` protected by a token, or removed.
//! - `GET /sim/verifications/{invoiceId}`, `POST /sim/verifications/{invoiceId}/misbehave`: their twins for
//!   verifications (addendum §5); each knows only its flow's invoices.
//! - `POST /sim/sales/{invoiceId}/misbehave`: sandbox only, a [`sandbox_api::PartyMisbehaviour`] body; answers
//!   it back as stored (`{}` resets). A sale not initiated yet is unknown (404). From then on this sale alone
//!   gets wrong answers in place of its correct 200 answers; refusals stay as they are:
//!   - check sale (`check`): `wrong-check-signature`, `wrong-nonce`, `wrong-token`, `wrong-invoice` (another
//!     echo), `wrong-currency`, `missing-check-signature`, `missing-server-card-id` and `other-email` (repeat
//!     sales), `filtered` 400, `server-failed` 500, `http-500` with a plain-text body, `slow` after `delayMs`;
//!   - card mapping notification (`notification`): `refuse` 400 (nothing mapped), `wrong-check-signature`,
//!     `wrong-nonce`, `missing-token`, `http-500` with a plain-text body (the card is mapped);
//!   - callback (`callback`): `http-500`, every attempt answered with a plain-text 500 and never recorded.
//!
//!   The same body sets faults for the sale: `callbackFailFirst` / `notificationFailFirst` refuse its first N
//!   callback / notification attempts with 503 `SERVER_UNAVAILABLE` (then accept as usual), `latencyMs` holds
//!   back every answer about it (check, notification, callback). Attempts are counted from when the sale has
//!   settings. `randomSumCentis` is no misbehaviour but a choice left to the scenario: the correct check sale
//!   answer asks for a random-sum check of that amount (`transaction.randomSumCentis`, spec A21).
//! - `GET /health`.
//! - `GET /openapi.json`: the OpenAPI 3.1 document of all of the above ([`openapi::document`]).
//!
//! Faults are not contract violations: a server may be down (spec 5.1's 503), so none is recorded for them.
//! Server-wide faults ([`Faults`], in [`Config::faults`]) refuse each sale's first callback attempt with a
//! seeded probability, the same ones for the same seed and order of sales; [`AppState::fault_stats`] counts
//! them. A callback record's `deliveries` counts accepted deliveries only.
//!
//! # Bounds
//! Nothing the gateway or the app sends grows memory without bound:
//! - sales: at most [`Config::max_sales`] (default 100 000), the oldest forgotten first; so are the gateway
//!   session tokens learned in check sale (one per checked sale);
//! - access tokens: at most [`Config::max_access_tokens`]; expired ones are dropped at each issue, then the
//!   oldest live one past the cap;
//! - card mappings: at most [`Config::max_card_mappings`], the oldest forgotten first;
//! - violations: at most [`MAX_VIOLATIONS_PER_SALE`] per sale;
//! - the sandbox's per-sale settings and attempt counters: at most [`Config::max_sales`] sales, the oldest
//!   forgotten first;
//! - events: a broadcast channel of 256; a lagging subscriber misses the oldest, the server never waits;
//! - the server sends nothing on its own, so it keeps no queue of outbound work.
//!
//! # Layout
//! - [`config`][]: [`Config`].
//! - `store`: [`AppState`] and the maps of sales, gateway tokens and card mappings (touched only there).
//! - `events`: [`PartyEvent`], published for in-process tests.
//! - `auth`: access tokens and their device binding.
//! - `sale`: a sale's life: its terms and signatures, initiate and check sale.
//! - `verification`: a verification's life: initiate and check verification, on `sale`'s steps.
//! - `mapping`: the card mapping notification of both flows and the client card id look-up.
//! - `callback`: callback verification and de-duplication.
//! - `error`: one error enum per protocol route, mapped to status, cause and code.
//! - `routes`: the protocol's routes, one file per resource; handlers extract, delegate and map.
//! - `sandbox`: what a real server does not do: misbehaviour, faults and latency around the protocol routes,
//!   the `/sim` routes, the contract violations seen and the sale's record; [`Faults`], [`FaultStats`].
//! - `bounded`: the insertion order that caps the maps.
//! - `persist`: what the data directory keeps ([`AppState::with_data_dir`]), and the layer that lets an answer
//!   leave only once its changes are durable.
//! - [`openapi`]: the server's OpenAPI 3.1 document.

mod auth;
mod bounded;
mod callback;
pub mod config;
mod error;
mod events;
mod mapping;
pub mod openapi;
mod persist;
mod routes;
mod sale;
mod sandbox;
mod store;
mod verification;

pub use config::Config;
pub use events::PartyEvent;
pub use sandbox::{FaultStats, Faults, MAX_VIOLATIONS_PER_SALE};
pub use store::AppState;

use dapi::PartyCause;
use std::future::Future;
use tokio::net::TcpListener;

/// The server's routes: the protocol's, with the sandbox installed around and beside them, and the common
/// layers (`/health`, body limit, tracing, JSON 404/405).
pub fn router(state: AppState) -> axum::Router {
    let limits = state.config().limits;
    let request_timeout = state.config().transport.timeouts.request;
    let durable = axum::middleware::from_fn_with_state(state.clone(), persist::durable_answers);
    let routes = sandbox::install(routes::router().route_layer(durable), &state).merge(
        server_kit::openapi_route(&openapi::document(), PartyCause::ServerFailed),
    );
    let routes = server_kit::with_common_layers(routes, limits, PartyCause::InvalidRequest);
    let routes =
        server_kit::with_request_timeout(routes, request_timeout, PartyCause::InvalidRequest);
    // Outside the request timeout: a request that timed out is journalled with the answer it got.
    journal::record_every_exchange(routes, &state).with_state(state)
}

/// Serves the router on `listener` (HTTPS when [`Config::transport`] has a certificate) until `shutdown`
/// resolves, then lets in-flight requests finish for up to [`server_kit::Timeouts::drain`], closes the rest and
/// closes the data file, if any. The server sends nothing on its own, so there are no outbound tasks to drain.
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
    let served = server_kit::serve(listener, router(state.clone()), &transport, shutdown)
        .await
        .map(drop);
    state.journal().close().await;
    served
}
