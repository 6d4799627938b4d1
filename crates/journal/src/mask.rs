//! What the journal keeps of a message's text: card numbers masked ([`dapi::card::mask_pan`] on every JSON
//! `number`, [`dapi::card::mask_card_numbers`] on every other string), the CVV, passwords, control values and
//! control keys replaced by [`REMOVED`], and the `authorization` and `cookie` header values too. A full PAN or a
//! CVV is never stored.
//!
//! Recording must be cheap, so a body is parsed only when a quick scan finds something to mask (a sensitive
//! key or a card-like run of digits); otherwise the body's bytes are kept as they are, without a copy.

use bytes::Bytes;
use dapi::card::{CARD_LIKE_DIGITS, mask_card_numbers, mask_pan};
use memchr::memmem::Finder;
use serde_json::Value;
use std::sync::LazyLock;

/// What replaces a removed value.
pub const REMOVED: &str = "<removed>";

/// Keys (JSON members, form fields, query parameters) whose value is never kept.
const SECRET_KEYS: [&str; 8] = [
    "securityCode",
    "cvv",
    "cvc",
    "cvv2",
    "password",
    "control",
    "controlKey",
    "control_key",
];

/// The JSON member holding a card number (`sourceOfFunds.card.number`): masked whatever its type.
const CARD_NUMBER_KEY: &str = "number";

/// Header names (lower case) whose value is never kept.
pub(crate) const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

/// How a body is encoded, from its `Content-Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Encoding {
    Json,
    Form,
    Text,
}

impl Encoding {
    /// From a `Content-Type` value; a body without one that looks like JSON is JSON.
    pub(crate) fn of(content_type: Option<&str>, body: &[u8]) -> Self {
        match content_type {
            Some(kind) if kind.contains("json") => Self::Json,
            Some(kind) if kind.starts_with("application/x-www-form-urlencoded") => Self::Form,
            Some(_) => Self::Text,
            None if matches!(body.first(), Some(b'{' | b'[')) => Self::Json,
            None => Self::Text,
        }
    }
}

/// The body as the journal keeps it: the same bytes when nothing needs masking.
pub(crate) fn body(encoding: Encoding, body: &Bytes) -> Bytes {
    if body.is_empty() || !needs_masking(body) {
        return body.clone();
    }
    match encoding {
        Encoding::Json => json(body).unwrap_or_else(|| text(body)),
        Encoding::Form => Bytes::from(urlencoded(&String::from_utf8_lossy(body))),
        Encoding::Text => text(body),
    }
}

/// A query string as the journal keeps it.
pub(crate) fn query(query: &str) -> String {
    if needs_masking(query.as_bytes()) {
        urlencoded(query)
    } else {
        query.to_owned()
    }
}

/// The names [`needs_masking`] looks for, each searched with SIMD (`memchr`): a byte-by-byte window
/// comparison was the largest single cost of recording a sale status exchange.
static SENSITIVE_NAMES: LazyLock<Vec<Finder<'static>>> = LazyLock::new(|| {
    SECRET_KEYS
        .iter()
        .chain([&CARD_NUMBER_KEY])
        .map(|name| Finder::new(name.as_bytes()))
        .collect()
});

/// Whether a scan finds a secret key's name or a card-like digit run: false means the bytes can be kept.
fn needs_masking(bytes: &[u8]) -> bool {
    SENSITIVE_NAMES
        .iter()
        .any(|name| name.find(bytes).is_some())
        || has_card_like_run(bytes)
}

/// A run of at least [`CARD_LIKE_DIGITS`] digits, single spaces or dashes allowed between them, as
/// [`mask_card_numbers`] reads one.
fn has_card_like_run(bytes: &[u8]) -> bool {
    let mut digits = 0;
    let mut previous_was_digit = false;
    for (index, &byte) in bytes.iter().enumerate() {
        if byte.is_ascii_digit() {
            digits += 1;
            previous_was_digit = true;
            if digits >= CARD_LIKE_DIGITS {
                return true;
            }
            continue;
        }
        let joins = matches!(byte, b' ' | b'-')
            && previous_was_digit
            && bytes.get(index + 1).is_some_and(u8::is_ascii_digit);
        if !joins {
            digits = 0;
        }
        previous_was_digit = false;
    }
    false
}

fn text(body: &[u8]) -> Bytes {
    Bytes::from(mask_card_numbers(&String::from_utf8_lossy(body)))
}

/// A JSON body with every secret replaced; `None` when it is not JSON after all.
fn json(body: &[u8]) -> Option<Bytes> {
    let mut value: Value = serde_json::from_slice(body).ok()?;
    mask_value(&mut value);
    serde_json::to_vec(&value).ok().map(Bytes::from)
}

