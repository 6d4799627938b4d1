//! Structured validation: a [`Violation`] is a field path and the [`Rule`] it breaks.
//!
//! [`decode`] runs serde (a missing or mistyped field is a violation too, with its path) and then the
//! message's [`Validate`] impl, which checks the spec's lengths, ranges, one-ofs and conditional fields; the
//! format rules of single fields (dates, country codes, IPv4 text, hex digits) are in `validate/formats.rs`.

use serde::de::DeserializeOwned;
use std::fmt;

mod formats;

/// The rule a field breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// The body is not JSON at all (or not UTF-8).
    MalformedJson(String),
    /// The request was not sent as `Content-Type: application/json`.
    ContentType,
    /// The body is larger than the server accepts.
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A required field is absent.
    Missing,
    /// The field has the wrong JSON type or an unknown enum value.
    Type(String),
    /// The object has a member that is not one of its fields (where unknown members are refused); the member's
    /// name is not repeated, as it may be anything, a card number included.
    UnknownField {
        /// The fields allowed, as serde lists them.
        expected: String,
    },
    /// A string's length in characters is outside `min..=max`.
    Length {
        /// Shortest allowed length.
        min: usize,
        /// Longest allowed length.
        max: usize,
    },
    /// A number is outside `min..=max`.
    Range {
        /// Smallest allowed value.
        min: String,
        /// Largest allowed value.
        max: String,
    },
    /// Exactly one of these fields must be present.
    ExactlyOneOf(&'static [&'static str]),
    /// Either this field or all of these must be present.
    OneOfGroups(&'static str),
    /// Only digits are allowed.
    Digits,
    /// The card number fails the Luhn check.
    Luhn,
    /// The value must match a pattern, described in words.
    Pattern(&'static str),
    /// The member must not be sent in this message; says what to send instead.
    Forbidden(&'static str),
    /// The value differs from the one expected.
    Mismatch {
        /// What was expected (never a secret or a full card number).
        expected: String,
        /// What was received (never a secret or a full card number).
        actual: String,
    },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MalformedJson(detail) => write!(f, "malformed JSON: {detail}"),
            Self::ContentType => f.write_str("must be sent with Content-Type: application/json"),
            Self::TooLarge { limit } => write!(f, "must be at most {limit} bytes"),
            Self::Missing => f.write_str("is required"),
            Self::Type(detail) => write!(f, "has the wrong type: {detail}"),
            Self::UnknownField { expected } => {
                write!(f, "has an unknown member; expected {expected}")
            }
            Self::Length { min, max } if min == max => write!(f, "must be {min} characters long"),
            Self::Length { min, max } => write!(f, "must be {min}–{max} characters long"),
            Self::Range { min, max } => write!(f, "must be between {min} and {max}"),
            Self::ExactlyOneOf(fields) => {
                write!(f, "must have exactly one of {}", fields.join(", "))
            }
            Self::OneOfGroups(groups) => write!(f, "must have {groups}"),
            Self::Digits => f.write_str("must contain only digits"),
            Self::Luhn => f.write_str("must pass the Luhn check"),
            Self::Pattern(pattern) => write!(f, "must be {pattern}"),
            Self::Forbidden(instead) => write!(f, "must not be sent: {instead}"),
            Self::Mismatch { expected, actual } => {
                write!(f, "expected {expected:?}, got {actual:?}")
            }
        }
    }
}

/// One broken rule at one field path (dot notation, e.g. `sourceOfFunds.card.number`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Field path in the spec's dot notation; empty for the whole body.
    pub path: String,
    /// The rule the field breaks.
    pub rule: Rule,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "body {}", self.rule)
        } else {
            write!(f, "{} {}", self.path, self.rule)
        }
    }
}

/// All violations found in one message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// A single violation.
    pub fn one(path: impl Into<String>, rule: Rule) -> Self {
        Self(vec![Violation {
            path: path.into(),
            rule,
        }])
    }

    /// Records a violation.
    pub fn push(&mut self, path: impl Into<String>, rule: Rule) {
        self.0.push(Violation {
            path: path.into(),
            rule,
        });
    }

    /// Checks a string's length in characters.
    pub fn length(&mut self, path: &str, value: &str, min: usize, max: usize) {
        let length = value.chars().count();
        if length < min || length > max {
            self.push(path, Rule::Length { min, max });
        }
    }

    /// Checks an optional string's length, if present.
    pub fn optional_length(&mut self, path: &str, value: Option<&str>, min: usize, max: usize) {
        if let Some(value) = value {
            self.length(path, value, min, max);
        }
    }

    /// Checks a number against an inclusive range.
    pub fn range<T: PartialOrd + fmt::Display>(&mut self, path: &str, value: T, min: T, max: T) {
        if value < min || value > max {
            self.push(
                path,
                Rule::Range {
                    min: min.to_string(),
                    max: max.to_string(),
                },
            );
        }
    }

    /// Checks an ISO 4217 alphabetic code: three upper-case ASCII letters.
    pub fn currency(&mut self, path: &str, value: &str) {
        if value.len() != 3 || !value.bytes().all(|b| b.is_ascii_uppercase()) {
            self.push(path, Rule::Pattern("three upper-case letters (ISO 4217)"));
        }
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The violations found, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Violation> {
        self.0.iter()
    }

    /// `Ok(())` when empty, else `Err(self)`.
    ///
    /// # Errors
    /// When at least one violation was recorded.
    pub fn into_result(self) -> Result<(), Self> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, violation) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

