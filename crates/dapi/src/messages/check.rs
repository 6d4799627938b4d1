//! Check sale (spec 3.4) and the sale card mapping notification (spec 3.7): the gateway's requests to the
//! Connecting Party server, and the signed answers.

use super::common::{CheckedSession, DeviceConsumer, TokenSession};
use super::perform::{Expiry, Holder, SignedSession, check_card_number};
use crate::card::CardNumber;
use crate::ids::{
    AccessToken, ClientCardId, Email, InvoiceId, Nonce, ServerCardId, SessionToken, SignatureHex,
};
use crate::validate::{Rule, Validate, Violations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `POST {cp}/sale/{invoiceId}/check` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckSaleRequest {
    /// `consumer.device.serialNumber` as sent by the app.
    pub consumer: DeviceConsumer,
    /// `session.{accessToken,nonce,signature,token}`.
    pub session: CheckSession,
    /// `sourceOfFunds.reference.clientCardId`, only when the app used a reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_of_funds: Option<CheckSource>,
}

/// `session` of check sale: the app's signed session plus the gateway token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckSession {
    /// `accessToken`.
    pub access_token: AccessToken,
    /// `nonce`.
    pub nonce: Nonce,
    /// `signature`.
    pub signature: SignatureHex,
    /// `token`: the gateway session token, 16–36.
    pub token: SessionToken,
}

/// `sourceOfFunds` of the check sale request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckSource {
    /// `reference.clientCardId`.
    pub reference: ClientCardRef,
}

/// `{"clientCardId": ...}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientCardRef {
    /// `clientCardId`, 1–128.
    pub client_card_id: ClientCardId,
}

impl CheckSaleRequest {
    /// The client card id, when the app used a reference.
    pub fn client_card_id(&self) -> Option<&ClientCardId> {
        self.source_of_funds
            .as_ref()
            .map(|source| &source.reference.client_card_id)
    }
}

impl Validate for CheckSaleRequest {
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
        if let Some(id) = self.client_card_id() {
            v.length("sourceOfFunds.reference.clientCardId", id.as_str(), 1, 128);
        }
    }
}

/// Check sale success response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckSaleResponse {
    /// The sale.
    #[schemars(length(min = 1, max = 128))]
    pub invoice_id: InvoiceId,
    /// `session.{checkSignature,nonce,token}`.
    pub session: CheckedSession,
    /// `consumer.email`: present when the referenced card was mapped in a sale with an e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<EmailConsumer>,
    /// `sourceOfFunds.reference.serverCardId`: required when the request carried a `clientCardId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_of_funds: Option<CheckedSource>,
    /// `transaction.{currency,randomSumCentis}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<CheckedTransaction>,
}

/// `consumer` of the check sale response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmailConsumer {
    /// `email`, 3–128.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
}

/// `sourceOfFunds` of the check sale response: a card reference, or card data (spec A25), never both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckedSource {
    /// `reference.serverCardId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<ServerCardRef>,
    /// `card`: the card data the spec page's example shows and the field table does not list (spec A25);
    /// accepted only without a `reference`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<CheckedCard>,
}

/// `sourceOfFunds.card` of the check sale response (spec A25): the number, and expiry and holder when given.
/// `Debug` masks the number, like every [`CardNumber`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckedCard {
    /// `number`: PAN, 9–19 digits, Luhn-valid.
    pub number: CardNumber,
    /// `expiry.{month,year}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Expiry>,
    /// `holder.{firstName,lastName,printedName}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<Holder>,
}

/// `{"serverCardId": ...}` (a string; a number is accepted, spec A12).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServerCardRef {
    /// `serverCardId`.
    pub server_card_id: ServerCardId,
}

/// `transaction` of the check sale response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckedTransaction {
    /// `currency`: must equal the sale's currency when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 3, max = 3), regex(pattern = super::common::CURRENCY_PATTERN))]
    pub currency: Option<String>,
    /// `randomSumCentis`: for a random-sum check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_sum_centis: Option<u64>,
}

