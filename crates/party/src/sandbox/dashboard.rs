//! The Connecting Party server's dashboard, smaller than the gateway's: at `/` (redirected to `/sandbox/`) the
//! sales it knows (checks answered, card mapping, callback, violations) and every exchange it answered, each
//! openable with headers and bodies, filterable by invoice id and device serial and refreshed live by the same
//! script and Server-Sent Events as the gateway's (`journal::web`, `journal::Changes`). Installed with the
//! control plane; behind its token when it has one (`journal::gate`).

use crate::store::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use journal::web::EntryView;
use sandbox_api::JournalStats;
use sandbox_api::paths::DASHBOARD_PATH;
use serde::Deserialize;
use server_kit::ControlPlane;

/// Sales, and messages, the page shows.
const ROWS: usize = 50;

/// The dashboard's routes.
pub(super) fn router(plane: &ControlPlane, secure: bool) -> Router<AppState> {
    let pages = Router::new().route(DASHBOARD_PATH, get(page)).route(
        "/sandbox/events",
        get(|State(state): State<AppState>| async move { state.changes().stream() }),
    );
    Router::new()
        .route("/", get(|| async { Redirect::to(DASHBOARD_PATH) }))
        .merge(journal::gate::guard_pages(pages, plane, secure))
        .merge(journal::web::assets())
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    #[serde(default)]
    invoice_id: String,
    #[serde(default)]
    serial: String,
    fragment: Option<String>,
}

/// One sale as the page shows it.
struct Row {
    invoice_id: String,
    href: String,
    amount: String,
    serial: String,
    checks: u32,
    mapping: String,
    callback: String,
    violations: usize,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Page<'a> {
    fragment: bool,
    filter: &'a Filter,
    stats: JournalStats,
    rows: Vec<Row>,
    messages: Vec<String>,
    max_rows: usize,
}

async fn page(State(state): State<AppState>, uri: Uri) -> Response {
    let filter: Filter = server_kit::parse_query(uri.query()).unwrap_or_default();
    let page = Page {
        fragment: filter.fragment.is_some(),
        rows: rows(&state, &filter),
        messages: messages(&state, &filter),
        stats: state.messages().stats(),
        filter: &filter,
        max_rows: ROWS,
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "the dashboard could not be rendered");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn rows(state: &AppState, filter: &Filter) -> Vec<Row> {
    let keep = |invoice: &str, serial: &str| {
        (filter.invoice_id.is_empty() || filter.invoice_id == invoice)
            && (filter.serial.is_empty() || filter.serial == serial)
    };
    state.recent_sales(ROWS, |sale| {
        let terms = &sale.terms;
        keep(terms.invoice_id.as_str(), terms.serial_number.as_str()).then(|| Row {
            invoice_id: terms.invoice_id.to_string(),
            href: format!(
                "{DASHBOARD_PATH}?invoiceId={}",
                form_urlencoded::byte_serialize(terms.invoice_id.as_str().as_bytes())
                    .collect::<String>()
            ),
            amount: format!(
                "{} {}",
                dapi::messages::callback::major_units(terms.amount_centis, &terms.currency),
                terms.currency
            ),
            serial: terms.serial_number.to_string(),
            checks: sale.checks,
            mapping: sale.mapping.as_ref().map_or_else(
                || "—".to_owned(),
                |mapping| format!("clientCardId {}", mapping.client_card_id),
            ),
            callback: sale.callback.as_ref().map_or_else(
                || "—".to_owned(),
                |received| format!("{} ×{}", received.record.status, received.record.deliveries),
            ),
            violations: sale.violations.kept().len(),
        })
    })
}

/// The newest entries the filter keeps, newest first.
fn messages(state: &AppState, filter: &Filter) -> Vec<String> {
    let wanted = journal::Filter {
        invoice_id: (!filter.invoice_id.is_empty()).then(|| filter.invoice_id.clone()),
        serial: (!filter.serial.is_empty()).then(|| filter.serial.clone()),
        ..journal::Filter::default()
    };
    let (entries, _) = state
        .messages()
        .select(0, usize::MAX, |entry| wanted.matches(entry));
    entries
        .iter()
        .rev()
        .take(ROWS)
        .map(|entry| EntryView::new(&entry.to_wire(), "cp").html())
        .collect()
}
