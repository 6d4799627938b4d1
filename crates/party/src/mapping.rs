//! Card mapping (spec 3.7, 2.2, A24; addendum §2.7, §4): the gateway's notification of a sale or a verification
//! creates a `clientCardId` for its `serverCardId`; repeat sales look it up in check sale; the app fetches it
//! with `client-card-id`. A notification is admitted (its violations recorded on the transaction its gateway
//! token belongs to, which must be of the notification's flow, and its access token required) before the card
//! is mapped. Both notifications are [`Notification`]s, read the same way.

use crate::error::{CardIdError, NotificationError};
use crate::events::PartyEvent;
use crate::sale::Sale;
use crate::sandbox::observe;
use crate::store::AppState;
use dapi::messages::check::{CardMappingNotification, CardMappingResponse};
use dapi::messages::common::{CheckedSession, TokenOnly, TokenSession};
use dapi::messages::initiate::{ClientCardIdRequest, ClientCardIdResponse};
use dapi::messages::verification::notification::VerificationCardMappingNotification;
use dapi::{
    ClientCardId, Email, Flow, InvoiceId, SerialNumber, ServerCardId, SessionToken, Validate,
};
use sandbox_api::CardMappingRecord;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use server_kit::BodyError;
use uuid::Uuid;

/// A card mapping notification of either flow: what the server reads of it.
pub(crate) trait Notification: DeserializeOwned + Validate + Send + Sync {
    /// The flow it belongs to; a token of the other flow's transaction is refused.
    const FLOW: Flow;
    /// Where its `serverCardId` sits, for the violation when it is missing.
    const SERVER_CARD_ID_PATH: &'static str;
    /// `session.{accessToken,token}`.
    fn session(&self) -> &TokenSession;
    /// `consumer.device.serialNumber`.
    fn serial_number(&self) -> &SerialNumber;
    /// The `serverCardId`, when present.
    fn server_card_id(&self) -> Option<&ServerCardId>;
    /// The `uniqueReferenceCardId`, when present.
    fn unique_reference_card_id(&self) -> Option<u64>;
    /// `sourceCard.bin`, when present.
    fn bin(&self) -> Option<u32>;
}

impl Notification for CardMappingNotification {
    const FLOW: Flow = Flow::Sale;
    const SERVER_CARD_ID_PATH: &'static str = "sourceCard.reference.serverCardId";
    fn session(&self) -> &TokenSession {
        &self.session
    }
    fn serial_number(&self) -> &SerialNumber {
        &self.consumer.device.serial_number
    }
    fn server_card_id(&self) -> Option<&ServerCardId> {
        CardMappingNotification::server_card_id(self)
    }
    fn unique_reference_card_id(&self) -> Option<u64> {
        let reference = self.source_card.as_ref()?.reference.as_ref()?;
        reference.unique_reference_card_id
    }
    fn bin(&self) -> Option<u32> {
        self.source_card.as_ref()?.bin
    }
}

impl Notification for VerificationCardMappingNotification {
    const FLOW: Flow = Flow::Verification;
    const SERVER_CARD_ID_PATH: &'static str = "reference.serverCardId";
    fn session(&self) -> &TokenSession {
        &self.session
    }
    fn serial_number(&self) -> &SerialNumber {
        &self.consumer.device.serial_number
    }
    fn server_card_id(&self) -> Option<&ServerCardId> {
        VerificationCardMappingNotification::server_card_id(self)
    }
    fn unique_reference_card_id(&self) -> Option<u64> {
        self.reference.as_ref()?.unique_reference_card_id
    }
    fn bin(&self) -> Option<u32> {
        VerificationCardMappingNotification::bin(self)
    }
}

/// Just `session.token` of a body that did not decode as a whole; every other field is ignored.
#[derive(Deserialize)]
struct TokenProbe {
    session: TokenOnly,
}

/// The gateway token of a notification body, read without decoding the rest (which may be broken).
pub(crate) fn token_of(raw: &[u8]) -> Option<SessionToken> {
    let probe = serde_json::from_slice::<TokenProbe>(raw).ok()?;
    Some(probe.session.token)
}

/// A card reference as stored for repeat sales.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct CardMapping {
    pub(crate) server_card_id: ServerCardId,
    /// Stored as spec 3.7 asks; no sandbox route reads it.
    #[allow(
        dead_code,
        reason = "kept for the spec 3.7 record; shown by Debug only"
    )]
    pub(crate) unique_reference_card_id: Option<u64>,
    /// The device of the sale that created it: only that device may use it (spec 3.4 \[DECISION\]).
    pub(crate) serial_number: SerialNumber,
    /// Returned in check sale for this reference (spec 2.2; a verification's always has one, addendum §4).
    pub(crate) email: Option<Email>,
}

impl Sale {
    /// Records what the notification breaks, then requires a transaction of its flow and its access token
    /// (spec 3.7).
    fn admit<N: Notification>(&mut self, notification: &N) -> Result<(), NotificationError> {
        if self.terms.flow != N::FLOW {
            return Err(NotificationError::OtherFlow);
        }
        let seen = observe::notification(&self.terms, notification);
        self.observe(seen);
        if self.terms.access_token != notification.session().access_token {
            return Err(NotificationError::ForeignToken);
        }
        Ok(())
    }

