//! What both dashboards share: their stylesheet and live-update script, served by the binary itself at
//! [`ASSETS_PATH`] (nothing is fetched from elsewhere, so the pages work offline), and the view of one
//! journal entry ([`EntryView`]), rendered by askama, which escapes every value.

use askama::Template;
use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;
use sandbox_api::JournalEntry;

/// Where the assets are served.
pub const ASSETS_PATH: &str = "/sandbox/assets";
/// The dashboards' stylesheet.
pub const DASHBOARD_CSS: &str = include_str!("../assets/dashboard.css");
/// The dashboards' live-update script (hand-written; see docs/decisions.md).
pub const LIVE_JS: &str = include_str!("../assets/live.js");

/// `GET /sandbox/assets/dashboard.css` and `…/live.js`.
pub fn assets<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            &format!("{ASSETS_PATH}/dashboard.css"),
            get(|| async { asset("text/css; charset=utf-8", DASHBOARD_CSS) }),
        )
        .route(
            &format!("{ASSETS_PATH}/live.js"),
            get(|| async { asset("text/javascript; charset=utf-8", LIVE_JS) }),
        )
}

fn asset(kind: &'static str, text: &'static str) -> impl IntoResponse {
    let headers = [
        (CONTENT_TYPE, HeaderValue::from_static(kind)),
        (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    (headers, text)
}

/// One entry's `<details>`: summary line, request and answer with headers and bodies (JSON pretty-printed).
#[derive(Template)]
#[template(path = "entry.html")]
pub struct EntryView<'a> {
    entry: &'a JournalEntry,
    /// The element id links open it by: `m-{source}-{id}`.
    anchor: String,
    latency: String,
    request_body: String,
    response_body: String,
}

impl<'a> EntryView<'a> {
    /// The view of `entry`, recorded by `source` (`gw`, `cp`).
    pub fn new(entry: &'a JournalEntry, source: &str) -> Self {
        Self {
            anchor: anchor(source, entry.id),
            latency: latency(entry.latency_us),
            request_body: pretty(&entry.request.body),
            response_body: entry
                .response
                .as_ref()
                .map(|side| pretty(&side.body))
                .unwrap_or_default(),
            entry,
        }
    }

    /// The HTML, or a line saying it could not be made.
    pub fn html(&self) -> String {
        self.render().unwrap_or_else(|error| {
            format!("<p>entry {} could not be shown: {error}</p>", self.entry.id)
        })
    }
}

/// The element id of an entry's view.
pub fn anchor(source: &str, id: u64) -> String {
    format!("m-{source}-{id}")
}

/// `812 µs`, `3.4 ms`, `1.20 s`.
pub fn latency(micros: u64) -> String {
    match micros {
        0..1_000 => format!("{micros} µs"),
        1_000..1_000_000 => format!("{}.{} ms", micros / 1_000, micros % 1_000 / 100),
        _ => format!(
            "{}.{:02} s",
            micros / 1_000_000,
            micros % 1_000_000 / 10_000
        ),
    }
}

/// A JSON body indented; any other body as it is.
fn pretty(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .filter(|value| value.is_object() || value.is_array())
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| body.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sandbox_api::{JournalMessage, Participant, SaleRef};

    #[test]
    fn an_entry_view_escapes_what_it_shows_and_indents_json() {
        let script = "<script>alert(1)</script>";
        let entry = JournalEntry {
            id: 4,
            at: "2026-01-02T03:04:05.006Z".into(),
            from: Participant::App,
            to: Participant::Gateway,
            step: Some(6),
            message: "Perform sale request".into(),
            answer_step: Some(7),
            answer_message: Some("Perform sale response".into()),
            method: "POST".into(),
            path: format!("/sale/1234/{script}"),
            query: None,
            status: Some(200),
            latency_us: 3_456,
            error: None,
            sale: SaleRef::default(),
            request: JournalMessage {
                headers: vec![("x-name".into(), script.into())],
                body: format!(r#"{{"holder":"{script}"}}"#),
                truncated: false,
            },
            response: None,
        };
        let html = EntryView::new(&entry, "gw").html();
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains(r#"id="m-gw-4""#) && html.contains("3.4 ms"),
            "{html}"
        );
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{html}"
        );
        assert!(
            html.contains("{\n  &#34;holder&#34;"),
            "indented JSON: {html}"
        );
        assert_eq!(latency(999), "999 µs");
        assert_eq!(latency(1_200_000), "1.20 s");
    }
}
