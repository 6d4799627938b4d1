//! Approval (spec 3.7, steps 19–22): for a sale made with full card data, and for every verification (addendum
//! §2.7), the gateway issues a `serverCardId`, records the card in the one registry and sends the card mapping
//! notification of its flow, delivered (retried, logged, dead-lettered) by `delivery` before the transaction
//! shows `APPROVED`. Here is the notification, one attempt and how its answer is judged (the same for both
//! flows). A failed notification is logged, recorded as a contract violation (step 20) and leaves the mapping
//! unconfirmed; it never changes the outcome. A repeat sale sends none (spec A11).

use super::callback::finish;
use super::violations::{Echoes, bad_check_signature, call_violations, echo_breaches, refusal};
use crate::delivery::{self, Message, Tried, Verdict};
use crate::party_client::Call;
use crate::state::AppState;
use crate::store::CardRecord;
use crate::verification;
use dapi::messages::check::{
    CardMappingNotification, CardMappingResponse, MappedCardReference, SourceCard,
};
use dapi::messages::common::{DeviceConsumer, TokenSession};
use dapi::messages::verification::notification::VerificationCardMappingNotification;
use dapi::signature::{NotificationSigned, verify};
use dapi::{
    ControlKey, EndpointId, Flow, InvoiceId, Nonce, SerialNumber, ServerCardId, SessionToken, paths,
};
use sandbox_api::{ContractViolation, SaleRef};
use serde::Serialize;

/// Authorisation of a sale that is authorising: the card mapping notification for a card sale, delivered or
/// dead-lettered, then the sale ends as the phase says (an [`super::Ending::approved`], with its `secure3DAuthStatus`
/// and `randomSumAuthStatus`; spec 3.7: in that order; whatever the notification's fate, the outcome is the
/// same). Run again after a restart, it goes on with the notification already opened (issuing no second card)
/// and sends it only while it is pending.
pub(crate) async fn approve(state: AppState, token: SessionToken) {
    let authorising = state.store().with_sale(&token, super::Sale::authorising);
    let Some(approved) = authorising.flatten() else {
        return;
    };
    if let Some(number) = notification(&state, &token).await {
        delivery::deliver(state.clone(), number).await;
    }
    finish(&state, &token, approved);
}

/// The number of the sale's notification in the delivery log: the one opened before, or a new one (its card
/// issued), made durable before it goes out so that no `serverCardId` a restart forgets is ever sent. `None`
/// when nothing is sent (a repeat sale, unless the gateway re-sends the card mapping).
async fn notification(state: &AppState, token: &SessionToken) -> Option<u64> {
    let opened = state.store().with_sale(token, |sale| sale.notification)?;
    if opened.is_some() {
        return opened;
    }
    let job = notification_job(state, token)?;
    let number = delivery::open(state, Message::Notification(job));
    state
        .store()
        .update_sale(token, |sale| sale.notification = Some(number));
    state.store().journal().flushed().await;
    Some(number)
}

/// The body of a card mapping notification: the sale's or the verification's (sent as it is, untagged).
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum NotificationBody {
    /// `POST {cp}/sale/notification` (spec 3.7).
    Sale(CardMappingNotification),
    /// `POST {cp}/verification/notification` (addendum §2.7).
    Verification(VerificationCardMappingNotification),
}

impl NotificationBody {
    /// The flow whose notification it is.
    pub(crate) fn flow(&self) -> Flow {
        match self {
            Self::Sale(_) => Flow::Sale,
            Self::Verification(_) => Flow::Verification,
        }
    }

    /// The device the notification names.
    pub(crate) fn serial_number(&self) -> &SerialNumber {
        match self {
            Self::Sale(notification) => &notification.consumer.device.serial_number,
            Self::Verification(notification) => &notification.consumer.device.serial_number,
        }
    }

    /// The same notification under another session token (the attack pack's notification for an unknown one).
    pub(crate) fn with_token(mut self, token: SessionToken) -> Self {
        match &mut self {
            Self::Sale(notification) => notification.session.token = token,
            Self::Verification(notification) => notification.session.token = token,
        }
        self
    }
}

/// One notification, copied out of the store; kept in the delivery log for replays. No card data but the BIN.
#[derive(Clone, Debug)]
pub(crate) struct NotificationJob {
    /// `{party_url}/sale/notification` or `{party_url}/verification/notification`.
    pub(crate) url: String,
    /// The card it maps.
    pub(crate) server_card_id: ServerCardId,
    /// The request body.
    pub(crate) request: NotificationBody,
    /// The endpoint's key, for the answer's `checkSignature` (never kept on disk: taken from the configuration).
    pub(crate) key: ControlKey,
    /// The sale's endpoint.
    pub(crate) endpoint_id: EndpointId,
    /// The sale's invoice.
    pub(crate) invoice_id: InvoiceId,
    /// The sale's nonce, which the answer must echo.
    pub(crate) nonce: Nonce,
    /// The sale.
    pub(crate) token: SessionToken,
}

