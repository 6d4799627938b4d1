//! Check verification (addendum §2.4): `POST {cp}/verification/{invoiceId}/check`, the gateway's request (consumer
//! and session only: no card, no e-mail, no `sourceOfFunds`) and the Connecting Party's signed answer, whose
//! `checkSignature` is check sale's without a `serverCardId`.

use super::super::check::{CheckSession, CheckedTransaction, EmailConsumer};
use super::super::common::{CheckedSession, DeviceConsumer};
use super::super::perform::{Billing, SignedSession};
use crate::ids::{Email, InvoiceId};
use crate::validate::{Validate, Violations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `POST {cp}/verification/{invoiceId}/check` request (REF `CheckVerificationRequest`: consumer + session).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckVerificationRequest {
    /// `consumer.device.serialNumber` as sent by the app.
    pub consumer: DeviceConsumer,
    /// `session.{accessToken,nonce,signature,token}`.
    pub session: CheckSession,
}

impl Validate for CheckVerificationRequest {
    fn validate(&self, v: &mut Violations) {
        self.consumer.device.check("consumer.device", v);
        let session = &self.session;
        SignedSession {
            access_token: session.access_token.clone(),
            nonce: session.nonce.clone(),
            signature: session.signature.clone(),
        }
        .check(v);
        v.length("session.token", session.token.as_str(), 16, 36);
    }
}

/// Check verification success response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckVerificationResponse {
    /// The verification.
    #[schemars(length(min = 1, max = 128))]
    pub invoice_id: InvoiceId,
    /// `session.{checkSignature,nonce,token}`.
    pub session: CheckedSession,
    /// Optional `billing` (REF lengths; `state` accepted with 2–3 letters, V4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<Billing>,
    /// `consumer.email` (REF): the e-mail of the Connecting Party's consumer; must be the perform's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<EmailConsumer>,
    /// `transaction.currency` (REF): must be the verification's, or tells it (V9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<CheckedTransaction>,
}

impl CheckVerificationResponse {
    /// The e-mail, when present.
    pub fn email(&self) -> Option<&Email> {
        self.consumer.as_ref()?.email.as_ref()
    }

    /// `transaction.currency`, when present.
    pub fn currency(&self) -> Option<&str> {
        self.transaction.as_ref()?.currency.as_deref()
    }
}

impl Validate for CheckVerificationResponse {
    fn validate(&self, v: &mut Violations) {
        v.length("invoiceId", self.invoice_id.as_str(), 1, 128);
        self.session.check(v);
        if let Some(billing) = &self.billing {
            billing.validate(v);
        }
        v.optional_length("consumer.email", self.email().map(Email::as_str), 3, 128);
        if let Some(currency) = self.currency() {
            v.currency("transaction.currency", currency);
        }
    }
}
