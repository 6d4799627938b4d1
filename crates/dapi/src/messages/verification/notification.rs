//! The verification card mapping notification (addendum §2.7): `POST {cp}/verification/notification`. Unlike the
//! sale's, the reference is a top-level `reference` and the BIN sits alone in `sourceCard`; the answer is the
//! sale notification's, signed alike.

use super::super::check::{CardMappingResponse, MappedCardReference};
use super::super::common::{DeviceConsumer, TokenSession};
use crate::ids::ServerCardId;
use crate::validate::{Validate, Violations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `POST {cp}/verification/notification` request. The tables give no Necessity: the gateway always sends all four
/// members (V13); a Connecting Party reads them leniently and can map nothing without `reference`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerificationCardMappingNotification {
    /// `consumer.device.serialNumber`.
    pub consumer: DeviceConsumer,
    /// `reference.{serverCardId,uniqueReferenceCardId}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<MappedCardReference>,
    /// `session.{accessToken,token}`: the Connecting Party finds the verification by `token`.
    pub session: TokenSession,
    /// `sourceCard.bin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_card: Option<CardBin>,
}

/// `sourceCard` of the verification notification: the BIN only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CardBin {
    /// `bin`: the first six digits of the PAN as an integer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bin: Option<u32>,
}

impl VerificationCardMappingNotification {
    /// The server card id, when present.
    pub fn server_card_id(&self) -> Option<&ServerCardId> {
        self.reference
            .as_ref()
            .map(|reference| &reference.server_card_id)
    }

    /// `sourceCard.bin`, when present.
    pub fn bin(&self) -> Option<u32> {
        self.source_card.and_then(|card| card.bin)
    }
}

impl Validate for VerificationCardMappingNotification {
    fn validate(&self, v: &mut Violations) {
        self.consumer.device.check("consumer.device", v);
        self.session.check(v);
        v.optional_length(
            "reference.serverCardId",
            self.server_card_id().map(ServerCardId::as_str),
            1,
            64,
        );
    }
}

/// Verification card mapping notification success response: the sale notification's (addendum §4 table).
pub type VerificationCardMappingResponse = CardMappingResponse;
