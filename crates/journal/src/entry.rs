//! An exchange as the journal keeps it ([`Entry`]: bodies as shared [`Bytes`], masked once when recorded) and
//! as it is answered ([`sandbox_api::JournalEntry`], made only when someone reads it).

use crate::mask::{self, Encoding, REMOVED, SECRET_HEADERS};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, Method};
use bytes::Bytes;
use dapi::Step;
use sandbox_api::{JournalEntry, JournalMessage, Participant, SaleRef};
use std::time::{Duration, SystemTime};
use time::OffsetDateTime;
use time::macros::format_description;

/// The most bytes of one body the journal keeps; a longer one is cut (and says so).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Bytes counted for an entry besides its bodies, headers and path (the entry itself, its ids).
const ENTRY_OVERHEAD: usize = 256;

/// One side of an exchange as it went over the wire (unmasked): what [`crate::Journal::record`] takes.
#[derive(Clone, Debug, Default)]
pub struct Part {
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body, or as much of it as was read.
    pub body: Bytes,
}

/// One exchange as it happened (unmasked): what [`crate::Journal::record`] takes.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The sender.
    pub from: Participant,
    /// The receiver.
    pub to: Participant,
    /// The request's diagram step, when its route has one.
    pub step: Option<Step>,
    /// The answer's diagram step.
    pub answer: Option<Step>,
    /// The method.
    pub method: Method,
    /// The path, as sent.
    pub path: String,
    /// The query string, without `?`.
    pub query: Option<String>,
    /// When the request started.
    pub started: SystemTime,
    /// How long until the whole answer was there.
    pub latency: Duration,
    /// The request.
    pub request: Part,
    /// The answer's status and body, when one came.
    pub response: Option<(u16, Part)>,
    /// Why no answer came.
    pub error: Option<String>,
    /// The sale it belongs to.
    pub sale: SaleRef,
}

/// A masked side of an exchange.
#[derive(Debug)]
pub(crate) struct Kept {
    headers: Vec<(String, String)>,
    body: Bytes,
    truncated: bool,
}

/// A recorded exchange.
#[derive(Debug)]
pub struct Entry {
    /// Its id.
    pub id: u64,
    pub(crate) exchange_meta: Meta,
    pub(crate) request: Kept,
    pub(crate) response: Option<Kept>,
    /// Approximate memory it takes.
    pub(crate) bytes: usize,
}

/// What an entry keeps besides its two sides.
#[derive(Debug)]
pub(crate) struct Meta {
    pub(crate) from: Participant,
    pub(crate) to: Participant,
    pub(crate) step: Option<Step>,
    pub(crate) answer: Option<Step>,
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) started: SystemTime,
    pub(crate) latency: Duration,
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<String>,
    pub(crate) sale: SaleRef,
}

impl Entry {
    /// Masks an exchange into an entry.
    pub(crate) fn masked(id: u64, exchange: Exchange) -> Self {
        let request = kept(exchange.request);
        let (status, response) = match exchange.response {
            Some((status, part)) => (Some(status), Some(kept(part))),
            None => (None, None),
        };
        let query = exchange.query.as_deref().map(mask::query);
        let side_bytes = |side: &Kept| {
            side.body.len()
                + side
                    .headers
                    .iter()
                    .map(|(n, v)| n.len() + v.len())
                    .sum::<usize>()
        };
        let bytes = ENTRY_OVERHEAD
            + exchange.path.len()
            + query.as_ref().map_or(0, String::len)
            + side_bytes(&request)
            + response.as_ref().map_or(0, side_bytes);
        let exchange_meta = Meta {
            from: exchange.from,
            to: exchange.to,
            step: exchange.step,
            answer: exchange.answer,
            method: exchange.method,
            path: exchange.path,
            query,
            started: exchange.started,
            latency: exchange.latency,
            status,
            error: exchange.error,
            sale: exchange.sale,
        };
        Self {
            id,
            exchange_meta,
            request,
            response,
            bytes,
        }
    }

    /// The sale it belongs to.
    pub fn sale(&self) -> &SaleRef {
        &self.exchange_meta.sale
    }

    /// The request's step number, if any.
    pub fn step_number(&self) -> Option<u8> {
        self.exchange_meta.step.map(|step| step.number)
    }

    /// Whether the request or the answer is diagram step `number`.
    pub fn is_step(&self, number: u8) -> bool {
        let meta = &self.exchange_meta;
        [meta.step, meta.answer]
            .iter()
            .flatten()
            .any(|step| step.number == number)
    }

    /// When it started.
    pub fn started(&self) -> SystemTime {
        self.exchange_meta.started
    }

