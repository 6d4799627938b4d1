//! The TOML form of [`Config`] (format documented on [`Config::from_toml`]): raw serde structs, then checks
//! that turn them into typed values. Errors name the key and line, never a control key's text.

use super::{
    Config, ConfigError, EndpointConfig, Retry, Timings, default_callback_url, is_nestable_prefix,
};
use dapi::{ControlKey, DEFAULT_DAPI_PREFIX, EndpointId};
use serde::{Deserialize, Deserializer};
use std::collections::HashSet;
use std::time::Duration;

/// Longest `public_url` that keeps `{public_url}/sim/3ds/{36-char token}` within 128 characters.
const MAX_PUBLIC_URL: usize = 128 - "/sim/3ds/".len() - 36;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    public_url: String,
    dapi_prefix: Option<String>,
    three_ds_password: Option<String>,
    verify_signature: Option<bool>,
    resend_card_mapping: Option<bool>,
    body_limit_bytes: Option<usize>,
    max_sales: Option<usize>,
    #[serde(default)]
    timings: RawTimings,
    #[serde(default, rename = "endpoint")]
    endpoints: Vec<RawEndpoint>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimings {
    check_timeout_ms: Option<u64>,
    three_ds_timeout_ms: Option<u64>,
    unknown_timeout_ms: Option<u64>,
    outbound_timeout_ms: Option<u64>,
    callback_retry: Option<RawRetry>,
    notification_retry: Option<RawRetry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetry {
    attempts: Option<u32>,
    first_delay_ms: Option<u64>,
    max_delay_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEndpoint {
    id: String,
    control_key: SecretText,
    party_url: String,
    callback_url: Option<String>,
    verification_callback_url: Option<String>,
    verification_callback_type: Option<String>,
    three_ds: Option<bool>,
    currencies: Option<Vec<String>>,
}

/// A control key as written in the file. Read through `toml::Value` so that a wrongly typed value is refused
/// with our message: serde's own would quote the value.
struct SecretText(String);

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match toml::Value::deserialize(deserializer) {
            Ok(toml::Value::String(text)) => Ok(Self(text)),
            _ => Err(serde::de::Error::custom("control_key must be a string")),
        }
    }
}

pub(super) fn parse(text: &str) -> Result<Config, ConfigError> {
    let raw: RawConfig = toml::from_str(text).map_err(|error| syntax(text, &error))?;
    let public_url = match raw.public_url.trim_end_matches('/') {
        "" => String::new(),
        url => checked_url("public_url", url)?,
    };
    if public_url.chars().count() > MAX_PUBLIC_URL {
        return Err(ConfigError::PublicUrlTooLong(public_url.chars().count()));
    }
    let dapi_prefix = raw
        .dapi_prefix
        .unwrap_or_else(|| DEFAULT_DAPI_PREFIX.to_owned());
    if !is_nestable_prefix(&dapi_prefix) {
        return Err(ConfigError::Prefix(dapi_prefix));
    }
    let mut seen = HashSet::new();
    let mut endpoints = Vec::with_capacity(raw.endpoints.len());
    for raw_endpoint in raw.endpoints {
        let endpoint = endpoint(raw_endpoint)?;
        if !seen.insert(endpoint.id.clone()) {
            return Err(ConfigError::DuplicateEndpoint(endpoint.id.to_string()));
        }
        endpoints.push(endpoint);
    }
    if endpoints.is_empty() {
        return Err(ConfigError::NoEndpoint);
    }
    let mut limits = server_kit::Limits::default();
    limits.body_bytes = raw.body_limit_bytes.unwrap_or(limits.body_bytes);
    let max_sales = raw.max_sales.unwrap_or(super::DEFAULT_MAX_SALES);
    if max_sales == 0 {
        return Err(ConfigError::NoSales);
    }
    Ok(Config {
        dapi_prefix: dapi_prefix.trim_end_matches('/').to_owned(),
        public_url,
        endpoints,
        timings: timings(raw.timings)?,
        three_ds_password: raw.three_ds_password.unwrap_or_else(|| "hint".to_owned()),
        verify_signature: raw.verify_signature.unwrap_or(true),
        resend_card_mapping: raw.resend_card_mapping.unwrap_or(false),
        limits,
        max_sales,
        journal: journal::JournalLimits::default(),
        transport: server_kit::Transport::default(),
        party_trust: tls::Trust::default(),
        // A secret: set by the caller (`--sandbox-token`), never read from a file that may be shared.
        control_plane: server_kit::ControlPlane::default(),
    })
}

/// toml's `Display` quotes the offending source line, which may hold a control key: keep the message only.
fn syntax(text: &str, error: &toml::de::Error) -> ConfigError {
    let line = error
        .span()
        .and_then(|span| text.get(..span.start))
        .map_or(0, |before| before.matches('\n').count() + 1);
    ConfigError::Syntax {
        line,
        message: error.message().trim().to_owned(),
    }
}