    /// Creates the sale's mapping from the notified card unless it has one already (the same token notified
    /// again keeps the first, spec 3.7 idempotency); returns the new one.
    fn attach_mapping<N: Notification>(
        &mut self,
        notification: &N,
    ) -> Option<(ClientCardId, CardMapping)> {
        let server_card_id = notification
            .server_card_id()
            .filter(|_| self.mapping.is_none())?;
        let client_card_id = ClientCardId::from(format!("cc_{}", Uuid::new_v4().simple()));
        self.mapping = Some(CardMappingRecord {
            client_card_id: client_card_id.clone(),
            server_card_id: server_card_id.clone(),
            bin: notification.bin(),
        });
        let mapping = CardMapping {
            server_card_id: server_card_id.clone(),
            unique_reference_card_id: notification.unique_reference_card_id(),
            serial_number: self.terms.serial_number.clone(),
            email: self.terms.email.clone(),
        };
        Some((client_card_id, mapping))
    }
}

impl AppState {
    /// Maps the notified `serverCardId` to a new `clientCardId` and answers with the signed session (spec 3.7,
    /// addendum §2.7).
    pub(crate) fn map_card<N: Notification>(
        &self,
        notification: &N,
    ) -> Result<CardMappingResponse, NotificationError> {
        let session = notification.session();
        let invoice_id = self
            .session_invoice(&session.token)
            .ok_or(NotificationError::UnknownSession)?;
        // One guard: recording, looking for an existing mapping and creating one are a single step.
        let (terms, created) = self
            .update_sale(&invoice_id, |sale| {
                sale.admit(notification)?;
                let created = sale.attach_mapping(notification);
                Ok::<_, NotificationError>((sale.terms.clone(), created))
            })
            .ok_or(NotificationError::UnknownSession)??;
        if let Some((client_card_id, mapping)) = created {
            let server_card_id = mapping.server_card_id.clone();
            self.insert_card(client_card_id.clone(), mapping);
            tracing::info!(%invoice_id, %client_card_id, "card mapped");
            self.publish(PartyEvent::CardMapped {
                invoice_id: invoice_id.clone(),
                client_card_id,
                server_card_id,
            });
        }
        Ok(CardMappingResponse {
            session: CheckedSession {
                check_signature: terms.notification_signature(&self.config().control_key),
                nonce: terms.nonce,
                token: session.token.clone(),
            },
            invoice_id,
        })
    }

    /// Admits a notification as [`AppState::map_card`] does (its violations recorded), without mapping the
    /// card; the sale it belongs to.
    pub(crate) fn admit_notification<N: Notification>(
        &self,
        notification: &N,
    ) -> Result<InvoiceId, NotificationError> {
        let invoice_id = self
            .session_invoice(&notification.session().token)
            .ok_or(NotificationError::UnknownSession)?;
        self.update_sale(&invoice_id, |sale| sale.admit(notification))
            .ok_or(NotificationError::UnknownSession)??;
        Ok(invoice_id)
    }

    /// Records the schema violations of a `flow` notification whose gateway token (read from the raw body, as
    /// it did not decode) belongs to a checked transaction of that flow, and refuses it.
    pub(crate) fn refuse_notification_body(
        &self,
        flow: Flow,
        raw: &[u8],
        error: BodyError,
    ) -> NotificationError {
        let invoice_id = token_of(raw).and_then(|token| self.session_invoice(&token));
        let of_flow = invoice_id.filter(|id| self.sale_terms(id).is_some_and(|t| t.flow == flow));
        if let Some(invoice_id) = of_flow {
            let seen = observe::schema(flow.steps().notification, error.violations());
            self.observe(&invoice_id, seen);
        }
        error.into()
    }

    /// The mapping of `client_card_id` if it was made for this device.
    pub(crate) fn card_of_device(
        &self,
        client_card_id: &ClientCardId,
        serial_number: &SerialNumber,
    ) -> Option<CardMapping> {
        let card = self.card(client_card_id)?;
        (&card.serial_number == serial_number).then_some(card)
    }

    /// The `clientCardId` created in this sale or verification (of `flow`), for the consumer who made it
    /// (spec A24, addendum V17).
    pub(crate) fn client_card_id(
        &self,
        flow: Flow,
        invoice_id: &InvoiceId,
        request: &ClientCardIdRequest,
    ) -> Result<ClientCardIdResponse, CardIdError> {
        let (access_token, mapping) = self
            .read_sale(invoice_id, |sale| {
                let known = sale.terms.flow == flow;
                known.then(|| (sale.terms.access_token.clone(), sale.mapping.clone()))
            })
            .flatten()
            .ok_or(CardIdError::UnknownInvoice)?;
        if access_token != request.session.access_token {
            return Err(CardIdError::ForeignToken);
        }
        let mapping = mapping.ok_or(CardIdError::NoMapping)?;
        Ok(ClientCardIdResponse {
            invoice_id: invoice_id.clone(),
            client_card_id: mapping.client_card_id,
        })
    }
}
