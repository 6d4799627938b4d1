//! Initiate sale (spec 3.2) and check sale (spec 3.4): the sale the server stores, what it signs, and the
//! reference proxy's checks. A check also records the violations it sees (`observe`) and answers as the sale's
//! misbehaviour asks (`misbehave`).

use crate::auth::random_alphanumeric;
use crate::callback::ReceivedCallback;
use crate::error::{CheckError, InitiateError};
use crate::fault::Attempts;
use crate::mapping::CardMapping;
use crate::misbehave::{CheckReply, check_reply};
use crate::observe::{self, ViolationLog};
use crate::state::{AppState, PartyEvent};
use dapi::messages::check::{
    CheckSaleRequest, CheckSaleResponse, CheckSession, CheckedSource, CheckedTransaction,
    EmailConsumer, ServerCardRef,
};
use dapi::messages::common::CheckedSession;
use dapi::messages::initiate::{InitiateSaleRequest, InitiateSaleResponse, NonceSignature};
use dapi::signature::{CheckSaleSigned, NotificationSigned, SaleSigned, sign, verify};
use dapi::steps;
use dapi::{
    AccessToken, ControlKey, Email, EndpointId, InvoiceId, Nonce, SerialNumber, ServerCardId,
    SessionToken, SignatureHex,
};
use sandbox_api::CardMappingRecord;
use sandbox_api::PartyMisbehaviour;
use sandbox_api::PartySaleRecord;
use server_kit::BodyError;
use std::time::Instant;
use uuid::Uuid;

/// What initiate sale fixed; never changes afterwards.
///
/// The `signature` is not stored: it is the HMAC of these fields, so check sale recomputes it and compares in
/// constant time and either letter case, which is "request signature == stored signature" (spec 3.4, 4.1).
#[derive(Clone, Debug)]
pub(crate) struct SaleTerms {
    pub(crate) invoice_id: InvoiceId,
    pub(crate) access_token: AccessToken,
    pub(crate) serial_number: SerialNumber,
    /// The e-mail bound to the access token, handed on to a card mapping made in this sale (spec 2.2).
    pub(crate) email: Option<Email>,
    pub(crate) amount_centis: u64,
    pub(crate) currency: String,
    pub(crate) nonce: Nonce,
    pub(crate) endpoint_id: EndpointId,
    pub(crate) created: Instant,
}

impl SaleTerms {
    /// The initiate sale `signature` (spec 4.2).
    pub(crate) fn signature(&self, key: &ControlKey) -> SignatureHex {
        SignatureHex::from(sign(key, &self.sale_signed().string_to_sign()).to_string())
    }

    /// Whether a received `signature` is this sale's, in either letter case (constant time).
    pub(crate) fn signature_matches(&self, key: &ControlKey, received: &SignatureHex) -> bool {
        verify(key, &self.sale_signed().string_to_sign(), received.as_str()).is_ok()
    }

    fn sale_signed(&self) -> SaleSigned<'_> {
        SaleSigned {
            access_token: self.access_token.as_str(),
            serial_number: self.serial_number.as_str(),
            endpoint_id: self.endpoint_id.as_str(),
            nonce: self.nonce.as_str(),
            invoice_id: self.invoice_id.as_str(),
            amount_centis: self.amount_centis,
            currency: &self.currency,
        }
    }

    /// The check sale `checkSignature` over the stored serial number and nonce (spec 4.2).
    pub(crate) fn check_signature(
        &self,
        key: &ControlKey,
        server_card_id: Option<&ServerCardId>,
    ) -> SignatureHex {
        let fields = CheckSaleSigned {
            serial_number: self.serial_number.as_str(),
            nonce: self.nonce.as_str(),
            endpoint_id: self.endpoint_id.as_str(),
            invoice_id: self.invoice_id.as_str(),
            server_card_id: server_card_id.map(ServerCardId::as_str),
        };
        SignatureHex::from(sign(key, &fields.string_to_sign()).to_string())
    }

    /// The card mapping notification `checkSignature` (spec 4.2).
    pub(crate) fn notification_signature(&self, key: &ControlKey) -> SignatureHex {
        let fields = NotificationSigned {
            nonce: self.nonce.as_str(),
            endpoint_id: self.endpoint_id.as_str(),
            invoice_id: self.invoice_id.as_str(),
        };
        SignatureHex::from(sign(key, &fields.string_to_sign()).to_string())
    }
}