fn endpoint(raw: RawEndpoint) -> Result<EndpointConfig, ConfigError> {
    let name = raw.id.clone();
    let control_key =
        ControlKey::parse(&raw.control_key.0).map_err(|reason| ConfigError::ControlKey {
            endpoint: name.clone(),
            reason,
        })?;
    let party_url = checked_url(
        &format!("endpoint {name}: party_url"),
        raw.party_url.trim_end_matches('/'),
    )?;
    let callback_url = match raw.callback_url.as_deref() {
        None => Some(default_callback_url(&party_url)),
        Some("") => None,
        Some(url) => Some(checked_url(&format!("endpoint {name}: callback_url"), url)?),
    };
    let verification_callback_url = match raw.verification_callback_url.as_deref() {
        None => None,
        Some(url) => Some(checked_url(
            &format!("endpoint {name}: verification_callback_url"),
            url,
        )?),
    };
    let currencies = raw.currencies.unwrap_or_default();
    if let Some(bad) = currencies
        .iter()
        .find(|c| c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(ConfigError::Currency {
            endpoint: name,
            currency: bad.clone(),
        });
    }
    Ok(EndpointConfig {
        id: EndpointId::from(raw.id),
        control_key,
        party_url,
        callback_url,
        verification_callback_url,
        verification_callback_type: raw.verification_callback_type,
        three_ds: raw.three_ds.unwrap_or(true),
        currencies,
    })
}

fn checked_url(field: &str, value: &str) -> Result<String, ConfigError> {
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
            Ok(value.to_owned())
        }
        _ => Err(ConfigError::Url {
            field: field.to_owned(),
            value: value.to_owned(),
        }),
    }
}

/// A duration given in milliseconds, or the default.
fn ms(value: Option<u64>, default: Duration) -> Duration {
    value.map_or(default, Duration::from_millis)
}

fn timings(raw: RawTimings) -> Result<Timings, ConfigError> {
    let defaults = Timings::default();
    Ok(Timings {
        check_timeout: ms(raw.check_timeout_ms, defaults.check_timeout),
        three_ds_timeout: ms(raw.three_ds_timeout_ms, defaults.three_ds_timeout),
        unknown_timeout: ms(raw.unknown_timeout_ms, defaults.unknown_timeout),
        outbound_timeout: ms(raw.outbound_timeout_ms, defaults.outbound_timeout),
        callback_retry: retry(
            "callback_retry",
            raw.callback_retry,
            defaults.callback_retry,
        )?,
        notification_retry: retry(
            "notification_retry",
            raw.notification_retry,
            defaults.notification_retry,
        )?,
    })
}