    /// The entry as answered and shown.
    pub fn to_wire(&self) -> JournalEntry {
        let meta = &self.exchange_meta;
        let message = meta.step.map_or_else(
            || format!("{} {}", meta.method, meta.path),
            |step| step.name.to_owned(),
        );
        JournalEntry {
            id: self.id,
            at: rfc3339(meta.started),
            from: meta.from,
            to: meta.to,
            step: meta.step.map(|step| step.number),
            message,
            answer_step: meta.answer.map(|step| step.number),
            answer_message: meta.answer.map(|step| step.name.to_owned()),
            method: meta.method.to_string(),
            path: meta.path.clone(),
            query: meta.query.clone(),
            status: meta.status,
            latency_us: u64::try_from(meta.latency.as_micros()).unwrap_or(u64::MAX),
            error: meta.error.clone(),
            sale: meta.sale.clone(),
            request: wire(&self.request),
            response: self.response.as_ref().map(wire),
        }
    }
}

/// A time as RFC 3339 in UTC with exactly three digits of milliseconds, e.g. `2026-01-02T03:04:05.006Z`, so
/// that times from both servers sort as text.
pub(crate) fn rfc3339(at: SystemTime) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::from(at).format(&format).unwrap_or_default()
}

fn kept(part: Part) -> Kept {
    let content_type = part
        .headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let encoding = Encoding::of(content_type, &part.body);
    let mut body = mask::body(encoding, &part.body);
    let truncated = body.len() > MAX_BODY_BYTES;
    if truncated {
        body.truncate(MAX_BODY_BYTES);
    }
    Kept {
        headers: headers(&part.headers),
        body,
        truncated,
    }
}

fn headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let shown = if SECRET_HEADERS.contains(&name.as_str()) {
                REMOVED.to_owned()
            } else {
                text_of(value)
            };
            (name.as_str().to_owned(), shown)
        })
        .collect()
}

fn text_of(value: &HeaderValue) -> String {
    dapi::card::mask_card_numbers(&String::from_utf8_lossy(value.as_bytes()))
}

fn wire(side: &Kept) -> JournalMessage {
    JournalMessage {
        headers: side.headers.clone(),
        body: String::from_utf8_lossy(&side.body).into_owned(),
        truncated: side.truncated,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use axum::http::header::AUTHORIZATION;

    pub(crate) fn exchange(invoice: &str, body: &'static str) -> Exchange {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Bearer team-secret"),
        );
        Exchange {
            from: Participant::App,
            to: Participant::Gateway,
            step: Some(dapi::steps::PERFORM_SALE_REQUEST),
            answer: Some(dapi::steps::PERFORM_SALE_RESPONSE),
            method: Method::POST,
            path: format!("/paynet/dapi/v1/sale/1234/{invoice}"),
            query: None,
            started: SystemTime::UNIX_EPOCH + Duration::from_millis(1_767_323_045_006),
            latency: Duration::from_micros(812),
            request: Part {
                headers,
                body: Bytes::from_static(body.as_bytes()),
            },
            response: Some((200, Part::default())),
            error: None,
            sale: SaleRef {
                endpoint_id: Some("1234".into()),
                invoice_id: Some(invoice.into()),
                serial_number: Some("SN-1".into()),
            },
        }
    }

    #[test]
    fn an_entry_is_masked_once_and_answered_in_the_wire_shape() {
        let body =
            r#"{"sourceOfFunds":{"card":{"number":"4111111111111111","securityCode":"321"}}}"#;
        let entry = Entry::masked(3, exchange("INV-1", body)).to_wire();
        assert_eq!(entry.at, "2026-01-02T03:04:05.006Z");
        assert_eq!(
            rfc3339(SystemTime::UNIX_EPOCH + Duration::from_millis(410)),
            "1970-01-01T00:00:00.410Z"
        );
        assert_eq!((entry.step, entry.answer_step), (Some(6), Some(7)));
        assert_eq!(entry.message, "Perform sale request");
        assert_eq!(entry.latency_us, 812);
        assert!(
            !entry.request.body.contains("4111111111111111"),
            "{}",
            entry.request.body
        );
        assert!(
            !entry.request.body.contains("321"),
            "{}",
            entry.request.body
        );
        let authorization = entry
            .request
            .headers
            .iter()
            .find(|(name, _)| name == "authorization");
        assert_eq!(
            authorization.map(|(_, value)| value.as_str()),
            Some(REMOVED)
        );
        assert_eq!(entry.response.map(|side| side.body), Some(String::new()));
    }

    #[test]
    fn a_long_body_is_cut_and_says_so() {
        let mut exchange = exchange("INV-1", "");
        exchange.request.body = Bytes::from(vec![b'x'; MAX_BODY_BYTES + 10]);
        let entry = Entry::masked(1, exchange);
        let wire = entry.to_wire();
        assert!(wire.request.truncated);
        assert_eq!(wire.request.body.len(), MAX_BODY_BYTES);
        assert!(entry.bytes > MAX_BODY_BYTES);
    }
}
