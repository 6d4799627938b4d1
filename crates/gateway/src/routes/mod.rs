//! The protocol's HTTP routes, one module per resource; handlers only extract, delegate to `sale` and map errors.
//! The sandbox's control routes are in `sandbox::routes`.

pub(crate) mod sale;
pub(crate) mod three_ds;
pub(crate) mod verification;

use crate::config::is_nestable_prefix;
use crate::state::AppState;
use axum::Router;
use dapi::DEFAULT_DAPI_PREFIX;

/// The DAPI routes (perform sale, sale status, perform validation, verification status) under the configured
/// prefix, and the simulated 3-D Secure pages.
pub(crate) fn protocol(state: &AppState) -> Router<AppState> {
    let prefix = dapi_prefix(&state.config().dapi_prefix);
    let flows = sale::router().merge(verification::router());
    let dapi = if prefix.is_empty() {
        flows
    } else {
        Router::new().nest(&prefix, flows)
    };
    dapi.merge(three_ds::router())
}

/// The prefix without a trailing slash; one axum cannot nest under falls back to the default (logged).
pub(crate) fn dapi_prefix(configured: &str) -> String {
    let prefix = configured.trim_end_matches('/');
    if prefix.is_empty() || is_nestable_prefix(prefix) {
        return prefix.to_owned();
    }
    tracing::error!(
        configured,
        "dapi_prefix must start with '/' and contain no '{{', '}}' or '*'; using the default"
    );
    DEFAULT_DAPI_PREFIX.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_normalised_or_replaced() {
        assert_eq!(dapi_prefix("/paynet/dapi/v1/"), "/paynet/dapi/v1");
        assert_eq!(dapi_prefix("/"), "");
        assert_eq!(dapi_prefix("checkout"), DEFAULT_DAPI_PREFIX);
        assert_eq!(dapi_prefix("/{x}"), DEFAULT_DAPI_PREFIX);
    }
}
