//! Card mapping (spec 3.7, 2.2, A24): the gateway's notification creates a `clientCardId` for its
//! `serverCardId`; repeat sales look it up in check sale; the app fetches it with `client-card-id`. A
//! notification is admitted (its violations recorded on the sale its gateway token belongs to, the sale's access
//! token required) before the card is mapped.

use crate::error::{CardIdError, NotificationError};
use crate::events::PartyEvent;
use crate::sale::Sale;
use crate::sandbox::observe;
use crate::store::AppState;
use dapi::messages::check::{CardMappingNotification, CardMappingResponse, SourceCard};
use dapi::messages::common::{CheckedSession, TokenOnly};
use dapi::messages::initiate::{ClientCardIdRequest, ClientCardIdResponse};
use dapi::steps;
use dapi::{ClientCardId, Email, InvoiceId, SerialNumber, ServerCardId, SessionToken};
use sandbox_api::CardMappingRecord;
use serde::Deserialize;
use server_kit::BodyError;
use uuid::Uuid;

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
    /// Returned in check sale for this reference (spec 2.2).
    pub(crate) email: Option<Email>,
}

impl Sale {
    /// Records what the notification breaks, then requires the sale's access token (spec 3.7).
    fn admit(&mut self, notification: &CardMappingNotification) -> Result<(), NotificationError> {
        let seen = observe::notification(&self.terms, notification);
        self.observe(seen);
        if self.terms.access_token != notification.session.access_token {
            return Err(NotificationError::ForeignToken);
        }
        Ok(())
    }

    /// Creates the sale's mapping from the notified card unless it has one already (the same token notified
    /// again keeps the first, spec 3.7 idempotency); returns the new one.
    fn attach_mapping(&mut self, card: Option<&SourceCard>) -> Option<(ClientCardId, CardMapping)> {
        let card = card.filter(|_| self.mapping.is_none())?;
        let reference = card.reference.as_ref()?;
        let client_card_id = ClientCardId::from(format!("cc_{}", Uuid::new_v4().simple()));
        self.mapping = Some(CardMappingRecord {
            client_card_id: client_card_id.clone(),
            server_card_id: reference.server_card_id.clone(),
            bin: card.bin,
        });
        let mapping = CardMapping {
            server_card_id: reference.server_card_id.clone(),
            unique_reference_card_id: reference.unique_reference_card_id,
            serial_number: self.terms.serial_number.clone(),
            email: self.terms.email.clone(),
        };
        Some((client_card_id, mapping))
    }
}

impl AppState {
    /// Maps the notified `serverCardId` to a new `clientCardId` and answers with the signed session (spec 3.7).
    pub(crate) fn map_card(
        &self,
        notification: &CardMappingNotification,
    ) -> Result<CardMappingResponse, NotificationError> {
        let session = &notification.session;
        let invoice_id = self
            .session_invoice(&session.token)
            .ok_or(NotificationError::UnknownSession)?;
        // One guard: recording, looking for an existing mapping and creating one are a single step.
        let (terms, created) = self
            .update_sale(&invoice_id, |sale| {
                sale.admit(notification)?;
                let created = sale.attach_mapping(notification.source_card.as_ref());
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
    pub(crate) fn admit_notification(
        &self,
        notification: &CardMappingNotification,
    ) -> Result<InvoiceId, NotificationError> {
        let invoice_id = self
            .session_invoice(&notification.session.token)
            .ok_or(NotificationError::UnknownSession)?;
        self.update_sale(&invoice_id, |sale| sale.admit(notification))
            .ok_or(NotificationError::UnknownSession)??;
        Ok(invoice_id)
    }

    /// Records the schema violations of a notification whose gateway token (read from the raw body, as it
    /// did not decode) belongs to a checked sale, and refuses it.
    pub(crate) fn refuse_notification_body(
        &self,
        raw: &[u8],
        error: BodyError,
    ) -> NotificationError {
        if let Some(invoice_id) = token_of(raw).and_then(|token| self.session_invoice(&token)) {
            let seen = observe::schema(steps::CARD_MAPPING_NOTIFICATION, error.violations());
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

    /// The `clientCardId` created in this sale, for the consumer who made it (spec A24).
    pub(crate) fn client_card_id(
        &self,
        invoice_id: &InvoiceId,
        request: &ClientCardIdRequest,
    ) -> Result<ClientCardIdResponse, CardIdError> {
        let (access_token, mapping) = self
            .read_sale(invoice_id, |sale| {
                (sale.terms.access_token.clone(), sale.mapping.clone())
            })
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
