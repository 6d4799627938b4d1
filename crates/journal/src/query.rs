//! `GET /sim/journal?invoiceId=&endpointId=&serial=&step=&since=&until=&limit=&cursor=&format=`: which entries,
//! how many, in JSON pages or exported as NDJSON (`format=ndjson` or `Accept: application/x-ndjson`).
//!
//! Every parameter is optional and checked: an unknown one, a `step` outside 1–99, a `since`/`until` that is
//! not RFC 3339 (or `until` before `since`), a `limit` outside 1–[`MAX_JOURNAL_PAGE`], a `cursor` that is not
//! a previous page's `nextCursor`, or a `format` other than `json`/`ndjson` gets the documented error body
//! (400 `INVALID_REQUEST`, `DAPI-400-INVALID`, each bad parameter named). Pages hold
//! [`DEFAULT_JOURNAL_PAGE`] entries unless `limit` says otherwise; an export holds every matching entry unless
//! `limit` says otherwise.

use crate::entry::Entry;
use crate::ring::Journal;
use axum::Json;
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use dapi::{Rule, Violations};
use sandbox_api::JournalPage;
use sandbox_api::journal::{DEFAULT_JOURNAL_PAGE, MAX_JOURNAL_PAGE};
use serde::{Deserialize, Serialize};
use server_kit::{BodyError, Failure, WireError};
use std::marker::PhantomData;
use std::time::SystemTime;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The media type of an export.
pub const NDJSON: &str = "application/x-ndjson";

/// Which entries a query asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this sale's (exact match).
    pub invoice_id: Option<String>,
    /// Only this endpoint's.
    pub endpoint_id: Option<String>,
    /// Only this device's.
    pub serial: Option<String>,
    /// Only entries whose request or answer is this diagram step.
    pub step: Option<u8>,
    /// Only entries started at or after.
    pub since: Option<SystemTime>,
    /// Only entries started at or before.
    pub until: Option<SystemTime>,
}

impl Filter {
    /// Whether `entry` is one of them.
    pub fn matches(&self, entry: &Entry) -> bool {
        let sale = entry.sale();
        let same = |wanted: &Option<String>, found: Option<&str>| {
            wanted.as_deref().is_none_or(|wanted| found == Some(wanted))
        };
        same(
            &self.invoice_id,
            sale.invoice_id.as_ref().map(|id| id.as_str()),
        ) && same(
            &self.endpoint_id,
            sale.endpoint_id.as_ref().map(|id| id.as_str()),
        ) && same(
            &self.serial,
            sale.serial_number.as_ref().map(|id| id.as_str()),
        ) && self.step.is_none_or(|step| entry.is_step(step))
            && self.since.is_none_or(|since| entry.started() >= since)
            && self.until.is_none_or(|until| entry.started() <= until)
    }
}

/// A checked query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JournalQuery {
    /// Which entries.
    pub filter: Filter,
    /// At most this many.
    pub limit: Option<usize>,
    /// After this entry id.
    pub after: u64,
    /// NDJSON rather than a JSON page.
    pub ndjson: bool,
}

/// The query string as sent; every value is checked by [`JournalQuery::parse`].
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Raw {
    invoice_id: Option<String>,
    endpoint_id: Option<String>,
    serial: Option<String>,
    step: Option<String>,
    since: Option<String>,
    until: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
    format: Option<String>,
}

