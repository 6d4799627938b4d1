//! [`ConfigError`]: why a configuration file was refused, naming the key and line, never a control key's text.

use dapi::signature::KeyError;

/// Why a configuration file was refused. No variant carries a control key's text.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Not TOML, an unknown key, or a value of the wrong type.
    #[error("line {line}: {message}")]
    Syntax {
        /// 1-based line of the error (0 when unknown).
        line: usize,
        /// What is wrong, without the source text.
        message: String,
    },
    /// A `control_key` is not hex digits with optional dashes.
    #[error("endpoint {endpoint}: control_key is invalid: {reason}")]
    ControlKey {
        /// The endpoint id.
        endpoint: String,
        /// Why.
        reason: KeyError,
    },
    /// A URL is not an absolute `http`/`https` URL.
    #[error("{field} {value:?} is not an absolute http(s) URL")]
    Url {
        /// The key, e.g. `endpoint 1234: party_url`.
        field: String,
        /// The value.
        value: String,
    },
    /// `public_url` leaves no room for `/sim/3ds/{token}` within `redirectUrl`'s 128 characters.
    #[error("public_url is {0} characters long; at most 82 fit in a 128-character redirectUrl")]
    PublicUrlTooLong(usize),
    /// `dapi_prefix` is not a path like `/paynet/dapi/v1`.
    #[error("dapi_prefix {0:?} must start with '/' and contain no '{{', '}}' or '*'")]
    Prefix(String),
    /// No `[[endpoint]]` table.
    #[error("no [[endpoint]] configured")]
    NoEndpoint,
    /// Two endpoints share an id.
    #[error("endpoint {0} is configured twice")]
    DuplicateEndpoint(String),
    /// A currency is not three upper-case letters.
    #[error(
        "endpoint {endpoint}: currency {currency:?} is not three upper-case letters (ISO 4217)"
    )]
    Currency {
        /// The endpoint id.
        endpoint: String,
        /// The value.
        currency: String,
    },
    /// A retry schedule has no attempt.
    #[error("timings.{0}.attempts must be at least 1")]
    NoAttempt(&'static str),
    /// `max_sales` is 0.
    #[error("max_sales must be at least 1")]
    NoSales,
}