/// A sale and what happened to it since.
#[derive(Debug)]
pub(crate) struct Sale {
    pub(crate) terms: SaleTerms,
    /// Check sale requests that passed the reference proxy's checks (spec 3.4): answered with 200, or wrongly on
    /// purpose (sandbox misbehaviour); refused ones are not counted.
    pub(crate) checks: u32,
    pub(crate) mapping: Option<CardMappingRecord>,
    pub(crate) callback: Option<ReceivedCallback>,
    /// What the gateway's messages about this sale broke (bounded).
    pub(crate) violations: ViolationLog,
    /// How the server misbehaves for this sale only (sandbox), faults included.
    pub(crate) misbehaviour: PartyMisbehaviour,
    /// Callback and notification attempts that reached the sale, refused ones included (sandbox faults).
    pub(crate) attempts: Attempts,
}

impl Sale {
    pub(crate) fn record(&self, invoice_id: &InvoiceId) -> PartySaleRecord {
        PartySaleRecord {
            invoice_id: invoice_id.clone(),
            checks: self.checks,
            card_mapping: self.mapping.clone(),
            callback: self
                .callback
                .as_ref()
                .map(|received| received.record.clone()),
            violations: self.violations.kept().to_vec(),
        }
    }
}

impl AppState {
    /// Creates a sale for an authenticated device: invoice id, nonce, signature (spec 3.2).
    pub(crate) fn initiate_sale(
        &self,
        request: InitiateSaleRequest,
    ) -> Result<InitiateSaleResponse, InitiateError> {
        let access_token = request.session.access_token;
        let serial_number = request.consumer.device.serial_number;
        let binding = self
            .0
            .tokens
            .authenticate(&access_token, &serial_number, Instant::now())?;
        let config = self.config();
        let terms = SaleTerms {
            invoice_id: InvoiceId::from(format!("INV-{}", Uuid::new_v4().simple())),
            access_token,
            serial_number,
            email: binding.email,
            amount_centis: request.transaction.amount_centis,
            currency: request.transaction.currency,
            nonce: Nonce::from(random_alphanumeric(64)),
            endpoint_id: config.endpoint_id.clone(),
            created: Instant::now(),
        };
        let response = InitiateSaleResponse {
            endpoint_id: terms.endpoint_id.clone(),
            invoice_id: terms.invoice_id.clone(),
            session: NonceSignature {
                nonce: terms.nonce.clone(),
                signature: terms.signature(&config.control_key),
            },
        };
        let sale = Sale {
            terms,
            checks: 0,
            mapping: None,
            callback: None,
            violations: ViolationLog::default(),
            misbehaviour: PartyMisbehaviour::default(),
            attempts: Attempts::default(),
        };
        self.insert_sale(response.invoice_id.clone(), sale);
        tracing::info!(invoice_id = %response.invoice_id, "sale initiated");
        self.publish(PartyEvent::Initiated {
            invoice_id: response.invoice_id.clone(),
        });
        Ok(response)
    }

    /// Confirms what the gateway was shown against what initiate sale stored (spec 3.4), recording every
    /// mismatch with the stored sale; refuses at the first one, in the reference proxy's order.
    pub(crate) fn check_sale(
        &self,
        invoice_id: &InvoiceId,
        request: &CheckSaleRequest,
    ) -> Result<CheckReply, CheckError> {
        let session = &request.session;
        let serial_number = &request.consumer.device.serial_number;
        let key = &self.config().control_key;
        let sale = self.sale_settings(invoice_id);
        if let Some((terms, _)) = &sale {
            self.observe(invoice_id, observe::check_request(terms, request, key));
        }
        self.0
            .tokens
            .authenticate(&session.access_token, serial_number, Instant::now())?;
        let (terms, misbehaviour) = sale.ok_or(CheckError::UnknownInvoice)?;
        if terms.access_token != session.access_token {
            return Err(CheckError::ForeignToken);
        }
        if terms.nonce != session.nonce {
            return Err(CheckError::NonceMismatch);
        }
        if !terms.signature_matches(key, &session.signature) {
            return Err(CheckError::SignatureMismatch);
        }
        let card = match request.client_card_id() {
            Some(id) => Some(self.card_of_device(id, serial_number).ok_or_else(|| {
                self.observe(invoice_id, [observe::unknown_card(id)]);
                CheckError::UnknownClientCard
            })?),
            None => None,
        };
        // Counted before any misbehaviour: the request passed, whatever the sale was set to answer.
        self.note_check(invoice_id, &session.token);
        let response = correct_check_response(&terms, session, card, key);
        check_reply(response, &terms, &misbehaviour, key)
    }

