//! The sale card mapping notification (spec 3.7) and the gateway's card registry: after an approved sale with
//! full card data, the gateway issues a `serverCardId` and tells the Connecting Party, before the sale shows
//! `APPROVED`. It is sent by `delivery` (retried, logged, dead-lettered); here is one attempt and how its answer is
//! judged. A failed notification is logged, recorded as a contract violation (step 20) and leaves the mapping
//! unconfirmed; it never changes the outcome.

use crate::delivery::{Tried, Verdict};
use crate::record::{self, mask, short, violation};
use crate::sale::CardFacts;
use crate::state::AppState;
use dapi::messages::check::{
    CardMappingNotification, CardMappingResponse, MappedCardReference, SourceCard,
};
use dapi::messages::common::{DeviceConsumer, TokenSession};
use dapi::signature::{NotificationSigned, verify};
use dapi::steps;
use dapi::{ControlKey, Email, EndpointId, InvoiceId, Nonce, ServerCardId, SessionToken};
use sandbox_api::ContractViolation;
use std::sync::atomic::Ordering;

/// A card the gateway issued a `serverCardId` for (the registry used by repeat sales).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CardRecord {
    /// The endpoint of the sale that created it; other endpoints cannot use it.
    pub(crate) endpoint_id: EndpointId,
    /// Masked PAN, BIN, `uniqueReferenceCardId`.
    pub(crate) card: CardFacts,
    /// `consumer.email` of the sale that created it: repeat sales must bring the same (spec 2.2).
    pub(crate) email: Option<Email>,
    /// Whether the Connecting Party acknowledged the notification with a valid `checkSignature`.
    pub(crate) confirmed: bool,
}

/// One notification, copied out of the state; kept in the delivery log for replays. No card data but the BIN.
#[derive(Clone, Debug)]
pub(crate) struct NotificationJob {
    pub(crate) url: String,
    pub(crate) server_card_id: ServerCardId,
    pub(crate) request: CardMappingNotification,
    key: ControlKey,
    pub(crate) endpoint_id: EndpointId,
    pub(crate) invoice_id: InvoiceId,
    nonce: Nonce,
    pub(crate) token: SessionToken,
}

impl NotificationJob {
    /// Checks an answer (spec 3.7): `invoiceId`, `nonce`, `token` and `checkSignature` over nonce + endpointId +
    /// invoiceId; every breach, as recorded (step 20).
    pub(crate) fn breaches(&self, response: &CardMappingResponse) -> Vec<ContractViolation> {
        let step = steps::CARD_MAPPING_RESPONSE;
        let mut found = Vec::new();
        if response.invoice_id != self.invoice_id {
            found.push(
                violation(step, "invoiceId", "must echo the sale's invoiceId").values(
                    mask(self.invoice_id.as_str()),
                    mask(response.invoice_id.as_str()),
                ),
            );
        }
        let session = &response.session;
        if session.nonce != self.nonce {
            found.push(
                violation(
                    step,
                    "session.nonce",
                    "must echo the nonce of initiate sale",
                )
                .values(short(self.nonce.as_str()), short(session.nonce.as_str())),
            );
        }
        if session.token != self.token {
            found.push(
                violation(
                    step,
                    "session.token",
                    "must echo the gateway's session token",
                )
                .values(short(self.token.as_str()), short(session.token.as_str())),
            );
        }
        let signed = NotificationSigned {
            nonce: self.nonce.as_str(),
            endpoint_id: self.endpoint_id.as_str(),
            invoice_id: self.invoice_id.as_str(),
        };
        let received = session.check_signature.as_str();
        if verify(&self.key, &signed.string_to_sign(), received).is_err() {
            found.push(
                violation(step, "session.checkSignature", "does not verify").values(
                    "HMAC-SHA1 of nonce + endpointId + invoiceId",
                    mask(received),
                ),
            );
        }
        found
    }
}

