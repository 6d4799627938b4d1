//! Parts shared by several messages: device, transaction amount, location, session shapes.

use crate::ids::{AccessToken, Nonce, SerialNumber, SessionToken, SignatureHex};
use crate::validate::{Rule, Validate, Violations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `consumer.device` (spec 3.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// `serialNumber`, String 1–50.
    pub serial_number: SerialNumber,
    /// `imei`, optional String 14–16.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 14, max = 16))]
    pub imei: Option<String>,
}

impl Device {
    /// A device known only by its serial number.
    pub fn new(serial_number: SerialNumber) -> Self {
        Self {
            serial_number,
            imei: None,
        }
    }

    pub(crate) fn check(&self, prefix: &str, v: &mut Violations) {
        v.length(
            &format!("{prefix}.serialNumber"),
            self.serial_number.as_str(),
            1,
            50,
        );
        v.optional_length(&format!("{prefix}.imei"), self.imei.as_deref(), 14, 16);
    }
}

/// A `consumer` that carries only its device (check sale and notification requests).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeviceConsumer {
    /// `consumer.device`.
    pub device: Device,
}

impl DeviceConsumer {
    /// A consumer known only by its device serial number.
    pub fn new(serial_number: SerialNumber) -> Self {
        Self {
            device: Device::new(serial_number),
        }
    }
}

/// `transaction` with amount and currency (initiate and perform sale).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Amount {
    /// `amountCentis`: minor units ("1.00 EUR = 100 centis").
    #[schemars(range(min = 1))]
    pub amount_centis: u64,
    /// `currency`: ISO 4217 alphabetic code.
    #[schemars(length(min = 3, max = 3), regex(pattern = CURRENCY_PATTERN))]
    pub currency: String,
}

impl Amount {
    pub(crate) fn check(&self, v: &mut Violations) {
        if self.amount_centis == 0 {
            v.push(
                "transaction.amountCentis",
                Rule::Range {
                    min: "1".into(),
                    max: u64::MAX.to_string(),
                },
            );
        }
        v.currency("transaction.currency", &self.currency);
    }
}

/// `transaction` with the currency only (initiate verification, addendum §2.2; optional in perform validation,
/// V9). An `amountCentis` sent anyway is ignored: nothing in a verification is signed with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionCurrency {
    /// `currency`: ISO 4217 alphabetic code.
    #[schemars(length(min = 3, max = 3), regex(pattern = CURRENCY_PATTERN))]
    pub currency: String,
}

impl TransactionCurrency {
    pub(crate) fn check(&self, v: &mut Violations) {
        v.currency("transaction.currency", &self.currency);
    }
}

/// `location` (optional in initiate and perform sale).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// `lat`, −90 … 90.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = -90.0, max = 90.0))]
    pub lat: Option<f64>,
    /// `lng`, −180 … 180.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = -180.0, max = 180.0))]
    pub lng: Option<f64>,
}

impl Validate for Location {
    fn validate(&self, v: &mut Violations) {
        if let Some(lat) = self.lat {
            v.range("location.lat", lat, -90.0, 90.0);
        }
        if let Some(lng) = self.lng {
            v.range("location.lng", lng, -180.0, 180.0);
        }
    }
}

/// An ISO 4217 alphabetic code, as [`Violations::currency`] checks it.
pub(crate) const CURRENCY_PATTERN: &str = "^[A-Z]{3}$";

/// Checks `consumer.ipAddresses`: each item IPv4 text (7–15 chars, spec 3.2).
pub(crate) fn check_ip_addresses(addresses: Option<&[String]>, v: &mut Violations) {
    for (index, address) in addresses.unwrap_or_default().iter().enumerate() {
        v.ipv4(&format!("consumer.ipAddresses[{index}]"), address);
    }
}

/// `session` with the access token only (initiate sale, client card id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessSession {
    /// `accessToken`, String 32–128.
    pub access_token: AccessToken,
}

/// `session` with the access token and the gateway token (sale status, card mapping notification).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenSession {
    /// `accessToken`, String 32–128.
    pub access_token: AccessToken,
    /// `token`, String 16–36.
    pub token: SessionToken,
}

impl TokenSession {
    pub(crate) fn check(&self, v: &mut Violations) {
        v.length("session.accessToken", self.access_token.as_str(), 32, 128);
        v.length("session.token", self.token.as_str(), 16, 36);
    }
}

/// `session` with the gateway token only (perform sale response, sale status response).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenOnly {
    /// `token`.
    pub token: SessionToken,
}

/// `session` of the Connecting Party's signed answers (check sale and notification responses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckedSession {
    /// `checkSignature`: HMAC-SHA1 over the message's documented fields (spec 4.2).
    pub check_signature: SignatureHex,
    /// `nonce`: the one generated at initiate sale.
    pub nonce: Nonce,
    /// `token`: echo of the gateway token.
    pub token: SessionToken,
}

impl CheckedSession {
    pub(crate) fn check(&self, v: &mut Violations) {
        v.length(
            "session.checkSignature",
            self.check_signature.as_str(),
            32,
            128,
        );
        v.length("session.nonce", self.nonce.as_str(), 32, 128);
        v.length("session.token", self.token.as_str(), 16, 36);
    }
}