    /// Records the schema violations of a check sale request for a known invoice, and refuses it.
    pub(crate) fn refuse_check_body(&self, invoice_id: &InvoiceId, error: BodyError) -> CheckError {
        let seen = observe::schema(steps::CHECK_SALE_REQUEST, error.violations());
        self.observe(invoice_id, seen);
        error.into()
    }

    /// The sale's terms and misbehaviour, copied out under one guard.
    fn sale_settings(&self, invoice_id: &InvoiceId) -> Option<(SaleTerms, PartyMisbehaviour)> {
        self.0
            .sales
            .get(invoice_id)
            .map(|sale| (sale.terms.clone(), sale.misbehaviour.clone()))
    }

    /// Counts a check that passed and remembers the gateway token for the notification (spec 3.7).
    fn note_check(&self, invoice_id: &InvoiceId, token: &SessionToken) {
        if let Some(mut sale) = self.0.sales.get_mut(invoice_id) {
            sale.checks = sale.checks.saturating_add(1);
        }
        self.insert_session(token.clone(), invoice_id.clone());
        tracing::info!(%invoice_id, "sale checked");
    }
}

/// The answer the reference proxy gives: the stored nonce, the echoed token, `checkSignature` over the stored
/// serial number and nonce, and the card's serverCardId and e-mail for a repeat sale (spec 3.4, 2.2).
fn correct_check_response(
    terms: &SaleTerms,
    session: &CheckSession,
    card: Option<CardMapping>,
    key: &ControlKey,
) -> CheckSaleResponse {
    let server_card_id = card.as_ref().map(|card| card.server_card_id.clone());
    CheckSaleResponse {
        invoice_id: terms.invoice_id.clone(),
        session: CheckedSession {
            check_signature: terms.check_signature(key, server_card_id.as_ref()),
            nonce: terms.nonce.clone(),
            token: session.token.clone(),
        },
        consumer: card
            .and_then(|card| card.email)
            .map(|email| EmailConsumer { email: Some(email) }),
        source_of_funds: server_card_id.map(|server_card_id| CheckedSource {
            reference: Some(ServerCardRef { server_card_id }),
        }),
        transaction: Some(CheckedTransaction {
            currency: Some(terms.currency.clone()),
            random_sum_centis: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONCE: &str = "7f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60";

    fn spec_terms() -> SaleTerms {
        SaleTerms {
            invoice_id: "INV-2024-000042".into(),
            access_token: "a3f1c2d4e5b60718293a4b5c6d7e8f90".into(),
            serial_number: "SN-ANDROID-0001".into(),
            email: None,
            amount_centis: 1050,
            currency: "EUR".into(),
            nonce: NONCE.into(),
            endpoint_id: "1234".into(),
            created: Instant::now(),
        }
    }

    fn spec_key() -> ControlKey {
        ControlKey::parse(dapi::SANDBOX_CONTROL_KEY).unwrap()
    }

    #[test]
    fn sale_signatures_match_the_spec_vectors_tv1_to_tv4() {
        let (terms, key) = (spec_terms(), spec_key());
        let tv1 = "2C692B7CBF744A6258EE6AE324A00797D6A2AE9A";
        assert_eq!(terms.signature(&key).as_str(), tv1);
        let tv2 = "A2D29630F32ECD84F35A1F6032DE4BA35E170788";
        assert_eq!(terms.check_signature(&key, None).as_str(), tv2);
        let tv3 = "FDA9EF534B634C679A037320CB07E0C177A44DB5";
        let server_card_id = ServerCardId::from("9876543");
        assert_eq!(
            terms.check_signature(&key, Some(&server_card_id)).as_str(),
            tv3
        );
        let tv4 = "786445D2FF085D0443E3E52FE8556A8B95B071F8";
        assert_eq!(terms.notification_signature(&key).as_str(), tv4);
    }
}