impl JournalQuery {
    /// Reads and checks a query string and the `Accept` header.
    ///
    /// # Errors
    /// Every bad parameter, named.
    pub fn parse(query: Option<&str>, headers: &HeaderMap) -> Result<Self, Violations> {
        let raw: Raw = server_kit::parse_query(query)?;
        let mut found = Violations::default();
        let step = raw
            .step
            .as_deref()
            .and_then(|text| number(&mut found, "step", text, 1, 99));
        let limit = raw
            .limit
            .as_deref()
            .and_then(|text| number(&mut found, "limit", text, 1, MAX_JOURNAL_PAGE));
        let after = match raw.cursor.as_deref() {
            None => 0,
            Some(text) => text.parse().unwrap_or_else(|_| {
                found.push("cursor", Rule::Pattern("a nextCursor of an earlier page"));
                0
            }),
        };
        let since = raw
            .since
            .as_deref()
            .and_then(|text| time(&mut found, "since", text));
        let until = raw
            .until
            .as_deref()
            .and_then(|text| time(&mut found, "until", text));
        if let (Some(since), Some(until)) = (since, until)
            && until < since
        {
            found.push("until", Rule::Pattern("at or after since"));
        }
        let ndjson = match raw.format.as_deref() {
            Some("ndjson") => true,
            Some("json") => false,
            Some(_) => {
                found.push("format", Rule::Pattern("json or ndjson"));
                false
            }
            None => accepts_ndjson(headers),
        };
        found.into_result()?;
        let filter = Filter {
            invoice_id: raw.invoice_id,
            endpoint_id: raw.endpoint_id,
            serial: raw.serial,
            step: step.and_then(|step| u8::try_from(step).ok()),
            since,
            until,
        };
        Ok(Self {
            filter,
            limit,
            after,
            ndjson,
        })
    }

    /// The answer: a JSON page, or the NDJSON export.
    pub fn answer(&self, journal: &Journal) -> Response {
        let default_limit = if self.ndjson {
            usize::MAX
        } else {
            DEFAULT_JOURNAL_PAGE
        };
        let limit = self.limit.unwrap_or(default_limit);
        let (entries, more) = journal.select(self.after, limit, |entry| self.filter.matches(entry));
        if self.ndjson {
            return ndjson(&entries);
        }
        let next_cursor = more
            .then(|| entries.last().map(|entry| entry.id.to_string()))
            .flatten();
        let page = JournalPage {
            entries: entries.iter().map(|entry| entry.to_wire()).collect(),
            next_cursor,
            stats: journal.stats(),
        };
        Json(page).into_response()
    }
}

fn accepts_ndjson(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.split(',').any(|kind| kind.trim().starts_with(NDJSON)))
}

fn number(found: &mut Violations, name: &str, text: &str, min: usize, max: usize) -> Option<usize> {
    match text.parse::<usize>() {
        Ok(value) if (min..=max).contains(&value) => Some(value),
        _ => {
            let rule = Rule::Range {
                min: min.to_string(),
                max: max.to_string(),
            };
            found.push(name, rule);
            None
        }
    }
}

fn time(found: &mut Violations, name: &str, text: &str) -> Option<SystemTime> {
    match OffsetDateTime::parse(text, &Rfc3339) {
        Ok(at) => Some(at.into()),
        Err(_) => {
            found.push(
                name,
                Rule::Pattern("an RFC 3339 time, e.g. 2026-01-02T03:04:05Z"),
            );
            None
        }
    }
}

fn ndjson(entries: &[std::sync::Arc<Entry>]) -> Response {
    let mut lines = Vec::with_capacity(entries.len() * 1024);
    for entry in entries {
        if serde_json::to_writer(&mut lines, &entry.to_wire()).is_ok() {
            lines.push(b'\n');
        }
    }
    let kind = [(CONTENT_TYPE, HeaderValue::from_static(NDJSON))];
    (StatusCode::OK, kind, lines).into_response()
}

/// A refused journal query, answered with the documented body in the server's cause enum `C`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct QueryError<C>(BodyError, PhantomData<C>);

impl<C> QueryError<C> {
    /// The violations of a bad query.
    pub fn new(violations: Violations) -> Self {
        Self(BodyError::Invalid(violations), PhantomData)
    }
}

impl<C: dapi::error::Cause + Serialize> WireError for QueryError<C> {
    type Cause = C;