impl Validate for CheckedSource {
    /// The card, when given, as perform sale's card number; never with a reference (spec A25, the reference
    /// code's rule: a source is a reference or a card).
    fn validate(&self, v: &mut Violations) {
        let Some(card) = &self.card else {
            return;
        };
        if self.reference.is_some() {
            v.push(
                "sourceOfFunds",
                Rule::Pattern("a reference or a card, never both (spec A25)"),
            );
        }
        check_card_number("sourceOfFunds.card.number", &card.number, v);
        if let Some(expiry) = &card.expiry {
            v.range("sourceOfFunds.card.expiry.month", expiry.month, 1, 12);
            v.range("sourceOfFunds.card.expiry.year", expiry.year, 1000, 9999);
        }
    }
}

impl CheckSaleResponse {
    /// The server card id, when present.
    pub fn server_card_id(&self) -> Option<&ServerCardId> {
        self.source_of_funds
            .as_ref()?
            .reference
            .as_ref()
            .map(|reference| &reference.server_card_id)
    }

    /// The e-mail, when present.
    pub fn email(&self) -> Option<&Email> {
        self.consumer.as_ref()?.email.as_ref()
    }
}

impl Validate for CheckSaleResponse {
    fn validate(&self, v: &mut Violations) {
        v.length("invoiceId", self.invoice_id.as_str(), 1, 128);
        self.session.check(v);
        v.optional_length("consumer.email", self.email().map(Email::as_str), 3, 128);
        if let Some(source) = &self.source_of_funds {
            source.validate(v);
        }
        v.optional_length(
            "sourceOfFunds.reference.serverCardId",
            self.server_card_id().map(ServerCardId::as_str),
            1,
            64,
        );
        if let Some(currency) = self
            .transaction
            .as_ref()
            .and_then(|t| t.currency.as_deref())
        {
            v.currency("transaction.currency", currency);
        }
    }
}

/// `POST {cp}/sale/notification` request: the card mapping notification (spec 3.7).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CardMappingNotification {
    /// `consumer.device.serialNumber`.
    pub consumer: DeviceConsumer,
    /// `session.{accessToken,token}`: the Connecting Party finds the sale by `token`.
    pub session: TokenSession,
    /// `sourceCard.{bin, reference}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_card: Option<SourceCard>,
}

/// `sourceCard` of the notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceCard {
    /// `bin`: the first six digits of the PAN as an integer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bin: Option<u32>,
    /// `reference.{serverCardId,uniqueReferenceCardId}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<MappedCardReference>,
}

/// `sourceCard.reference` of the notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MappedCardReference {
    /// `serverCardId`, String 1–64.
    pub server_card_id: ServerCardId,
    /// `uniqueReferenceCardId`: stays the same for the same PAN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_reference_card_id: Option<u64>,
}

impl CardMappingNotification {
    /// The server card id, when present.
    pub fn server_card_id(&self) -> Option<&ServerCardId> {
        self.source_card
            .as_ref()?
            .reference
            .as_ref()
            .map(|reference| &reference.server_card_id)
    }
}

impl Validate for CardMappingNotification {
    fn validate(&self, v: &mut Violations) {
        self.consumer.device.check("consumer.device", v);
        self.session.check(v);
        v.optional_length(
            "sourceCard.reference.serverCardId",
            self.server_card_id().map(ServerCardId::as_str),
            1,
            64,
        );
    }
}

/// Card mapping notification success response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CardMappingResponse {
    /// The sale.
    #[schemars(length(min = 1, max = 128))]
    pub invoice_id: InvoiceId,
    /// `session.{checkSignature,nonce,token}`.
    pub session: CheckedSession,
}

impl Validate for CardMappingResponse {
    fn validate(&self, v: &mut Violations) {
        v.length("invoiceId", self.invoice_id.as_str(), 1, 128);
        self.session.check(v);
    }
}