fn mask_value(value: &mut Value) {
    match value {
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                if SECRET_KEYS.contains(&key.as_str()) {
                    *member = Value::String(REMOVED.to_owned());
                } else if key == CARD_NUMBER_KEY {
                    mask_card_number(member);
                } else {
                    mask_value(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_value),
        Value::String(text) => {
            if has_card_like_run(text.as_bytes()) {
                *text = mask_card_numbers(text);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn mask_card_number(member: &mut Value) {
    match member {
        Value::String(number) => *number = mask_pan(number),
        Value::Number(number) => *member = Value::String(mask_pan(&number.to_string())),
        other => mask_value(other),
    }
}

/// `a=1&b=2` with secret values replaced and card numbers masked, re-encoded.
fn urlencoded(encoded: &str) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(encoded.as_bytes()) {
        if SECRET_KEYS.contains(&name.as_ref()) {
            out.append_pair(&name, REMOVED);
        } else {
            out.append_pair(&mask_card_numbers(&name), &mask_card_numbers(&value));
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked_json(text: &str) -> Value {
        let kept = body(Encoding::Json, &Bytes::from(text.to_owned()));
        serde_json::from_slice(&kept).unwrap()
    }

    #[test]
    fn a_perform_body_keeps_no_pan_and_no_cvv() {
        let value = masked_json(
            r#"{"sourceOfFunds":{"card":{"number":"4111111111111111","securityCode":"321",
               "holder":{"printedName":"PAN 5555 5555 5555 4444"}}},"transaction":{"amountCentis":1050}}"#,
        );
        let card = &value["sourceOfFunds"]["card"];
        assert_eq!(card["number"], "411111******1111");
        assert_eq!(card["securityCode"], REMOVED);
        assert_eq!(card["holder"]["printedName"], "PAN 5555 55** **** 4444");
        assert_eq!(value["transaction"]["amountCentis"], 1050);
        let numeric = masked_json(r#"{"card":{"number":4111111111111111}}"#);
        assert_eq!(numeric["card"]["number"], "411111******1111");
    }

    #[test]
    fn a_body_with_nothing_to_mask_is_kept_without_a_copy() {
        let status =
            Bytes::from_static(br#"{"session":{"token":"0b9f6a4e"},"state":"PROCESSING"}"#);
        let kept = body(Encoding::Json, &status);
        assert_eq!(kept.as_ptr(), status.as_ptr(), "the same bytes");
    }

    #[test]
    fn callback_queries_and_3ds_forms_lose_their_secrets() {
        let callback = query("status=approved&orderid=5021334&control=2c692b7c&amount=10.50");
        assert_eq!(
            callback,
            "status=approved&orderid=5021334&control=%3Cremoved%3E&amount=10.50"
        );
        let form = body(
            Encoding::Form,
            &Bytes::from_static(b"password=hint&action=submit"),
        );
        assert_eq!(&form[..], b"password=%3Cremoved%3E&action=submit");
        assert_eq!(query("a=1&b=2"), "a=1&b=2");
    }

    #[test]
    fn text_and_broken_json_are_masked_as_free_text() {
        let page = body(
            Encoding::Text,
            &Bytes::from_static(b"<dd>4111 1111 1111 1111</dd>"),
        );
        assert_eq!(&page[..], "<dd>4111 11** **** 1111</dd>".as_bytes());
        let broken = body(
            Encoding::Json,
            &Bytes::from_static(br#"{"number":"4111111111111111""#),
        );
        assert!(!String::from_utf8_lossy(&broken).contains("4111111111111111"));
    }

    #[test]
    fn card_like_runs_are_found_as_the_free_text_rule_reads_them() {
        assert!(has_card_like_run(b"x 4111-1111-1111-1111 y"));
        assert!(has_card_like_run(b"411111111111"));
        assert!(!has_card_like_run(b"41111111111 and 2024-05-17 14:03:22"));
        assert!(
            !has_card_like_run(b"1 2 3 4 5 6 7 8 9 0 1"),
            "eleven digits are no card number"
        );
    }

    #[test]
    fn the_encoding_follows_the_content_type() {
        assert_eq!(
            Encoding::of(Some("application/json; charset=utf-8"), b""),
            Encoding::Json
        );
        assert_eq!(
            Encoding::of(Some("application/x-www-form-urlencoded"), b""),
            Encoding::Form
        );
        assert_eq!(Encoding::of(Some("text/html"), b"{"), Encoding::Text);
        assert_eq!(Encoding::of(None, b"{}"), Encoding::Json);
    }
}