fn retry(name: &'static str, raw: Option<RawRetry>, default: Retry) -> Result<Retry, ConfigError> {
    let Some(raw) = raw else {
        return Ok(default);
    };
    let retry = Retry {
        attempts: raw.attempts.unwrap_or(default.attempts),
        first_delay: ms(raw.first_delay_ms, default.first_delay),
        max_delay: ms(raw.max_delay_ms, default.max_delay),
    };
    if retry.attempts == 0 {
        return Err(ConfigError::NoAttempt(name));
    }
    Ok(retry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dapi::Flow;
    use dapi::signature::KeyError;

    const KEY: &str = "3F2A1B4C-5D6E-4F70-8192-A3B4C5D6E7F8";

    fn with_endpoint(endpoint: &str) -> String {
        format!("public_url = \"http://gw.test:8080/\"\n[[endpoint]]\n{endpoint}\n")
    }

    #[test]
    fn a_minimal_file_gets_the_documented_defaults() {
        let text = with_endpoint(&format!(
            "id = \"1234\"\ncontrol_key = \"{KEY}\"\nparty_url = \"http://cp.test:8081/\""
        ));
        let config = Config::from_toml(&text).unwrap();
        assert_eq!(config.public_url, "http://gw.test:8080");
        assert_eq!(config.dapi_prefix, DEFAULT_DAPI_PREFIX);
        assert_eq!(config.three_ds_password, "hint");
        assert!(config.verify_signature);
        assert!(!config.resend_card_mapping);
        assert_eq!(config.max_sales, super::super::DEFAULT_MAX_SALES);
        assert_eq!(config.timings, Timings::default());
        let endpoint = &config.endpoints[0];
        assert_eq!(endpoint.party_url, "http://cp.test:8081");
        assert_eq!(
            endpoint.callback_url.as_deref(),
            Some("http://cp.test:8081/callback")
        );
        assert!(endpoint.three_ds && endpoint.currencies.is_empty());
    }

    #[test]
    fn timings_are_read_in_milliseconds_and_an_empty_callback_url_disables_callbacks() {
        let text = format!(
            "dapi_prefix = \"/checkout/dapi/v1\"\nmax_sales = 10\n[timings]\nunknown_timeout_ms = 250\n\
             notification_retry = {{ attempts = 5, first_delay_ms = 10 }}\n\
             [[endpoint]]\nid = \"7\"\ncontrol_key = \"{KEY}\"\nparty_url = \"http://cp.test\"\ncallback_url = \"\"\n\
             three_ds = false\ncurrencies = [\"EUR\"]"
        );
        let config = Config::from_toml(&text).unwrap();
        assert_eq!(config.public_url, "");
        assert_eq!(config.dapi_prefix, "/checkout/dapi/v1");
        assert_eq!(config.max_sales, 10);
        assert_eq!(config.timings.unknown_timeout, Duration::from_millis(250));
        let retry = config.timings.notification_retry;
        assert_eq!(
            (retry.attempts, retry.first_delay, retry.max_delay),
            (5, Duration::from_millis(10), Duration::from_secs(4))
        );
        let endpoint = &config.endpoints[0];
        assert_eq!(endpoint.callback_url, None);
        assert!(!endpoint.three_ds && endpoint.accepts("EUR") && !endpoint.accepts("USD"));
    }

    #[test]
    fn verifications_may_be_called_back_elsewhere_and_with_another_type() {
        let text = with_endpoint(&format!(
            "id = \"1234\"\ncontrol_key = \"{KEY}\"\nparty_url = \"http://cp.test\"\n\
             verification_callback_url = \"http://cp.test/hooks/verified\"\n\
             verification_callback_type = \"verification\"\ncurrencies = [\"USD\"]"
        ));
        let config = Config::from_toml(&text).unwrap();
        let endpoint = &config.endpoints[0];
        assert_eq!(
            endpoint.callback_url_of(Flow::Verification),
            Some("http://cp.test/hooks/verified")
        );
        assert_eq!(
            endpoint.callback_url_of(Flow::Sale),
            Some("http://cp.test/callback")
        );
        assert_eq!(
            endpoint.callback_type_of(Flow::Verification),
            "verification"
        );
        assert_eq!(endpoint.callback_type_of(Flow::Sale), "sale");
        assert_eq!(endpoint.single_currency(), Some("USD"));
        let bad = text.replace("http://cp.test/hooks/verified", "ftp://x");
        let error = Config::from_toml(&bad).unwrap_err().to_string();
        assert!(error.contains("verification_callback_url"), "{error}");
    }

    #[test]
    fn errors_never_reveal_the_control_key() {
        let secret = "SECRET-NOT-HEX-ZZ";
        let cases = [
            with_endpoint(&format!(
                "id = \"1\"\ncontrol_key = \"{secret}\"\nparty_url = \"http://cp.test\""
            )),
            with_endpoint(&format!(
                "id = \"1\"\ncontrol_key = \"{secret}\nparty_url = \"http://cp.test\""
            )),
            with_endpoint(
                "id = \"1\"\ncontrol_key = 1234567890123\nparty_url = \"http://cp.test\"",
            ),
            with_endpoint(&format!(
                "id = \"1\"\ncontrol_key = \"{KEY}\"\nparty_url = \"nope\"\nsecret = \"{KEY}\""
            )),
        ];
        for text in cases {
            let error = Config::from_toml(&text).unwrap_err().to_string();
            for hidden in [secret, KEY, "1234567890123"] {
                assert!(!error.contains(hidden), "{error}");
            }
        }
        let error = Config::from_toml(&with_endpoint(&format!(
            "id = \"1\"\ncontrol_key = \"{secret}\"\nparty_url = \"http://cp.test\""
        )))
        .unwrap_err();
        assert_eq!(
            error,
            ConfigError::ControlKey {
                endpoint: "1".into(),
                reason: KeyError::NotHex
            }
        );
    }

    #[test]
    fn bad_files_name_the_problem() {
        let endpoint = |id: &str| {
            format!(
                "[[endpoint]]\nid = \"{id}\"\ncontrol_key = \"{KEY}\"\nparty_url = \"http://cp.test\"\n"
            )
        };
        let twice = format!("{}{}", endpoint("1"), endpoint("1"));
        assert_eq!(
            Config::from_toml(&twice).unwrap_err(),
            ConfigError::DuplicateEndpoint("1".into())
        );
        assert_eq!(
            Config::from_toml("public_url = \"http://gw.test\"").unwrap_err(),
            ConfigError::NoEndpoint
        );
        let unknown = format!("colour = \"blue\"\n{}", endpoint("1"));
        let error = Config::from_toml(&unknown).unwrap_err();
        assert!(
            matches!(&error, ConfigError::Syntax { line: 1, message } if message.contains("colour")),
            "{error}"
        );
        let currency = format!("{}currencies = [\"eur\"]", endpoint("1"));
        assert!(matches!(
            Config::from_toml(&currency).unwrap_err(),
            ConfigError::Currency { .. }
        ));
        let long = format!(
            "public_url = \"http://{}.test\"\n{}",
            "a".repeat(80),
            endpoint("1")
        );
        assert!(matches!(
            Config::from_toml(&long).unwrap_err(),
            ConfigError::PublicUrlTooLong(_)
        ));
        let no_attempt = format!("[timings.callback_retry]\nattempts = 0\n{}", endpoint("1"));
        assert_eq!(
            Config::from_toml(&no_attempt).unwrap_err(),
            ConfigError::NoAttempt("callback_retry")
        );
        let no_sales = format!("max_sales = 0\n{}", endpoint("1"));
        assert_eq!(
            Config::from_toml(&no_sales).unwrap_err(),
            ConfigError::NoSales
        );
    }
}
