//! The gateway's configuration: endpoints with their control keys, the public URL for `redirectUrl`, timings.
//!
//! Built in code ([`Config::sandbox`]) or read from a TOML file ([`Config::from_toml`], which documents the format).

mod error;
mod file;

pub use error::ConfigError;

use dapi::{
    ControlKey, DEFAULT_DAPI_PREFIX, EndpointId, Flow, SANDBOX_CONTROL_KEY, SANDBOX_ENDPOINT_ID,
};
use std::time::Duration;

/// Everything the gateway needs; the library reads no environment.
#[derive(Clone, Debug)]
pub struct Config {
    /// DAPI path prefix (spec A26), default `/paynet/dapi/v1`.
    pub dapi_prefix: String,
    /// Base URL the app reaches the gateway at, no trailing slash; `redirectUrl` is `{public_url}/sim/3ds/{token}`
    /// and must stay within 128 characters (spec 3.5).
    pub public_url: String,
    /// The endpoints (terminals) this gateway knows.
    pub endpoints: Vec<EndpointConfig>,
    /// Timeouts and retry schedules.
    pub timings: Timings,
    /// The password the simulated 3-D Secure page accepts (spec A19), default `hint`.
    pub three_ds_password: String,
    /// Whether perform sale recomputes `session.signature` (spec A3), default on.
    pub verify_signature: bool,
    /// Whether an approved repeat sale (card reference) sends the card mapping notification again with the same
    /// `serverCardId` (spec 3.7 decision: by default a repeat sale sends none), default off.
    pub resend_card_mapping: bool,
    /// Request body limit and similar.
    pub limits: server_kit::Limits,
    /// How many sales the gateway keeps, default [`DEFAULT_MAX_SALES`]; past it the oldest settled sale (final,
    /// its callback no longer pending) is forgotten, and a perform finding none gets 503 `INTERNAL_ERROR`. The
    /// same number bounds the delivery log and the card registry (see the crate docs).
    pub max_sales: usize,
    /// How much the message journal keeps (`GET /sim/journal`, the dashboard); 0 entries switches it off.
    pub journal: journal::JournalLimits,
    /// How the gateway serves: connection and request timeouts, HTTPS when a certificate is given. The scheme of
    /// `public_url` is the caller's to match (`https://` when serving HTTPS).
    pub transport: server_kit::Transport,
    /// The roots the gateway trusts when it calls a Connecting Party server over HTTPS (public roots by default,
    /// plus `--ca-file`).
    pub party_trust: tls::Trust,
    /// The sandbox control plane (`/sim/sales…`, `/sim/deliveries…`, the latency fault): open (default),
    /// protected by a token, or off.
    pub control_plane: server_kit::ControlPlane,
}

/// Where an endpoint's callbacks go when its configuration names no URL: `{party_url}/callback`.
pub(crate) fn default_callback_url(party_url: &str) -> String {
    format!("{party_url}{}", dapi::paths::CALLBACK)
}

/// Whether `prefix` can be the DAPI prefix: a path (starting with `/`) that axum can nest routes under (no `{`,
/// `}` or `*`).
pub(crate) fn is_nestable_prefix(prefix: &str) -> bool {
    prefix.starts_with('/') && !prefix.contains(['{', '}', '*'])
}

/// Default of [`Config::max_sales`].
pub const DEFAULT_MAX_SALES: usize = 100_000;

/// One gateway endpoint (terminal) and the Connecting Party behind it.
#[derive(Clone, Debug)]
pub struct EndpointConfig {
    /// The endpoint id of the URL path.
    pub id: EndpointId,
    /// The key shared with the Connecting Party (`Debug` redacts it).
    pub control_key: ControlKey,
    /// Base URL of the Connecting Party server: check sale goes to `{party_url}/sale/{invoiceId}/check`,
    /// the card mapping notification to `{party_url}/sale/notification`.
    pub party_url: String,
    /// Where final-status callbacks go (spec 3.8); `None` sends none.
    pub callback_url: Option<String>,
    /// Where card verifications' callbacks go (addendum §2.8: per endpoint and type); `None`: `callback_url`.
    pub verification_callback_url: Option<String>,
    /// The `type` of card verifications' callbacks (addendum V7); `None`: `account-verification`.
    pub verification_callback_type: Option<String>,
    /// Whether the endpoint does 3-D Secure (CVV 321 then shows the page, spec 6).
    pub three_ds: bool,
    /// Accepted currencies (ISO 4217); empty accepts any but [`UNTAKEN_CURRENCY`].
    pub currencies: Vec<String>,
}

/// `XTS`, the ISO 4217 code reserved for testing: an endpoint without a currency list does not take it, so a
/// scenario can pay in a currency the endpoint does not take (a sandbox-only trigger, spec 6).
pub const UNTAKEN_CURRENCY: &str = "XTS";

impl EndpointConfig {
    /// Whether the endpoint takes this currency.
    pub fn accepts(&self, currency: &str) -> bool {
        if self.currencies.is_empty() {
            return currency != UNTAKEN_CURRENCY;
        }
        self.currencies.iter().any(|allowed| allowed == currency)
    }

