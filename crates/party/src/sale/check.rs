//! Check sale (spec 3.4): the gateway shows what the app sent it; the reference proxy confirms it against what
//! initiate sale stored, in its order, and answers with the stored nonce, the echoed gateway token and the
//! `checkSignature`, plus the card's serverCardId and e-mail for a repeat sale (spec 2.2). Every mismatch seen
//! is recorded on the sale as a contract violation. Check verification (addendum §2.4) is confirmed the same
//! way ([`AppState::confirm_check`]).

use super::SaleTerms;
use crate::error::CheckError;
use crate::mapping::CardMapping;
use crate::sandbox::observe;
use crate::store::AppState;
use dapi::messages::check::{
    CheckSaleRequest, CheckSaleResponse, CheckSession, CheckedSource, CheckedTransaction,
    EmailConsumer, ServerCardRef,
};
use dapi::messages::common::CheckedSession;
use dapi::{ControlKey, Flow, InvoiceId, SerialNumber, SessionToken};
use server_kit::BodyError;
use std::time::Instant;

impl AppState {
    /// Confirms what the gateway was shown against what initiate sale stored (spec 3.4), recording every
    /// mismatch with the stored sale; refuses at the first one, in the reference proxy's order.
    pub(crate) fn check_sale(
        &self,
        invoice_id: &InvoiceId,
        request: &CheckSaleRequest,
    ) -> Result<CheckSaleResponse, CheckError> {
        let session = &request.session;
        let serial_number = &request.consumer.device.serial_number;
        let terms = self.confirm_check(Flow::Sale, invoice_id, serial_number, session)?;
        let card = match request.client_card_id() {
            Some(id) => Some(self.card_of_device(id, serial_number).ok_or_else(|| {
                self.observe(invoice_id, [observe::unknown_card(id)]);
                CheckError::UnknownClientCard
            })?),
            None => None,
        };
        self.note_check(invoice_id, &session.token);
        let key = &self.config().control_key;
        Ok(correct_check_response(&terms, session, card, key))
    }

    /// The reference proxy's checks of a check sale or check verification request (spec 3.4; addendum §2.4),
    /// every mismatch recorded first: the token's binding, the invoice (of `flow`), the access token, nonce and
    /// signature as stored. The terms, when they all pass.
    pub(crate) fn confirm_check(
        &self,
        flow: Flow,
        invoice_id: &InvoiceId,
        serial_number: &SerialNumber,
        session: &CheckSession,
    ) -> Result<SaleTerms, CheckError> {
        let key = &self.config().control_key;
        let terms = self.sale_terms(invoice_id);
        if let Some(terms) = terms.as_ref().filter(|terms| terms.flow == flow) {
            let seen = observe::check_request(terms, serial_number, session, key);
            self.observe(invoice_id, seen);
        }
        self.tokens()
            .authenticate(&session.access_token, serial_number, Instant::now())?;
        let terms = terms.ok_or(CheckError::UnknownInvoice)?;
        if terms.flow != flow {
            return Err(CheckError::OtherFlow);
        }
        if terms.access_token != session.access_token {
            return Err(CheckError::ForeignToken);
        }
        if terms.nonce != session.nonce {
            return Err(CheckError::NonceMismatch);
        }
        if !terms.signature_matches(key, &session.signature) {
            return Err(CheckError::SignatureMismatch);
        }
        Ok(terms)
    }

    /// Records the schema violations of a check request for a known invoice, and refuses it.
    pub(crate) fn refuse_check_body(&self, invoice_id: &InvoiceId, error: BodyError) -> CheckError {
        let flow = self.sale_terms(invoice_id).map(|terms| terms.flow);
        let step = flow.unwrap_or(Flow::Sale).steps().check_request;
        self.observe(invoice_id, observe::schema(step, error.violations()));
        error.into()
    }

    /// Counts a check that passed and remembers the gateway token for the notification (spec 3.7).
    pub(crate) fn note_check(&self, invoice_id: &InvoiceId, token: &SessionToken) {
        self.update_sale(invoice_id, |sale| {
            sale.checks = sale.checks.saturating_add(1);
        });
        self.insert_session(token.clone(), invoice_id.clone());
        tracing::info!(%invoice_id, "checked");
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
            card: None,
        }),
        transaction: Some(CheckedTransaction {
            currency: Some(terms.currency.clone()),
            random_sum_centis: None,
        }),
    }
}