impl IntoIterator for Violations {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// A message that knows the spec's constraints on its fields.
pub trait Validate {
    /// Records every constraint this value breaks.
    fn validate(&self, violations: &mut Violations);
}

/// Decodes a JSON body and validates it.
///
/// # Errors
/// Malformed JSON, a missing or mistyped field (with its path), or any broken [`Validate`] rule.
pub fn decode<T: DeserializeOwned + Validate>(body: &[u8]) -> Result<T, Violations> {
    let value = parse::<T>(body)?;
    let mut violations = Violations::default();
    value.validate(&mut violations);
    violations.into_result().map(|()| value)
}

/// Decodes a JSON body without running [`Validate`], reporting serde errors with their field path.
///
/// # Errors
/// Malformed JSON or a missing or mistyped field.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Violations> {
    // serde reads a struct from a JSON array of its fields too; every message is an object on the wire.
    let array = body.iter().find(|byte| !byte.is_ascii_whitespace()) == Some(&b'[');
    if array && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
        return Err(Violations::one(
            "",
            Rule::Type("found an array, expected an object".to_owned()),
        ));
    }
    // Tracking the path doubles the cost of decoding (BENCHMARKS.md); it is only needed to say where a body that
    // does not decode went wrong, so decode plainly first and again, with paths, only on an error.
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(deserializer).map_err(path_violation)?;
    Ok(value)
}

fn path_violation(error: serde_path_to_error::Error<serde_json::Error>) -> Violations {
    let path = error.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let inner = error.into_inner();
    let detail = without_position(&inner.to_string());
    if !inner.is_data() {
        return Violations::one("", Rule::MalformedJson(detail));
    }
    if let Some(field) = detail
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        let full = if path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        return Violations::one(full, Rule::Missing);
    }
    if let Some((_, expected)) = detail
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once("`, expected "))
    {
        // The path ends with the unknown member's name: report its object instead.
        let parent = path.rsplit_once('.').map_or("", |(parent, _)| parent);
        return Violations::one(
            parent,
            Rule::UnknownField {
                expected: expected.to_owned(),
            },
        );
    }
    Violations::one(path, Rule::Type(without_value(&detail)))
}

/// serde quotes the offending value (``invalid type: integer `4111…`, expected a string``), which may be a card
/// number or a security code: keep only the kinds, ``found integer, expected a string``.
fn without_value(detail: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = detail.strip_prefix(prefix) {
            let found = match rest.split([' ', ',']).next().unwrap_or_default() {
                "floating" => "floating point number",
                kind => kind,
            };
            let expected = rest
                .rsplit_once(", expected ")
                .map_or("another type", |(_, expected)| expected);
            return format!("found {found}, expected {expected}");
        }
    }
    if let Some((_, expected)) = detail
        .strip_prefix("unknown variant ")
        .and_then(|rest| rest.split_once(", expected "))
    {
        return format!("unknown value, expected {expected}");
    }
    detail.to_owned()
}

/// serde_json appends " at line L column C"; the path says more and the position is noise.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Outer {
        inner: Inner,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Inner {
        amount_centis: u64,
        name: String,
    }

    impl Validate for Outer {
        fn validate(&self, violations: &mut Violations) {
            violations.length("inner.name", &self.inner.name, 1, 3);
            violations.range("inner.amountCentis", self.inner.amount_centis, 1, 1000);
        }
    }

    #[test]
    fn missing_field_is_reported_with_its_full_path() {
        let error = decode::<Outer>(br#"{"inner":{"name":"a"}}"#).unwrap_err();
        assert_eq!(error, Violations::one("inner.amountCentis", Rule::Missing));
    }

    #[test]
    fn wrong_type_is_reported_at_the_field() {
        let error = decode::<Outer>(br#"{"inner":{"amountCentis":"10","name":"a"}}"#).unwrap_err();
        let violation = error.iter().next().unwrap();
        assert_eq!(violation.path, "inner.amountCentis");
        assert!(matches!(violation.rule, Rule::Type(_)), "{violation}");
    }

    #[test]
    fn type_errors_never_quote_the_value() {
        let error = decode::<Outer>(br#"{"inner":{"amountCentis":"4111111111111111","name":"a"}}"#)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "inner.amountCentis has the wrong type: found string, expected u64"
        );
        let error = decode::<Outer>(br#"{"inner":{"amountCentis":1,"name":4111111111111111}}"#)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "inner.name has the wrong type: found integer, expected a string"
        );
        let error = decode::<Outer>(br#"{"inner":{"amountCentis":-321,"name":"a"}}"#).unwrap_err();
        assert!(!error.to_string().contains("321"), "{error}");
    }

    #[test]
    fn malformed_json_and_invalid_utf8_are_body_violations() {
        for body in [&b"{\"inner\":"[..], b"not json", b"\xff\xfe"] {
            let error = decode::<Outer>(body).unwrap_err();
            assert!(
                matches!(error.iter().next().unwrap().rule, Rule::MalformedJson(_)),
                "{error}"
            );
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(decode::<Outer>(r#"{"inner":{"amountCentis":1,"name":"äöü"}}"#.as_bytes()).is_ok());
        let error = decode::<Outer>(br#"{"inner":{"amountCentis":1,"name":"abcd"}}"#).unwrap_err();
        assert_eq!(error.to_string(), "inner.name must be 1–3 characters long");
    }
}
