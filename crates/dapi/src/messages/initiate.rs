//! Consumer authentication (spec 3.1), initiate sale (spec 3.2) and the client card id look-up (spec A24):
//! the app's messages to the Connecting Party server.

use super::common::{AccessSession, Amount, Location, check_ip_addresses};
use crate::ids::{ClientCardId, Email, EndpointId, InvoiceId, Nonce, SerialNumber, SignatureHex};
use crate::validate::{Validate, Violations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `POST {cp}/auth/request-access-token` body (spec 3.1 decision); the `GET` form takes `?serialNumber=`.
///
/// How a Connecting Party authenticates its consumer is its own choice; the reference server also takes the
/// consumer's e-mail here, which it returns in check sale for card references made with it (spec 2.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenRequest {
    /// `consumer.device.serialNumber` and, optionally, `consumer.email`.
    pub consumer: AuthConsumer,
}

/// The consumer of [`AccessTokenRequest`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthConsumer {
    /// `device`.
    pub device: super::common::Device,
    /// `email`, optional, String 3–128.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
}

impl Validate for AccessTokenRequest {
    fn validate(&self, v: &mut Violations) {
        self.consumer.device.check("consumer.device", v);
        v.optional_length(
            "consumer.email",
            self.consumer.email.as_ref().map(Email::as_str),
            3,
            128,
        );
    }
}

/// The query of `GET {cp}/auth/request-access-token`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenQuery {
    /// The device serial number the token is bound to.
    pub serial_number: SerialNumber,
    /// Optional consumer e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
}

/// Response of the access token request: `{"session":{"accessToken":"..."}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenResponse {
    /// `session.accessToken`.
    pub session: AccessSession,
}

impl Validate for AccessTokenResponse {
    fn validate(&self, v: &mut Violations) {
        v.length(
            "session.accessToken",
            self.session.access_token.as_str(),
            32,
            128,
        );
    }
}

/// `POST {cp}/sale/initiate-sale` request (spec 3.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitiateSaleRequest {
    /// `consumer`: device and optional IP addresses.
    pub consumer: InitiateConsumer,
    /// `session.accessToken`.
    pub session: AccessSession,
    /// `transaction.{amountCentis,currency}`.
    pub transaction: Amount,
    /// Optional `location`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// `consumer` of the initiate sale request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitiateConsumer {
    /// `device`.
    pub device: super::common::Device,
    /// `ipAddresses`, optional, each IPv4 text (7–15 chars, no leading zeros).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(
        pattern = r"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$"
    )))]
    pub ip_addresses: Option<Vec<String>>,
}

impl Validate for InitiateSaleRequest {
    fn validate(&self, v: &mut Violations) {
        self.consumer.device.check("consumer.device", v);
        check_ip_addresses(self.consumer.ip_addresses.as_deref(), v);
        v.length(
            "session.accessToken",
            self.session.access_token.as_str(),
            32,
            128,
        );
        self.transaction.check(v);
        if let Some(location) = &self.location {
            location.validate(v);
        }
    }
}

/// Initiate sale success response (spec 3.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitiateSaleResponse {
    /// The gateway endpoint to use.
    #[schemars(length(min = 1, max = 128))]
    pub endpoint_id: EndpointId,
    /// The sale's id.
    #[schemars(length(min = 1, max = 128))]
    pub invoice_id: InvoiceId,
    /// `session.{nonce,signature}`.
    pub session: NonceSignature,
}

/// `session` of the initiate sale response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NonceSignature {
    /// `nonce`, 32–128 chars.
    pub nonce: Nonce,
    /// `signature`: HMAC-SHA1, spec 4.2.
    pub signature: SignatureHex,
}

impl Validate for InitiateSaleResponse {
    fn validate(&self, v: &mut Violations) {
        v.length("endpointId", self.endpoint_id.as_str(), 1, 128);
        v.length("invoiceId", self.invoice_id.as_str(), 1, 128);
        v.length("session.nonce", self.session.nonce.as_str(), 32, 128);
        v.length(
            "session.signature",
            self.session.signature.as_str(),
            32,
            128,
        );
    }
}

/// `POST {cp}/sale/{invoiceId}/client-card-id` request (spec A24): the app asks for the card reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientCardIdRequest {
    /// `session.accessToken` of the consumer who made the sale.
    pub session: AccessSession,
}

impl Validate for ClientCardIdRequest {
    fn validate(&self, v: &mut Violations) {
        v.length(
            "session.accessToken",
            self.session.access_token.as_str(),
            32,
            128,
        );
    }
}

/// Response of the client card id look-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientCardIdResponse {
    /// The sale.
    pub invoice_id: InvoiceId,
    /// The Connecting Party's alias of the card, for repeat sales.
    pub client_card_id: ClientCardId,
}

impl Validate for ClientCardIdResponse {
    fn validate(&self, v: &mut Violations) {
        v.length("clientCardId", self.client_card_id.as_str(), 1, 128);
    }
}
