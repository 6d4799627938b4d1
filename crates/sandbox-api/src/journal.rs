//! The message journal's records (`GET /sim/journal`): every exchange a server took part in, inbound and
//! outbound, with its diagram step, its bodies (card numbers masked, CVVs, passwords and control values
//! removed) and the sale it belongs to. Both servers answer in this shape; the gateway's dashboard reads the
//! Connecting Party server's journal in it too.

use dapi::{EndpointId, InvoiceId, SerialNumber};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Entries a page holds when the query names no `limit`.
pub const DEFAULT_JOURNAL_PAGE: usize = 100;
/// The largest `limit` of a page.
pub const MAX_JOURNAL_PAGE: usize = 1_000;

/// Who sent or received a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Participant {
    /// The mobile app (or the consumer's browser on the 3-D Secure page).
    App,
    /// The gateway.
    Gateway,
    /// The Connecting Party server.
    Party,
}

impl fmt::Display for Participant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::App => "app",
            Self::Gateway => "gateway",
            Self::Party => "party",
        })
    }
}

/// The sale an exchange belongs to, as far as the server could tell: the ids as the messages carried them,
/// valid or not (a journal shows what an app sent, an empty or overlong serial number too), so their schemas
/// are plain strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SaleRef {
    /// The sale's endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub endpoint_id: Option<EndpointId>,
    /// The sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub invoice_id: Option<InvoiceId>,
    /// The consumer's device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub serial_number: Option<SerialNumber>,
}

/// One side of an exchange: its headers and body as recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JournalMessage {
    /// Header names (lower case) and values; `authorization` and `cookie` values are replaced by
    /// `<removed>`.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced), masked; empty when there was none.
    #[serde(default)]
    pub body: String,
    /// Whether the body was longer than the journal keeps and was cut.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// One exchange: a request and its answer (or why none came).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Numbered when the exchange started, from 1; ids only grow.
    pub id: u64,
    /// When the request started, RFC 3339 in UTC with milliseconds.
    pub at: String,
    /// The sender of the request.
    pub from: Participant,
    /// Its receiver.
    pub to: Participant,
    /// The diagram step of the request (spec 2.1), when the route has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<u8>,
    /// The request's name in the diagram, or `METHOD path` for a route without a step.
    pub message: String,
    /// The diagram step of the answer, when it has one of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_step: Option<u8>,
    /// The answer's name in the diagram.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_message: Option<String>,
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, as sent (percent-encoding kept).
    pub path: String,
    /// The query string, masked (the callback's `control` removed); absent when there was none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The answer's HTTP status; absent when no answer came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// From the start of the request to the end of the answer, in microseconds.
    pub latency_us: u64,
    /// Why no answer came (timeout, connection refused), for an outbound call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The sale it belongs to.
    #[serde(default)]
    pub sale: SaleRef,
    /// The request.
    pub request: JournalMessage,
    /// The answer, when one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<JournalMessage>,
}

/// `GET /sim/journal` answer (JSON; `format=ndjson` gives the entries alone, one per line).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JournalPage {
    /// The matching entries, oldest first.
    pub entries: Vec<JournalEntry>,
    /// Pass as `cursor` for the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// How full the journal is and how many entries it dropped.
    pub stats: JournalStats,
}

/// How full a journal is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JournalStats {
    /// Entries kept now.
    pub entries: usize,
    /// The most entries it keeps.
    pub max_entries: usize,
    /// Approximate bytes its entries take now.
    pub bytes: usize,
    /// The most bytes it keeps.
    pub max_bytes: usize,
    /// Entries recorded since the server started.
    pub recorded: u64,
    /// Entries dropped, oldest first, to stay within its bounds.
    pub dropped: u64,
}

/// The query parameters of `GET /sim/journal`, as documented (the servers check each one and name every bad
/// one in the error body); every one is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JournalParams {
    /// Only this sale's entries (exact match).
    pub invoice_id: Option<InvoiceId>,
    /// Only this endpoint's.
    pub endpoint_id: Option<EndpointId>,
    /// Only this device's (the serial number the app sent).
    pub serial: Option<SerialNumber>,
    /// Only entries whose request or answer is this diagram step (spec 2.1).
    #[schemars(range(min = 1, max = 99))]
    pub step: Option<u8>,
    /// Only entries started at or after this time, RFC 3339.
    #[schemars(extend("format" = "date-time"))]
    pub since: Option<String>,
    /// Only entries started at or before this time, RFC 3339; not before `since`.
    #[schemars(extend("format" = "date-time"))]
    pub until: Option<String>,
    /// At most this many entries (a page holds 100 without it; an export every matching entry).
    #[schemars(range(min = 1, max = 1000))]
    pub limit: Option<u16>,
    /// The previous page's `nextCursor`.
    #[schemars(regex(pattern = r"^[0-9]+$"))]
    pub cursor: Option<String>,
    /// `json` (a page, the default) or `ndjson` (the entries alone, one per line; `Accept:
    /// application/x-ndjson` asks for it too).
    pub format: Option<JournalFormat>,
}

/// How `GET /sim/journal` answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum JournalFormat {
    /// A [`JournalPage`].
    Json,
    /// NDJSON: one [`JournalEntry`] per line.
    Ndjson,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_reads_back_from_its_camel_case_json() {
        let entry = JournalEntry {
            id: 7,
            at: "2026-01-02T03:04:05.006Z".into(),
            from: Participant::App,
            to: Participant::Gateway,
            step: Some(6),
            message: "Perform sale request".into(),
            answer_step: Some(7),
            answer_message: Some("Perform sale response".into()),
            method: "POST".into(),
            path: "/paynet/dapi/v1/sale/1234/INV-1".into(),
            query: None,
            status: Some(200),
            latency_us: 812,
            error: None,
            sale: SaleRef {
                endpoint_id: Some("1234".into()),
                invoice_id: Some("INV-1".into()),
                serial_number: None,
            },
            request: JournalMessage {
                headers: vec![("content-type".into(), "application/json".into())],
                body: "{}".into(),
                truncated: false,
            },
            response: None,
        };
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["answerStep"], 7);
        assert_eq!(json["latencyUs"], 812);
        assert_eq!(json["sale"]["invoiceId"], "INV-1");
        assert_eq!(json["from"], "app");
        assert!(json.get("response").is_none() && json.get("query").is_none());
        let back: JournalEntry = serde_json::from_value(json).unwrap();
        assert_eq!(back, entry);
    }
}
