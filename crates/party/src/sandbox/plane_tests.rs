//! The Connecting Party server's journal and dashboard under the control plane's switch: open, they answer;
//! with a sandbox token, `GET /sim/journal` answers 401 (the documented body) and the dashboard asks for the
//! token, until a request brings it; with the control plane off both are gone (404 like any unknown path) and
//! nothing is recorded.

use crate::{AppState, Config, router};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sandbox_api::SandboxToken;
use sandbox_api::paths::{DASHBOARD_PATH, JOURNAL_PATH};
use server_kit::ControlPlane;
use tower::ServiceExt;

const TOKEN: &str = "team-secret-42";

fn server(plane: ControlPlane) -> AppState {
    let mut config = Config::sandbox();
    config.control_plane = plane;
    AppState::new(config)
}

async fn send(state: &AppState, path: &str, bearer: Option<&str>) -> (StatusCode, String) {
    let mut request = Request::get(path);
    if let Some(token) = bearer {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = router(state.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// A request the journal records: an access token for a device whose serial the test looks for.
async fn journalled_request(state: &AppState) {
    let path = "/auth/request-access-token?serialNumber=SN-PLANE-1&email=plane%40example.com";
    let (status, body) = send(state, path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn with_a_token_the_journal_and_the_dashboard_need_it() {
    let state = server(ControlPlane::Protected(SandboxToken::parse(TOKEN).unwrap()));
    journalled_request(&state).await;
    for credentials in [None, Some("wrong-secret-42")] {
        let (status, body) = send(&state, JOURNAL_PATH, credentials).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{credentials:?}: {body}");
        assert!(
            body.contains("DAPI-401-SANDBOX-TOKEN") && !body.contains("SN-PLANE-1"),
            "{body}"
        );
        let (status, page) = send(&state, DASHBOARD_PATH, credentials).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{credentials:?}");
        assert!(
            page.contains(r#"action="/sandbox/login""#) && !page.contains("SN-PLANE-1"),
            "{page}"
        );
    }
    let (status, body) = send(&state, JOURNAL_PATH, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("SN-PLANE-1"),
        "the exchange is journalled: {body}"
    );
    let (status, page) = send(&state, DASHBOARD_PATH, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("SN-PLANE-1"),
        "the dashboard lists it: {page}"
    );
}

#[tokio::test]
async fn with_the_control_plane_off_the_journal_and_the_dashboard_are_gone() {
    let state = server(ControlPlane::Off);
    journalled_request(&state).await;
    for path in ["/", DASHBOARD_PATH, "/sandbox/events", JOURNAL_PATH] {
        let (status, body) = send(&state, path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert!(body.contains("DAPI-404-PATH"), "{path}: {body}");
    }
    assert_eq!(state.messages().stats().recorded, 0, "nothing is recorded");
}