    fn wire(&self) -> (StatusCode, C, &'static str) {
        self.0.wire()
    }
}

/// The `GET /sim/journal` answer of `journal`, bad queries refused in the cause enum `C`.
///
/// # Errors
/// [`QueryError`]: a bad parameter.
pub fn answer<C: dapi::error::Cause + Serialize>(
    journal: &Journal,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Response, Failure<QueryError<C>>> {
    let query = JournalQuery::parse(uri.query(), headers).map_err(QueryError::new)?;
    Ok(query.answer(journal))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<JournalQuery, String> {
        JournalQuery::parse(Some(query), &HeaderMap::new()).map_err(|found| found.to_string())
    }

    /// The OpenAPI documents describe the query with `sandbox_api::journal::JournalParams`: its parameters
    /// must be the ones read here, with the same bounds.
    #[test]
    fn the_documented_parameters_are_the_ones_read() {
        let schema = schemars::schema_for!(sandbox_api::journal::JournalParams);
        let properties = schema
            .get("properties")
            .and_then(|found| found.as_object())
            .unwrap();
        let samples = [
            ("invoiceId", "INV-1"),
            ("endpointId", "1234"),
            ("serial", "SN-1"),
            ("step", "99"),
            ("since", "2026-01-02T03:04:05Z"),
            ("until", "2026-01-02T03:04:06Z"),
            ("limit", "1000"),
            ("cursor", "42"),
            ("format", "json"),
        ];
        let mut documented: Vec<&str> = properties.keys().map(String::as_str).collect();
        let mut read: Vec<&str> = samples.iter().map(|(name, _)| *name).collect();
        documented.sort_unstable();
        read.sort_unstable();
        assert_eq!(documented, read);
        let query = samples
            .map(|(name, value)| format!("{name}={value}"))
            .join("&");
        assert!(parse(&query).is_ok(), "{query}");
        assert_eq!(properties["limit"]["maximum"], MAX_JOURNAL_PAGE);
        assert_eq!(properties["step"]["maximum"], 99);
        for beyond in ["limit=1001", "step=100", "step=0", "format=xml", "cursor=x"] {
            assert!(parse(beyond).is_err(), "{beyond}");
        }
    }

    #[test]
    fn every_parameter_is_read() {
        let query = parse(
            "invoiceId=INV-1&endpointId=1234&serial=SN-1&step=23&since=2026-01-02T03:04:05Z&until=2026-01-02T05:00:00.5%2B01:00&limit=5&cursor=42&format=ndjson",
        )
        .unwrap();
        assert_eq!(query.filter.invoice_id.as_deref(), Some("INV-1"));
        assert_eq!(
            (query.filter.step, query.limit, query.after, query.ndjson),
            (Some(23), Some(5), 42, true)
        );
        assert!(query.filter.since.is_some());
        assert_eq!(parse("").unwrap(), JournalQuery::default());
    }

    #[test]
    fn bad_parameters_are_each_named() {
        let text = parse("step=0&limit=5000&cursor=x&since=yesterday&format=xml").unwrap_err();
        for name in ["step", "limit", "cursor", "since", "format"] {
            assert!(text.contains(name), "{name}: {text}");
        }
        assert!(
            parse("until=2026-01-01T00:00:00Z&since=2026-01-02T00:00:00Z")
                .unwrap_err()
                .contains("until")
        );
        let unknown = parse("invoice=INV-1").unwrap_err();
        assert!(unknown.contains("unknown"), "{unknown}");
        assert!(parse("limit=-1").is_err() && parse("step=1e3").is_err());
    }

    #[test]
    fn ndjson_is_chosen_by_format_or_accept() {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("text/html, application/x-ndjson;q=0.9"),
        );
        assert!(JournalQuery::parse(None, &headers).unwrap().ndjson);
        assert!(
            !JournalQuery::parse(Some("format=json"), &headers)
                .unwrap()
                .ndjson
        );
    }
}
