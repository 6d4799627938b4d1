//! The sandbox control plane's switch ([`ControlPlane`]) and its guard ([`guard`]), the same on both servers:
//! open (the default, for a laptop), protected by a [`SandboxToken`] (`--sandbox-token`, for a shared box), or
//! off (`--no-sandbox-controls`: the control routes and layers are not installed at all, so `/sim/sales…` and
//! `/sim/deliveries…` answer 404 like any unknown path).
//!
//! A guarded route without `Authorization: Bearer TOKEN` answers 401 with the documented error body
//! (`DAPI-401-SANDBOX-TOKEN`) before its handler runs, so it changes nothing. Neither the expected nor the
//! received token is ever logged or answered.

use axum::Json;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use dapi::ErrorBody;
use sandbox_api::SandboxToken;
use serde::Serialize;

/// The stable code of a refused control request.
pub const UNAUTHORIZED_CODE: &str = "DAPI-401-SANDBOX-TOKEN";

/// How a server offers its sandbox control plane.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ControlPlane {
    /// Anyone who reaches the port may use it (the default, suited to loopback).
    #[default]
    Open,
    /// Writes and the delivery list need `Authorization: Bearer TOKEN`.
    Protected(SandboxToken),
    /// Not installed: the server is the protocol alone.
    Off,
}

impl ControlPlane {
    /// Whether the control routes and layers are installed.
    pub fn is_on(&self) -> bool {
        !matches!(self, Self::Off)
    }

    /// The token guarded routes need, if any.
    pub fn token(&self) -> Option<&SandboxToken> {
        match self {
            Self::Protected(token) => Some(token),
            Self::Open | Self::Off => None,
        }
    }
}

#[derive(Clone)]
struct Guard<C> {
    token: SandboxToken,
    cause: C,
}

/// `routes` with every route requiring the control plane's token, when it has one; `cause` is the
/// `INVALID_REQUEST` of the server's cause enum, for the 401 body.
pub fn guard<S, C>(routes: Router<S>, plane: &ControlPlane, cause: C) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    C: Serialize + Clone + Send + Sync + 'static,
{
    match plane.token() {
        Some(token) => {
            let guard = Guard {
                token: token.clone(),
                cause,
            };
            routes.route_layer(from_fn_with_state(guard, require_token::<C>))
        }
        None => routes,
    }
}

async fn require_token<C: Serialize + Clone + Send + Sync + 'static>(
    State(guard): State<Guard<C>>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .map(HeaderValue::as_bytes);
    if guard.token.admits(presented) {
        return next.run(request).await;
    }
    tracing::info!(method = %request.method(), path = %request.uri().path(), "sandbox control refused: no or wrong sandbox token");
    let message = "this sandbox control needs Authorization: Bearer <the server's --sandbox-token>";
    let body = ErrorBody::new(guard.cause, UNAUTHORIZED_CODE, message, None);
    let challenge = [(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))];
    (StatusCode::UNAUTHORIZED, challenge, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::post;
    use tower::ServiceExt;

    fn app(plane: &ControlPlane) -> Router {
        let routes = Router::new().route("/sim/x", post(|| async { "done" }));
        guard(routes, plane, "INVALID_REQUEST")
    }

    async fn status(plane: &ControlPlane, authorization: Option<&str>) -> (StatusCode, String) {
        let mut request = Request::post("/sim/x");
        if let Some(value) = authorization {
            request = request.header(AUTHORIZATION, value);
        }
        let response = app(plane)
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    #[tokio::test]
    async fn a_protected_route_needs_the_bearer_token_and_never_echoes_it() {
        let plane = ControlPlane::Protected(SandboxToken::parse("team-secret-1").unwrap());
        assert_eq!(
            status(&plane, Some("Bearer team-secret-1")).await.0,
            StatusCode::OK
        );
        for wrong in [None, Some("Bearer team-secret-2"), Some("team-secret-1")] {
            let (code, body) = status(&plane, wrong).await;
            assert_eq!(code, StatusCode::UNAUTHORIZED, "{wrong:?}");
            assert!(body.contains(UNAUTHORIZED_CODE), "{body}");
            assert!(!body.contains("team-secret"), "{body}");
        }
        assert_eq!(status(&ControlPlane::Open, None).await.0, StatusCode::OK);
        assert!(!ControlPlane::Off.is_on() && ControlPlane::Open.is_on());
    }
}
