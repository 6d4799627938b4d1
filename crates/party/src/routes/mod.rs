//! The HTTP routes, one file per resource; handlers only extract, delegate to [`AppState`] and map errors.

mod auth;
mod callback;
mod extract;
mod sale;
mod sim;

use crate::state::AppState;
use axum::Router;

/// All routes of the reference Connecting Party server, without the common layers.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(sale::router())
        .merge(callback::router())
        .merge(sim::router())
}