    /// The endpoint's only currency, when it takes exactly one (addendum V9: the currency a perform validation
    /// without `transaction.currency` is signed with).
    pub fn single_currency(&self) -> Option<&str> {
        match self.currencies.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }

    /// Where the final-status callbacks of `flow` go; `None` sends none.
    pub fn callback_url_of(&self, flow: Flow) -> Option<&str> {
        let verification = self.verification_callback_url.as_deref();
        match flow {
            Flow::Verification if verification.is_some() => verification,
            _ => self.callback_url.as_deref(),
        }
    }

    /// The callback `type` of `flow` (spec 3.8; addendum V7).
    pub fn callback_type_of(&self, flow: Flow) -> &str {
        match (flow, self.verification_callback_type.as_deref()) {
            (Flow::Verification, Some(kind)) => kind,
            _ => flow.callback_type(),
        }
    }
}

/// Timeouts and retry schedules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timings {
    /// How long the gateway waits for the check sale answer (spec 3.4), default 30 s.
    pub check_timeout: Duration,
    /// How long an open 3-D Secure page may stay unanswered before the sale is declined (spec A10), default 10 min.
    pub three_ds_timeout: Duration,
    /// How long a CVV 217 sale stays `PROCESSING` before it ends with callback `error` (spec A20), default 5 min.
    pub unknown_timeout: Duration,
    /// Final-status callback schedule (spec A17), default 30 attempts, 1 s doubling, capped at 60 s.
    pub callback_retry: Retry,
    /// Card mapping notification schedule (spec A11), default 3 attempts.
    pub notification_retry: Retry,
    /// Limit of one outbound HTTP attempt (notification, callback), default 10 s.
    pub outbound_timeout: Duration,
}

impl Default for Timings {
    /// The spec's values.
    fn default() -> Self {
        Self {
            check_timeout: Duration::from_secs(30),
            three_ds_timeout: Duration::from_secs(600),
            unknown_timeout: Duration::from_secs(300),
            callback_retry: Retry {
                attempts: 30,
                first_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(60),
            },
            notification_retry: Retry {
                attempts: 3,
                first_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(4),
            },
            outbound_timeout: Duration::from_secs(10),
        }
    }
}

impl Timings {
    /// Short values suited to a local run: check sale waits 2 s (a scenario's party answering after 3 s hits the
    /// timeout), CVV 217 ends after 2 s, retries start at 100 ms.
    pub fn sandbox() -> Self {
        Self {
            check_timeout: Duration::from_secs(2),
            three_ds_timeout: Duration::from_secs(60),
            unknown_timeout: Duration::from_secs(2),
            callback_retry: Retry {
                attempts: 30,
                first_delay: Duration::from_millis(100),
                max_delay: Duration::from_secs(5),
            },
            notification_retry: Retry {
                attempts: 3,
                first_delay: Duration::from_millis(100),
                max_delay: Duration::from_millis(400),
            },
            outbound_timeout: Duration::from_secs(5),
        }
    }
}

/// A retry schedule: `attempts` tries, the second after `first_delay`, each later one after twice the previous
/// delay, never more than `max_delay`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry {
    /// Number of attempts, the first included.
    pub attempts: u32,
    /// Pause before the second attempt.
    pub first_delay: Duration,
    /// Longest pause.
    pub max_delay: Duration,
}

impl Retry {
    /// The pause before attempt `attempt` (1-based): none before the first, then `first_delay` doubling up to
    /// `max_delay`.
    pub fn delay(&self, attempt: u32) -> Duration {
        let Some(doublings) = attempt.checked_sub(2) else {
            return Duration::ZERO;
        };
        2_u32
            .checked_pow(doublings)
            .and_then(|factor| self.first_delay.checked_mul(factor))
            .map_or(self.max_delay, |delay| delay.min(self.max_delay))
    }
}

impl Config {
    /// One endpoint [`SANDBOX_ENDPOINT_ID`] with [`SANDBOX_CONTROL_KEY`], 3-D Secure on, any currency,
    /// callbacks to `{party_url}/callback`, [`Timings::sandbox`].
    pub fn sandbox(public_url: &str, party_url: &str) -> Self {
        let party_url = party_url.trim_end_matches('/').to_owned();
        let endpoints = ControlKey::parse(SANDBOX_CONTROL_KEY)
            .ok()
            .map(|control_key| EndpointConfig {
                id: EndpointId::from(SANDBOX_ENDPOINT_ID),
                control_key,
                callback_url: Some(default_callback_url(&party_url)),
                verification_callback_url: None,
                verification_callback_type: None,
                party_url,
                three_ds: true,
                currencies: Vec::new(),
            });
        Self {
            dapi_prefix: DEFAULT_DAPI_PREFIX.to_owned(),
            public_url: public_url.trim_end_matches('/').to_owned(),
            endpoints: endpoints.into_iter().collect(),
            timings: Timings::sandbox(),
            three_ds_password: "hint".to_owned(),
            verify_signature: true,
            resend_card_mapping: false,
            limits: server_kit::Limits::default(),
            max_sales: DEFAULT_MAX_SALES,
            journal: journal::JournalLimits::default(),
            transport: server_kit::Transport::default(),
            party_trust: tls::Trust::default(),
            control_plane: server_kit::ControlPlane::default(),
        }
    }

