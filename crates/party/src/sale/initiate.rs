//! Initiate sale (spec 3.2): an authenticated device gets a new invoice id, a nonce and the signature over
//! the sale's terms.

use super::{Sale, SaleTerms};
use crate::auth::random_alphanumeric;
use crate::error::InitiateError;
use crate::events::PartyEvent;
use crate::store::AppState;
use dapi::messages::initiate::{InitiateSaleRequest, InitiateSaleResponse, NonceSignature};
use dapi::{InvoiceId, Nonce};
use std::time::Instant;
use uuid::Uuid;

impl AppState {
    /// Creates a sale for an authenticated device: invoice id, nonce, signature (spec 3.2).
    pub(crate) fn initiate_sale(
        &self,
        request: InitiateSaleRequest,
    ) -> Result<InitiateSaleResponse, InitiateError> {
        let access_token = request.session.access_token;
        let serial_number = request.consumer.device.serial_number;
        let binding = self
            .tokens()
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
        tracing::info!(invoice_id = %response.invoice_id, "sale initiated");
        self.publish(PartyEvent::Initiated {
            invoice_id: response.invoice_id.clone(),
        });
        Ok(response)
    }
}