impl NotificationJob {
    /// What an attempt is, for the journal (steps 19–20 of a sale, their like in a verification).
    pub(crate) fn call(&self) -> Call {
        let steps = self.request.flow().steps();
        Call {
            step: steps.notification,
            answer: steps.notification_response,
            sale: SaleRef {
                endpoint_id: Some(self.endpoint_id.clone()),
                invoice_id: Some(self.invoice_id.clone()),
                serial_number: Some(self.request.serial_number().clone()),
            },
        }
    }
}

/// For a sale made with full card data or a verification: issues the next `serverCardId`, records the card
/// (unconfirmed) and returns the notification to send. For a repeat sale, nothing (spec A11), unless the gateway
/// is configured to re-send the card's `serverCardId` ([`crate::Config::resend_card_mapping`], spec 3.7
/// decision).
fn notification_job(state: &AppState, token: &SessionToken) -> Option<NotificationJob> {
    let sale = state.store().with_sale(token, Clone::clone)?;
    let card = sale.card.clone()?;
    let endpoint = state.endpoint(&sale.endpoint_id)?;
    let server_card_id = match (&sale.client_card_id, &sale.server_card_id) {
        (None, _) => state.store().issue_card(CardRecord {
            endpoint_id: sale.endpoint_id.clone(),
            card: card.clone(),
            email: sale.email.clone(),
            confirmed: false,
            origin: sale.flow,
        }),
        (Some(_), Some(known)) if state.config().resend_card_mapping => known.clone(),
        (Some(_), _) => return None,
    };
    let consumer = DeviceConsumer::new(sale.serial_number.clone());
    let session = TokenSession {
        access_token: sale.access_token.clone(),
        token: sale.token.clone(),
    };
    let reference = MappedCardReference {
        server_card_id: server_card_id.clone(),
        unique_reference_card_id: Some(card.unique_reference_card_id),
    };
    let request = match sale.flow {
        Flow::Sale => NotificationBody::Sale(CardMappingNotification {
            consumer,
            session,
            source_card: Some(SourceCard {
                bin: card.bin,
                reference: Some(reference),
            }),
        }),
        Flow::Verification => NotificationBody::Verification(verification::notification(
            consumer, session, reference, card.bin,
        )),
    };
    let path = paths::card_mapping_notification(sale.flow);
    Some(NotificationJob {
        url: format!("{}{path}", endpoint.party_url),
        server_card_id,
        request,
        key: endpoint.control_key,
        endpoint_id: sale.endpoint_id,
        invoice_id: sale.invoice_id,
        nonce: sale.nonce,
        token: sale.token,
    })
}

impl NotificationJob {
    /// One attempt (spec 3.7, addendum §2.7): a valid acknowledgement; an answer that breaks the contract, recorded (step 20),
    /// which asking again would not make right; or a failure to retry, recorded too unless it is the documented
    /// "try later" (`SERVER_UNAVAILABLE`), which breaks nothing. Never changes the sale's outcome.
    pub(crate) async fn attempt(&self, state: &AppState) -> Tried {
        let timeout = state.config().timings.outbound_timeout;
        let step = self.request.flow().steps().notification_response;
        let sent = state
            .party()
            .post_json(self.call(), &self.url, &self.request, timeout);
        let answer = match sent.await {
            Ok(answer) => answer,
            Err(error) => {
                let found = call_violations(step, &error, timeout);
                state.store().record_violations(&self.token, found);
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
                state.store().record_violations(&self.token, breaches);
                Tried::answered(&answer, Verdict::BadAnswer)
            }
            Err(error) if error.is_unavailable() => {
                tracing::warn!(%error, "card mapping notification: the Connecting Party is unavailable");
                Tried::answered(&answer, Verdict::Failed)
            }
            Err(error) => {
                tracing::warn!(%error, "card mapping notification failed");
                let found = refusal(step, &error)
                    .into_iter()
                    .chain(call_violations(step, &error, timeout));
                state.store().record_violations(&self.token, found);
                Tried::answered(&answer, Verdict::Failed)
            }
        }
    }

    /// Checks an answer (spec 3.7): `invoiceId`, `nonce`, `token` and `checkSignature` over nonce + endpointId +
    /// invoiceId; every breach, as recorded (step 20).
    pub(crate) fn breaches(&self, response: &CardMappingResponse) -> Vec<ContractViolation> {
        let step = self.request.flow().steps().notification_response;
        let session = &response.session;
        let sent = Echoes::new(&self.invoice_id, &self.nonce, &self.token);
        let answered = Echoes::new(&response.invoice_id, &session.nonce, &session.token);
        let mut found: Vec<ContractViolation> = echo_breaches(step, sent, answered)
            .into_iter()
            .map(|(_, violation)| violation)
            .collect();
        let signed = NotificationSigned {
            nonce: self.nonce.as_str(),
            endpoint_id: self.endpoint_id.as_str(),
            invoice_id: self.invoice_id.as_str(),
        };
        let received = session.check_signature.as_str();
        if verify(&self.key, &signed.string_to_sign(), received).is_err() {
            let formula = "HMAC-SHA1 of nonce + endpointId + invoiceId";
            found.push(bad_check_signature(step, formula, received));
        }
        found
    }
}
