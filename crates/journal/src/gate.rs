//! The dashboards' gate: with a sandbox token (`--sandbox-token`), a dashboard page, its live stream and its
//! writes need the token, like the delivery list and the journal — they show every sale. A browser cannot send
//! `Authorization: Bearer` when it follows a link or opens an event stream, so the token may also come as the
//! cookie [`COOKIE`]: a page without it answers 401 with a form asking for the token once, which
//! `POST /sandbox/login` checks (in constant time) and keeps as an `HttpOnly`, `SameSite=Strict` cookie
//! (`Secure` over HTTPS), so no script can read it and no other site's form can use it. Open: no gate at all.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE as COOKIE_HEADER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::post;
use sandbox_api::SandboxToken;
use serde::Deserialize;
use server_kit::ControlPlane;

/// The cookie that carries the sandbox token of a dashboard's browser.
pub const COOKIE: &str = "connpay-sandbox-token";

#[derive(Clone)]
struct Gate {
    token: SandboxToken,
    secure: bool,
}

/// `pages` needing the plane's token (Bearer or [`COOKIE`]) when it has one, and `POST /sandbox/login`;
/// `secure` marks the cookie for HTTPS.
pub fn guard_pages<S: Clone + Send + Sync + 'static>(
    pages: Router<S>,
    plane: &ControlPlane,
    secure: bool,
) -> Router<S> {
    let Some(token) = plane.token() else {
        return pages;
    };
    let gate = Gate {
        token: token.clone(),
        secure,
    };
    let login = Router::new()
        .route("/sandbox/login", post(login))
        .with_state(gate.clone());
    pages
        .route_layer(from_fn_with_state(gate, require))
        .merge(login)
}

/// Whether `headers` carry the token: `Authorization: Bearer …` or the cookie.
fn admitted(token: &SandboxToken, headers: &HeaderMap) -> bool {
    let bearer = headers.get(AUTHORIZATION).map(HeaderValue::as_bytes);
    token.admits(bearer)
        || cookie(headers)
            .is_some_and(|value| token.admits(Some(format!("Bearer {value}").as_bytes())))
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE_HEADER)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            pair.trim()
                .strip_prefix(COOKIE)?
                .strip_prefix('=')
                .map(str::to_owned)
        })
}

async fn require(State(gate): State<Gate>, request: Request, next: Next) -> Response {
    if admitted(&gate.token, request.headers()) {
        return next.run(request).await;
    }
    let next_path = request
        .uri()
        .path_and_query()
        .map_or("/sandbox/", |path| path.as_str())
        .to_owned();
    ask(next_path, false)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    refused: bool,
}

fn ask(next: String, refused: bool) -> Response {
    let page = LoginPage { next, refused }.render().unwrap_or_default();
    (StatusCode::UNAUTHORIZED, Html(page)).into_response()
}

#[derive(Debug, Deserialize)]
struct Login {
    token: String,
    next: Option<String>,
}

async fn login(State(gate): State<Gate>, form: Form<Login>) -> Response {
    let Form(login) = form;
    // Only a path of this server: a crafted link cannot send the browser elsewhere.
    let next = login
        .next
        .filter(|next| next.starts_with('/') && !next.starts_with("//"))
        .unwrap_or_else(|| "/sandbox/".to_owned());
    let presented = format!("Bearer {}", login.token);
    if !gate.token.admits(Some(presented.as_bytes())) {
        tracing::info!("dashboard login refused: wrong sandbox token");
        return ask(next, true);
    }
    let secure = if gate.secure { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{secure}",
        login.token
    );
    match HeaderValue::from_str(&cookie) {
        Ok(value) => ([(SET_COOKIE, value)], Redirect::to(&next)).into_response(),
        Err(_) => ask(next, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    fn app() -> Router {
        let plane = ControlPlane::Protected(SandboxToken::parse("team-secret-1").unwrap());
        guard_pages(
            Router::new().route("/sandbox/", get(|| async { "sales" })),
            &plane,
            false,
        )
    }

    async fn call(request: Request<Body>) -> (StatusCode, HeaderMap, String) {
        let response = app().oneshot(request).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn a_page_asks_for_the_token_once_and_then_takes_the_cookie() {
        let (status, _, page) = call(Request::get("/sandbox/").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(
            page.contains(r#"action="/sandbox/login""#) && !page.contains("team-secret"),
            "{page}"
        );
        let wrong = Request::post("/sandbox/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from("token=nope-nope&next=%2Fsandbox%2F"))
            .unwrap();
        let (status, headers, _) = call(wrong).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(headers.get(SET_COOKIE).is_none());
        let right = Request::post("/sandbox/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(
                "token=team-secret-1&next=https%3A%2F%2Felsewhere.test%2F",
            ))
            .unwrap();
        let (status, headers, _) = call(right).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            headers.get("location").unwrap(),
            "/sandbox/",
            "never another host"
        );
        let set = headers.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
        for credentials in [
            ("cookie", "a=b; connpay-sandbox-token=team-secret-1"),
            ("authorization", "Bearer team-secret-1"),
        ] {
            let request = Request::get("/sandbox/")
                .header(credentials.0, credentials.1)
                .body(Body::empty())
                .unwrap();
            assert_eq!(call(request).await.2, "sales", "{credentials:?}");
        }
        let other = Request::get("/sandbox/")
            .header("cookie", "connpay-sandbox-token=team-secret-2")
            .body(Body::empty())
            .unwrap();
        assert_eq!(call(other).await.0, StatusCode::UNAUTHORIZED);
    }
}
