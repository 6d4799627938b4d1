//! URL-encoded input — query strings and HTML form bodies — decoded strictly: invalid UTF-8 after percent-decoding
//! is refused (serde_urlencoded would replace it with U+FFFD and carry on), and every failure is a [`Violations`]
//! naming the parameter, so it ends as the documented error body.

use crate::body::BodyError;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use dapi::{Rule, Violations};
use serde::de::DeserializeOwned;

/// Decodes a query string (without the `?`) into `T`; `None` is an empty query.
///
/// # Errors
/// Invalid UTF-8, a missing parameter (named), or a mistyped one.
pub fn parse_query<T: DeserializeOwned>(query: Option<&str>) -> Result<T, Violations> {
    parse_urlencoded(query.unwrap_or_default().as_bytes(), "query")
}

/// Decodes `application/x-www-form-urlencoded` bytes into `T`; `whole` names the input (`query`, `form`) in a
/// violation that is about no one parameter.
///
/// # Errors
/// Invalid UTF-8, a missing parameter (named), or a mistyped one.
pub fn parse_urlencoded<T: DeserializeOwned>(encoded: &[u8], whole: &str) -> Result<T, Violations> {
    strict_utf8(encoded, whole)?;
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let at = if path == "." { whole.to_owned() } else { path };
        parameter_violation(&error.into_inner().to_string(), &at)
    })
}

/// Every name and value, once `+` and `%XX` are decoded, must be UTF-8.
fn strict_utf8(encoded: &[u8], whole: &str) -> Result<(), Violations> {
    for pair in encoded.split(|&byte| byte == b'&') {
        for part in pair.splitn(2, |&byte| byte == b'=') {
            let spaced: Vec<u8> = part
                .iter()
                .map(|&byte| if byte == b'+' { b' ' } else { byte })
                .collect();
            if percent_encoding::percent_decode(&spaced)
                .decode_utf8()
                .is_err()
            {
                let rule = Rule::Type("invalid UTF-8 in a URL-encoded parameter".to_owned());
                return Err(Violations::one(whole, rule));
            }
        }
    }
    Ok(())
}

/// serde_urlencoded says "missing field `x`", "unknown field `x`, expected …", "unknown variant `x`, expected …"
/// or a type error, about the parameter at `whole` (or the whole input); the offending value or name is never
/// repeated.
fn parameter_violation(detail: &str, whole: &str) -> Violations {
    let quoted = |prefix: &str| {
        detail
            .strip_prefix(prefix)
            .and_then(|rest| rest.split_once("`, expected "))
    };
    if let Some(field) = detail
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return Violations::one(field, Rule::Missing);
    }
    if let Some((_, expected)) = quoted("unknown field `") {
        return Violations::one(
            whole,
            Rule::UnknownField {
                expected: expected.to_owned(),
            },
        );
    }
    if let Some((_, expected)) = quoted("unknown variant `") {
        return Violations::one(
            whole,
            Rule::Type(format!("unknown value, expected {expected}")),
        );
    }
    let without_value = match detail.split_once(": ") {
        Some((kind, _)) if kind.starts_with("invalid") => kind.to_owned(),
        _ => detail.to_owned(),
    };
    Violations::one(whole, Rule::Type(without_value))
}

/// An HTML form body (`application/x-www-form-urlencoded`) decoded strictly; the rejection is a [`BodyError`].
#[derive(Debug)]
pub struct FormBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for FormBody<T> {
    type Rejection = BodyError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            let rule = Rule::Pattern("sent with Content-Type: application/x-www-form-urlencoded");
            return Err(BodyError::Invalid(Violations::one("", rule)));
        }
        let bytes = crate::body::read_body(request, state).await?;
        parse_urlencoded(&bytes, "form")
            .map(FormBody)
            .map_err(BodyError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Query {
        serial_number: String,
    }

    #[test]
    fn queries_decode_and_name_what_is_missing() {
        let query: Query = parse_query(Some("serialNumber=SN%2D1+x")).unwrap();
        assert_eq!(query.serial_number, "SN-1 x");
        assert_eq!(
            parse_query::<Query>(None).unwrap_err().to_string(),
            "serialNumber is required"
        );
    }

    #[test]
    fn invalid_utf8_is_refused_not_replaced() {
        for raw in ["serialNumber=%FF%FE", "%C3=x", "a=%ED%A0%80"] {
            let error = parse_query::<HashMap<String, String>>(Some(raw)).unwrap_err();
            assert!(
                error.to_string().contains("invalid UTF-8"),
                "{raw}: {error}"
            );
        }
        let fine: HashMap<String, String> = parse_query(Some("name=J%C3%BCrgen")).unwrap();
        assert_eq!(fine["name"], "Jürgen");
    }
}
