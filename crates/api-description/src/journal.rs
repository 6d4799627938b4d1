//! What both servers' documents say about the message journal and the dashboard, which they serve alike with
//! the control plane on (neither exists with `--no-sandbox-controls`): `GET /sim/journal` (a JSON page or an
//! NDJSON export, the token's 401 when one is set) and the dashboard's entry points, `GET /` (a redirect) and
//! `GET /sandbox/` (the HTML page). The dashboard's other routes — a sale's page, its event stream, the Replay
//! and Play forms, the login form, the stylesheet and script — are for the page's own links and scripts, not
//! for API clients, and are left out: an event stream never ends, which neither a client generator nor a
//! fuzzer can use.

use crate::describe::{HTML, json, other};
use crate::model::{Header, MediaType, Operation, PathItem, Response};
use crate::schemas::Schemas;
use dapi::StatusCause;
use sandbox_api::journal::{JournalPage, JournalParams};
use sandbox_api::paths::{DASHBOARD_PATH, JOURNAL_PATH};
use schemars::{JsonSchema, json_schema};
use std::collections::BTreeMap;

/// The media type of the journal's export.
pub const NDJSON: &str = "application/x-ndjson";

const UNAUTHORIZED: (u16, &str) = (
    401,
    "`INVALID_REQUEST`: the server runs with `--sandbox-token` and the request has no `Authorization: Bearer` \
     with it",
);

/// `GET /sim/journal`, by path; `who` names the server whose exchanges it lists.
pub fn journal_paths(
    schemas: &mut Schemas,
    tag: &'static str,
    who: &str,
) -> BTreeMap<String, PathItem> {
    let mut answer = json::<JournalPage>(
        schemas,
        "A page of entries, oldest first, with the journal's counters",
        &[],
    );
    answer.content.insert(
        NDJSON.to_owned(),
        MediaType {
            schema: json_schema!({
                "type": "string",
                "description": "With `format=ndjson` or `Accept: application/x-ndjson`: one `JournalEntry` \
                                per line",
            }),
            examples: BTreeMap::new(),
        },
    );
    let journal = Operation::new("journal", "The message journal", tag)
        .sandbox_only()
        .describe(format!(
            "Every exchange {who} took part in, inbound and outbound, with its diagram step, status, latency \
             and bodies (card numbers masked; CVV, passwords, `control` and control keys removed). A bounded ring \
             in memory (`--journal-entries`, `--journal-max-mib`) that drops its oldest entries when full and \
             counts them (`stats.dropped`); never kept in `--data-dir`. Needs the sandbox token when the \
             server has one."
        ))
        .query::<JournalParams>(schemas, None)
        .answer(200, answer)
        .errors::<StatusCause>(
            schemas,
            &[(400, "`INVALID_REQUEST`: an unknown or malformed parameter, each one named"), UNAUTHORIZED],
            None,
        );
    BTreeMap::from([(JOURNAL_PATH.to_owned(), get(journal))])
}

/// The query a dashboard page takes; anything else is ignored.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[expect(dead_code, reason = "only its schema is used")]
struct DashboardFilter {
    /// Only the sale with this invoice id.
    invoice_id: Option<String>,
    /// Only the sales of the device with this serial number.
    serial: Option<String>,
}

/// `GET /` and `GET /sandbox/`, by path; `what` says what the page shows.
pub fn dashboard_paths(
    schemas: &mut Schemas,
    tag: &'static str,
    what: &str,
) -> BTreeMap<String, PathItem> {
    let root = Operation::new("root", "To the dashboard", tag)
        .sandbox_only()
        .describe("Redirects a browser to the dashboard.")
        .answer(
            303,
            relative_redirect("To `/sandbox/`, a path of this server"),
        );
    let page = Operation::new("dashboard", "The dashboard", tag)
        .sandbox_only()
        .describe(format!(
            "An HTML page for a browser: {what}, updated live (Server-Sent Events at `/sandbox/events`). With \
             `--sandbox-token` it answers 401 with a form asking for the token, kept afterwards in an \
             `HttpOnly`, `SameSite=Strict` cookie."
        ))
        .query::<DashboardFilter>(schemas, None)
        .answer(200, other("The page", HTML, json_schema!({"type": "string"})))
        .answer(
            401,
            other("The form asking for the sandbox token", HTML, json_schema!({"type": "string"})),
        );
    BTreeMap::from([
        ("/".to_owned(), get(root)),
        (DASHBOARD_PATH.to_owned(), get(page)),
    ])
}

/// A `303 See Other` whose `Location` is a path of this server (a URI reference, not a full URI: the server
/// does not know the address its browser used).
fn relative_redirect(description: &str) -> Response {
    let location = Header {
        description: "The dashboard's path.",
        required: true,
        schema: json_schema!({"type": "string", "format": "uri-reference"}),
    };
    Response {
        description: description.to_owned(),
        headers: BTreeMap::from([("Location".to_owned(), location)]),
        content: BTreeMap::new(),
    }
}

fn get(operation: Operation) -> PathItem {
    PathItem {
        get: Some(operation),
        post: None,
    }
}