    /// Reads a TOML configuration with several endpoints.
    ///
    /// Top level: `public_url` (the base URL for `redirectUrl`; may be left out when the caller fills it in),
    /// `dapi_prefix` (default `/paynet/dapi/v1`), `three_ds_password` (default `hint`), `verify_signature`
    /// (default `true`), `resend_card_mapping` (default `false`), `body_limit_bytes` (default 65536), `max_sales` (default 100000, at least 1; see
    /// [`Config::max_sales`]). `[timings]` takes milliseconds and defaults to the spec's values
    /// ([`Timings::default`]): `check_timeout_ms`, `three_ds_timeout_ms`, `unknown_timeout_ms`,
    /// `outbound_timeout_ms`, and `[timings.callback_retry]` / `[timings.notification_retry]` with `attempts`,
    /// `first_delay_ms`, `max_delay_ms`. Each `[[endpoint]]` has `id`, `control_key`, `party_url`, and optionally
    /// `callback_url` (default `{party_url}/callback`; `""` sends no callbacks), `three_ds` (default `true`) and
    /// `currencies` (default: any), `verification_callback_url` (default: `callback_url`) and
    /// `verification_callback_type` (default `account-verification`). Unknown keys are errors.
    ///
    /// ```
    /// let config = gateway::Config::from_toml(r#"
    ///     public_url = "http://127.0.0.1:8080"
    ///     three_ds_password = "hint"
    ///     max_sales = 10000
    ///
    ///     [timings]
    ///     unknown_timeout_ms = 2000
    ///     callback_retry = { attempts = 10, first_delay_ms = 100, max_delay_ms = 5000 }
    ///
    ///     [[endpoint]]
    ///     id = "1234"
    ///     control_key = "3F2A1B4C-5D6E-4F70-8192-A3B4C5D6E7F8"
    ///     party_url = "http://127.0.0.1:8081"
    ///
    ///     [[endpoint]]
    ///     id = "5678"
    ///     control_key = "0123456789ABCDEF0123456789ABCDEF"
    ///     party_url = "http://127.0.0.1:8082"
    ///     callback_url = "http://127.0.0.1:8082/hooks/final"
    ///     three_ds = false
    ///     currencies = ["EUR", "USD"]
    /// "#)?;
    /// assert_eq!(config.endpoints.len(), 2);
    /// assert!(!config.endpoints[1].accepts("GBP"));
    /// # Ok::<(), gateway::ConfigError>(())
    /// ```
    ///
    /// # Errors
    /// Syntax errors (with their line), unknown keys, invalid URLs, control keys, currencies or timings, no
    /// endpoint, or an endpoint configured twice. The message never contains a control key.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        file::parse(text)
    }

    /// The endpoint with this id.
    pub fn endpoint(&self, id: &EndpointId) -> Option<&EndpointConfig> {
        self.endpoints.iter().find(|endpoint| &endpoint.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double_from_the_first_and_stop_at_the_cap() {
        let retry = Timings::default().callback_retry;
        let delays: Vec<u64> = (1..=9)
            .map(|attempt| retry.delay(attempt).as_secs())
            .collect();
        assert_eq!(delays, [0, 1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(retry.delay(200), Duration::from_secs(60));
        assert_eq!(retry.delay(0), Duration::ZERO);
    }

    #[test]
    fn the_sandbox_config_has_one_three_ds_endpoint_calling_back_the_party() {
        let config = Config::sandbox("http://127.0.0.1:8080/", "http://127.0.0.1:8081/");
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
        let endpoint = config
            .endpoint(&EndpointId::from(SANDBOX_ENDPOINT_ID))
            .unwrap();
        assert_eq!(endpoint.party_url, "http://127.0.0.1:8081");
        assert_eq!(
            endpoint.callback_url.as_deref(),
            Some("http://127.0.0.1:8081/callback")
        );
        assert!(endpoint.three_ds && endpoint.accepts("JPY"));
        assert_eq!(endpoint.single_currency(), None);
        assert_eq!(
            endpoint.callback_url_of(Flow::Verification),
            Some("http://127.0.0.1:8081/callback"),
            "verifications are called back where sales are"
        );
        assert_eq!(
            endpoint.callback_type_of(Flow::Verification),
            "account-verification"
        );
        assert_eq!(config.three_ds_password, "hint");
        assert!(config.verify_signature);
        assert_eq!(config.timings.unknown_timeout, Duration::from_secs(2));
        assert_eq!(config.timings.check_timeout, Duration::from_secs(2));
    }

    #[test]
    fn spec_timings_are_the_default() {
        let timings = Timings::default();
        assert_eq!(timings.check_timeout, Duration::from_secs(30));
        assert_eq!(timings.three_ds_timeout, Duration::from_secs(600));
        assert_eq!(timings.unknown_timeout, Duration::from_secs(300));
        assert_eq!(timings.callback_retry.attempts, 30);
        assert_eq!(timings.notification_retry.attempts, 3);
    }
}
