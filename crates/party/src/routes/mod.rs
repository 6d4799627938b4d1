//! The protocol's HTTP routes, one file per resource; handlers only extract, delegate to [`AppState`] and map
//! errors. They compute the correct answer and nothing else: `crate::sandbox` is installed around them.

mod auth;
mod callback;
pub(crate) mod extract;
mod sale;
mod verification;

use crate::store::AppState;
use axum::Router;

/// All protocol routes of the reference Connecting Party server, without the sandbox and the common layers.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(sale::router())
        .merge(verification::router())
        .merge(callback::router())
}
