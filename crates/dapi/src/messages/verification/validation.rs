//! Perform validation (addendum §2.3): `POST {dapi}/verification/{endpointId}/{invoiceId}`, the app's request to
//! the gateway with the full card as `sourceCard` (never a reference), `consumer.email` Required, and the answer
//! with the session token (V2: perform sale's).

use super::super::common::{Device, Location, TransactionCurrency, check_ip_addresses};
use super::super::perform::{
    Billing, Card, Order, PerformSaleResponse, SignedSession, SourceOfFunds, check_birth_day,
    check_extras,
};
use crate::ids::Email;
use crate::validate::{Rule, Validate, Violations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `POST {dapi}/verification/{endpointId}/{invoiceId}` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PerformValidationRequest {
    /// `consumer`, with a Required `email`.
    pub consumer: ValidationConsumer,
    /// `session.{accessToken,nonce,signature}` from initiate verification.
    pub session: SignedSession,
    /// `sourceCard`: PAN, CVV, expiry and holder, as `sourceOfFunds.card` of perform sale.
    pub source_card: Card,
    /// Optional `transaction.currency` (V9: the currency the gateway checks the signature with).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<TransactionCurrency>,
    /// Optional `location`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Optional `billing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<Billing>,
    /// Optional `order`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Order>,
    /// Never allowed (V19): read only to refuse it with its path, as no reference replaces card data here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub source_of_funds: Option<SourceOfFunds>,
}

/// `consumer` of perform validation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValidationConsumer {
    /// `device`.
    pub device: Device,
    /// `email`, Required, String 3–128: the mapping made by this verification carries it (addendum §4).
    pub email: Email,
    /// `birthDay`, `ddMMyyyy`: a day of the calendar, as perform sale's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{4}$"))]
    pub birth_day: Option<String>,
    /// `ipAddresses`, each IPv4 text (7–15 chars, no leading zeros), as perform sale's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(
        pattern = r"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$"
    )))]
    pub ip_addresses: Option<Vec<String>>,
}

impl PerformValidationRequest {
    /// `transaction.currency`, when sent.
    pub fn currency(&self) -> Option<&str> {
        self.transaction
            .as_ref()
            .map(|transaction| transaction.currency.as_str())
    }
}

impl Validate for PerformValidationRequest {
    fn validate(&self, v: &mut Violations) {
        let consumer = &self.consumer;
        consumer.device.check("consumer.device", v);
        v.length("consumer.email", consumer.email.as_str(), 3, 128);
        check_birth_day(consumer.birth_day.as_deref(), v);
        check_ip_addresses(consumer.ip_addresses.as_deref(), v);
        self.session.check(v);
        self.source_card.check("sourceCard", v);
        if let Some(transaction) = &self.transaction {
            transaction.check(v);
        }
        check_extras(
            self.location.as_ref(),
            self.billing.as_ref(),
            self.order.as_ref(),
            v,
        );
        if self.source_of_funds.is_some() {
            let instead = "a verification takes the card as sourceCard, never a reference (V19)";
            v.push("sourceOfFunds", Rule::Forbidden(instead));
        }
    }
}

/// Perform validation success response (V2): `{"invoiceId", "session": {"token"}}`, perform sale's.
pub type PerformValidationResponse = PerformSaleResponse;
