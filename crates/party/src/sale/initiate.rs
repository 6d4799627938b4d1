//! Initiate sale (spec 3.2): an authenticated device gets a new invoice id, a nonce and the signature over
//! the sale's terms. Initiate verification (addendum §2.2) opens its transaction the same way ([`AppState::initiate`]).

use super::{Sale, SaleTerms};
use crate::auth::random_alphanumeric;
use crate::error::InitiateError;
use crate::events::PartyEvent;
use crate::store::AppState;
use dapi::messages::initiate::{InitiateSaleRequest, InitiateSaleResponse, NonceSignature};
use dapi::{AccessToken, Flow, InvoiceId, Nonce, SerialNumber};
use std::time::Instant;
use uuid::Uuid;

/// What the app asks to initiate: its flow, consumer and amount.
pub(crate) struct Initiation {
    pub(crate) flow: Flow,
    pub(crate) access_token: AccessToken,
    pub(crate) serial_number: SerialNumber,
    /// 0 for a verification.
    pub(crate) amount_centis: u64,
    pub(crate) currency: String,
}

impl AppState {
    /// Creates a sale for an authenticated device: invoice id, nonce, signature (spec 3.2).
    pub(crate) fn initiate_sale(
        &self,
        request: InitiateSaleRequest,
    ) -> Result<InitiateSaleResponse, InitiateError> {
        self.initiate(Initiation {
            flow: Flow::Sale,
            access_token: request.session.access_token,
            serial_number: request.consumer.device.serial_number,
            amount_centis: request.transaction.amount_centis,
            currency: request.transaction.currency,
        })
    }

    /// Creates a sale or a verification for an authenticated device: its invoice id (`INV-…` or `VER-…`), a
    /// nonce and the flow's signature, kept as its terms.
    pub(crate) fn initiate(
        &self,
        initiation: Initiation,
    ) -> Result<InitiateSaleResponse, InitiateError> {
        let Initiation {
            flow,
            access_token,
            serial_number,
            amount_centis,
            currency,
        } = initiation;
        let binding = self
            .tokens()
            .authenticate(&access_token, &serial_number, Instant::now())?;
        let config = self.config();
        let prefix = match flow {
            Flow::Sale => "INV",
            Flow::Verification => "VER",
        };
        let terms = SaleTerms {
            flow,
            invoice_id: InvoiceId::from(format!("{prefix}-{}", Uuid::new_v4().simple())),
            access_token,
            serial_number,
            email: binding.email,
            amount_centis,
            currency,
            nonce: Nonce::from(random_alphanumeric(64)),
            endpoint_id: config.endpoint_id.clone(),
            created_ms: crate::persist::unix_ms(),
        };
        let response = InitiateSaleResponse {
            endpoint_id: terms.endpoint_id.clone(),
            invoice_id: terms.invoice_id.clone(),
            session: NonceSignature {
                nonce: terms.nonce.clone(),
                signature: terms.signature(&config.control_key),
            },
        };
        self.insert_sale(response.invoice_id.clone(), Sale::new(terms));
        tracing::info!(invoice_id = %response.invoice_id, %flow, "initiated");
        self.publish(PartyEvent::Initiated {
            invoice_id: response.invoice_id.clone(),
        });
        Ok(response)
    }
}