impl AppState {
    /// For a sale made with full card data: issues the next `serverCardId`, records the card (unconfirmed) and
    /// returns the notification to send. `None` for a repeat sale (spec A11: nothing is sent).
    pub(crate) fn notification_job(&self, token: &SessionToken) -> Option<NotificationJob> {
        let sale = self
            .with_sale(token, Clone::clone)
            .filter(|sale| sale.client_card_id.is_none())?;
        let card = sale.card.clone()?;
        let endpoint = self.endpoint(&sale.endpoint_id)?;
        let number = self.inner().next_card.fetch_add(1, Ordering::Relaxed);
        let record = CardRecord {
            endpoint_id: sale.endpoint_id.clone(),
            card: card.clone(),
            email: sale.email.clone(),
            confirmed: false,
        };
        let server_card_id = self.register_card(number, record);
        let request = CardMappingNotification {
            consumer: DeviceConsumer::new(sale.serial_number.clone()),
            session: TokenSession {
                access_token: sale.access_token.clone(),
                token: sale.token.clone(),
            },
            source_card: Some(SourceCard {
                bin: card.bin,
                reference: Some(MappedCardReference {
                    server_card_id: server_card_id.clone(),
                    unique_reference_card_id: Some(card.unique_reference_card_id),
                }),
            }),
        };
        Some(NotificationJob {
            url: format!("{}/sale/notification", endpoint.party_url),
            server_card_id,
            request,
            key: endpoint.control_key,
            endpoint_id: sale.endpoint_id,
            invoice_id: sale.invoice_id,
            nonce: sale.nonce,
            token: sale.token,
        })
    }

    /// Marks a mapping as acknowledged (or not).
    pub(crate) fn confirm_card(&self, server_card_id: &ServerCardId, confirmed: bool) {
        if let Some(mut record) = self.inner().cards.get_mut(server_card_id) {
            record.confirmed = confirmed;
        }
    }

    /// A registered card.
    pub(crate) fn card(&self, server_card_id: &ServerCardId) -> Option<CardRecord> {
        self.inner()
            .cards
            .get(server_card_id)
            .map(|record| record.clone())
    }
}

impl NotificationJob {
    /// One attempt (spec 3.7): a valid acknowledgement; a wrong answer, recorded (step 20), which asking again
    /// would not make right; or a failure to retry, recorded too unless it is the documented "try later"
    /// (`SERVER_UNAVAILABLE`, a fault). Never changes the sale's outcome.
    pub(crate) async fn attempt(&self, state: &AppState) -> Tried {
        let timeout = state.config().timings.outbound_timeout;
        let step = steps::CARD_MAPPING_RESPONSE;
        let answer = match state
            .party()
            .post_json(&self.url, &self.request, timeout)
            .await
        {
            Ok(answer) => answer,
            Err(error) => {
                state
                    .record_violations(&self.token, record::call_violations(step, &error, timeout));
                return Tried::unanswered(&error);
            }
        };
        match answer.decode::<CardMappingResponse>() {
            Ok(response) => {
                let breaches = self.breaches(&response);
                if breaches.is_empty() {
                    tracing::info!(server_card_id = %self.server_card_id, "card mapping notification acknowledged");
                    return Tried::answered(&answer, Verdict::Acknowledged);
                }
                tracing::warn!(server_card_id = %self.server_card_id, "card mapping notification answer refused; mapping unconfirmed");
                state.record_violations(&self.token, breaches);
                Tried::answered(&answer, Verdict::AnsweredWrong)
            }
            Err(error) if error.is_unavailable() => {
                tracing::warn!(%error, "card mapping notification: the Connecting Party is unavailable");
                Tried::answered(&answer, Verdict::Failed)
            }
            Err(error) => {
                tracing::warn!(%error, "card mapping notification failed");
                let found = record::refusal(step, &error)
                    .into_iter()
                    .chain(record::call_violations(step, &error, timeout));
                state.record_violations(&self.token, found);
                Tried::answered(&answer, Verdict::Failed)
            }
        }
    }
}
