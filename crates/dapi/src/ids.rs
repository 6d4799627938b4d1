//! Identifier newtypes, so a nonce cannot go where an invoice id belongs.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// Reads a JSON string straight into an `Arc<str>`: one allocation, no intermediate `String`.
struct SharedStr;

impl Visitor<'_> for SharedStr {
    type Value = Arc<str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Arc<str>, E> {
        Ok(Arc::from(value))
    }
}

/// Declares a newtype over a shared `Arc<str>`, (de)serialised as a plain JSON string, with `as_str`, `Display`
/// and conversions, and its JSON Schema: a plain string, with the spec's length in characters where the spec
/// gives one for every use (`SessionToken(16..=36)`); a length that holds in one message only is written on
/// that message's field.
///
/// Shared, because the servers keep one id in several places (a map's key, the record, an index, an order):
/// a clone is a reference count, not another allocation, and the id is 16 bytes inline instead of 24.
macro_rules! string_id {
    ($($(#[$doc:meta])* $name:ident $(($min:literal ..= $max:literal))?;)+) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Arc<str>);

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(SharedStr).map(Self)
            }
        }

        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(Arc::from(value))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(Arc::from(value))
            }
        }

        /// Inlined where used, so a message's field can add its own length and description.
        impl JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                #[allow(unused_mut, reason = "only ids with a length add to it")]
                let mut schema = json_schema!({"type": "string"});
                $(
                    schema.insert("minLength".to_owned(), $min.into());
                    schema.insert("maxLength".to_owned(), $max.into());
                )?
                schema
            }
        }
    )+};
}

string_id! {
    /// The Connecting Party server's id of a sale (spec 1); travels in URL paths and as `client_orderid`.
    InvoiceId;
    /// The gateway terminal a sale is booked on (spec 1).
    EndpointId;
    /// The gateway's session token of one sale, 16–36 chars (spec 3.3).
    SessionToken(16..=36);
    /// The consumer session token issued by the Connecting Party server, 32–128 chars (spec 3.1).
    AccessToken(32..=128);
    /// The unique random string of one initiate sale, 32–128 chars (spec 3.2).
    Nonce(32..=128);
    /// The device serial number, 1–50 chars (spec 3.2).
    SerialNumber(1..=50);
    /// The Connecting Party's alias of a card (spec 2.2), 1–128 chars.
    ClientCardId(1..=128);
    /// The gateway's order id (`orderId` in status, `orderid` in callbacks).
    OrderId;
    /// A consumer e-mail address, 3–128 chars.
    Email(3..=128);
    /// A hex signature as found in a message (`signature`, `checkSignature`), 32–128 chars; verify it with
    /// `signature::verify`.
    SignatureHex(32..=128);
}

/// The longest invoice id the gateway takes and forwards (spec 3.2 \[DECISION\]: `[A-Za-z0-9._-]{1,128}`).
pub const MAX_INVOICE_ID_CHARS: usize = 128;

impl InvoiceId {
    /// Whether the id can travel in a URL path and as `client_orderid` as it is: 1–128 characters of
    /// `[A-Za-z0-9._-]` (spec 3.2 \[DECISION\]), and not `.` or `..`, which a receiver that decodes `%2E` before
    /// resolving dot-segments would read as "this folder" or "the parent folder".
    pub fn is_forwardable(&self) -> bool {
        let id = self.as_str();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        (1..=MAX_INVOICE_ID_CHARS).contains(&id.len())
            && id.chars().all(allowed)
            && id != "."
            && id != ".."
    }
}

/// The gateway's card reference (spec 3.7). Emitted as a JSON string; a JSON number is accepted too (spec A12).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ServerCardId(String);

impl ServerCardId {
    /// The value as a decimal string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServerCardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for ServerCardId {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for ServerCardId {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// A string of 1–64 characters (spec 3.7), or a non-negative integer (spec A12).
impl JsonSchema for ServerCardId {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ServerCardId")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "anyOf": [
                {"type": "string", "minLength": 1, "maxLength": 64},
                {"type": "integer", "minimum": 0, "maximum": u64::MAX}
            ]
        })
    }
}

impl<'de> Deserialize<'de> for ServerCardId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged, expecting = "a string or a non-negative integer")]
        enum StringOrNumber {
            String(String),
            Number(u64),
        }
        Ok(match StringOrNumber::deserialize(deserializer)? {
            StringOrNumber::String(text) => Self(text),
            StringOrNumber::Number(number) => Self(number.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_card_id_accepts_a_string_or_a_number_and_emits_a_string() {
        let from_number: ServerCardId = serde_json::from_str("9876543").unwrap();
        let from_string: ServerCardId = serde_json::from_str("\"9876543\"").unwrap();
        assert_eq!(from_number, from_string);
        assert_eq!(serde_json::to_string(&from_number).unwrap(), "\"9876543\"");
        assert!(serde_json::from_str::<ServerCardId>("-1").is_err());
    }

    #[test]
    fn forwardable_invoice_ids_keep_the_spec_decision_and_are_no_dot_segment() {
        let longest = "A".repeat(MAX_INVOICE_ID_CHARS);
        for good in ["INV-2024-000042", "a.b", "x_y-z", "...", longest.as_str()] {
            assert!(InvoiceId::from(good).is_forwardable(), "{good}");
        }
        let too_long = "A".repeat(MAX_INVOICE_ID_CHARS + 1);
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "../x",
            "a?b",
            "a#b",
            "a b",
            "%2F",
            "ü",
            too_long.as_str(),
        ] {
            assert!(!InvoiceId::from(bad).is_forwardable(), "{bad}");
        }
    }

    #[test]
    fn ids_are_transparent_strings() {
        let id: InvoiceId = serde_json::from_str("\"INV-1\"").unwrap();
        assert_eq!(id.as_str(), "INV-1");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"INV-1\"");
    }
}
