//! A card verification's life at the Connecting Party server (addendum §2): initiate verification opens it as a
//! sale of flow [`Flow::Verification`] in the one store (V16), signed without an amount; check verification is
//! confirmed exactly as check sale (`sale::check`) and answered with the stored nonce, the echoed token,
//! `checkSignature` over its own endpoint id, the stored currency and the e-mail of the token's binding. The
//! verification card mapping notification and the client card id look-up are `mapping`'s; the callback is
//! `callback`'s.

use crate::error::{CheckError, InitiateError};
use crate::sale::Initiation;
use crate::store::AppState;
use dapi::messages::check::{CheckedTransaction, EmailConsumer};
use dapi::messages::common::CheckedSession;
use dapi::messages::verification::check::{CheckVerificationRequest, CheckVerificationResponse};
use dapi::messages::verification::initiate::{
    InitiateVerificationRequest, InitiateVerificationResponse,
};
use dapi::{Flow, InvoiceId};

impl AppState {
    /// Creates a verification for an authenticated device: invoice id, nonce, signature (addendum §2.2).
    pub(crate) fn initiate_verification(
        &self,
        request: InitiateVerificationRequest,
    ) -> Result<InitiateVerificationResponse, InitiateError> {
        self.initiate(Initiation {
            flow: Flow::Verification,
            access_token: request.session.access_token,
            serial_number: request.consumer.device.serial_number,
            amount_centis: 0,
            currency: request.transaction.currency,
        })
    }

    /// Confirms a check verification (addendum §2.4 decision: check sale's checks, for a verification) and
    /// answers it.
    pub(crate) fn check_verification(
        &self,
        invoice_id: &InvoiceId,
        request: &CheckVerificationRequest,
    ) -> Result<CheckVerificationResponse, CheckError> {
        let session = &request.session;
        let serial_number = &request.consumer.device.serial_number;
        let terms = self.confirm_check(Flow::Verification, invoice_id, serial_number, session)?;
        self.note_check(invoice_id, &session.token);
        let key = &self.config().control_key;
        Ok(CheckVerificationResponse {
            invoice_id: terms.invoice_id.clone(),
            session: CheckedSession {
                check_signature: terms.check_signature(key, None),
                nonce: terms.nonce.clone(),
                token: session.token.clone(),
            },
            billing: None,
            consumer: terms
                .email
                .clone()
                .map(|email| EmailConsumer { email: Some(email) }),
            transaction: Some(CheckedTransaction {
                currency: Some(terms.currency.clone()),
                random_sum_centis: None,
            }),
        })
    }
}
