//! Initiate verification (addendum §2.2): `POST {cp}/verification/initiate-verification`. The request is initiate
//! sale's without an amount; the answer is initiate sale's, signed with [`crate::signature::VerificationSigned`].

use super::super::common::{AccessSession, Location, TransactionCurrency, check_ip_addresses};
use super::super::initiate::{InitiateConsumer, InitiateSaleResponse};
use crate::validate::{Validate, Violations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `POST {cp}/verification/initiate-verification` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitiateVerificationRequest {
    /// `consumer`: device and optional IP addresses.
    pub consumer: InitiateConsumer,
    /// `session.accessToken`.
    pub session: AccessSession,
    /// `transaction.currency`, String 3 (an `amountCentis` sent anyway is ignored and never signed).
    pub transaction: TransactionCurrency,
    /// Optional `location`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Validate for InitiateVerificationRequest {
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

/// Initiate verification success response: `endpointId`, `invoiceId` ("Verification transaction identifier")
/// and `session.{nonce,signature}`, the shape of initiate sale's.
pub type InitiateVerificationResponse = InitiateSaleResponse;
