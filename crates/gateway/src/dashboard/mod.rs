//! The gateway's dashboard, served by the gateway itself on its normal port (plain HTTP or HTTPS alike) — a
//! sandbox feature, installed with the control plane (`crate::sandbox::install`):
//!
//! - `GET /` redirects to `GET /sandbox/`: the live list of sales, filterable by invoice id and device serial;
//! - `GET /sandbox/sales/{endpointId}/{invoiceId}`: one sale — its sequence diagram across the three parties
//!   (server-rendered SVG), every message with headers and bodies, its violations, its deliveries with every
//!   attempt and a Replay button, and for a sale waiting on 3-D Secure the link to its page (the public URL);
//! - `GET /sandbox/events`: the Server-Sent Events that tell an open page to refresh (`journal::Changes`);
//! - `POST /sandbox/deliveries/{id}/replay` (the Replay button, answered `303 See Other` back to the sale) and
//!   `POST /sandbox/scenarios/play` (a demo runner's scenario, [`Playbook`]): the dashboard's two writes;
//! - `GET /sandbox/assets/…`: its stylesheet and script (`journal::web`): nothing comes from elsewhere.
//!
//! Every page also renders its live part alone (`?fragment=1`). The layout: `view` reads the gateway,
//! `diagram` draws, `pages` renders.

mod diagram;
mod pages;
mod view;

use crate::state::AppState;
use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use dapi::{EndpointId, InvoiceId};
use pages::{NoticePage, SalePage, SalesPage};
use sandbox_api::paths::DASHBOARD_PATH;
use serde::Deserialize;
use server_kit::ControlPlane;
use tokio::sync::mpsc;
use view::ListFilter;

/// Scenarios a demo runner (`mobile-client demo`) offers to play again from the dashboard: their names, and
/// where the dashboard sends the name of the one a person asks for. The gateway cannot play a scenario itself
/// (it knows no mobile client); the runner that registered this does.
#[derive(Clone, Debug)]
pub struct Playbook {
    /// The scenarios, as the dashboard lists them.
    pub names: Vec<String>,
    /// Receives the name of each scenario to play.
    pub requests: mpsc::Sender<String>,
}

/// The dashboard's routes: its pages, stream and writes behind the plane's token when it has one
/// (`journal::gate`; `secure`: served over HTTPS), its assets and the redirect of `/` open.
pub(crate) fn router(plane: &ControlPlane, secure: bool) -> Router<AppState> {
    let pages = Router::new()
        .route(DASHBOARD_PATH, get(sales))
        .route("/sandbox/sales/{endpoint_id}/{invoice_id}", get(sale))
        .route("/sandbox/events", get(events))
        .route("/sandbox/deliveries/{id}/replay", post(replay))
        .route("/sandbox/scenarios/play", post(play));
    Router::new()
        .route("/", get(|| async { Redirect::to(DASHBOARD_PATH) }))
        .route("/sandbox", get(|| async { Redirect::to(DASHBOARD_PATH) }))
        .merge(journal::gate::guard_pages(pages, plane, secure))
        .merge(journal::web::assets())
}

/// A page's HTML, or a plain 500 when a template fails (it cannot for the values they get).
fn html(page: &impl Template) -> Response {
    match page.render() {
        Ok(text) => Html(text).into_response(),
        Err(error) => {
            tracing::error!(%error, "a dashboard page could not be rendered");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn notice(status: StatusCode, title: &'static str, message: String) -> Response {
    (status, html(&NoticePage { title, message })).into_response()
}

async fn sales(State(state): State<AppState>, uri: Uri) -> Response {
    let filter: ListFilter = server_kit::parse_query(uri.query()).unwrap_or_default();
    let rows = view::rows(&state, &filter);
    let scenarios = state
        .playbook()
        .map(|playbook| playbook.names.clone())
        .unwrap_or_default();
    html(&SalesPage::new(
        rows,
        &filter,
        state.messages().stats(),
        scenarios,
    ))
}

#[derive(Debug, Default, Deserialize)]
struct Fragment {
    fragment: Option<String>,
}

async fn sale(
    State(state): State<AppState>,
    path: Result<Path<(EndpointId, InvoiceId)>, PathRejection>,
    uri: Uri,
) -> Response {
    let Ok(Path((endpoint_id, invoice_id))) = path else {
        return notice(
            StatusCode::BAD_REQUEST,
            "No such sale",
            "The path names no sale.".to_owned(),
        );
    };
    let fragment = server_kit::parse_query::<Fragment>(uri.query())
        .unwrap_or_default()
        .fragment
        .is_some();
    let Some(detail) = view::detail(&state, &endpoint_id, &invoice_id).await else {
        let message = format!("The gateway keeps no sale {invoice_id} on endpoint {endpoint_id}.");
        return notice(StatusCode::NOT_FOUND, "No such sale", message);
    };
    let party_url = state
        .endpoint(&endpoint_id)
        .map(|endpoint| endpoint.party_url)
        .unwrap_or_default();
    html(&SalePage::new(
        detail,
        state.messages().stats(),
        fragment,
        &party_url,
    ))
}

async fn events(State(state): State<AppState>) -> impl IntoResponse {
    state.changes().stream()
}

async fn replay(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return notice(
            StatusCode::BAD_REQUEST,
            "Replay refused",
            "The path names no delivery.".to_owned(),
        );
    };
    match state.replay(&id) {
        Ok(record) => {
            let back = format!(
                "{}#delivery-{}",
                view::sale_href(&record.endpoint_id, &record.invoice_id),
                record.id
            );
            Redirect::to(&back).into_response()
        }
        Err(error) => notice(StatusCode::CONFLICT, "Replay refused", error.to_string()),
    }
}

#[derive(Debug, Deserialize)]
struct PlayForm {
    scenario: String,
}

async fn play(
    State(state): State<AppState>,
    form: Result<Form<PlayForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let (Some(playbook), Ok(Form(form))) = (state.playbook(), form) else {
        return notice(
            StatusCode::NOT_FOUND,
            "Nothing to play",
            "No demo runner offers scenarios here.".to_owned(),
        );
    };
    if !playbook.names.contains(&form.scenario) {
        return notice(
            StatusCode::NOT_FOUND,
            "Nothing to play",
            "No such scenario.".to_owned(),
        );
    }
    match playbook.requests.try_send(form.scenario) {
        Ok(()) => Redirect::to(DASHBOARD_PATH).into_response(),
        Err(_) => notice(
            StatusCode::SERVICE_UNAVAILABLE,
            "Busy",
            "The demo runner is busy; try again in a moment.".to_owned(),
        ),
    }
}
