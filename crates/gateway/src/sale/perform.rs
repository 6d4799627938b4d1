//! Perform sale (spec 3.3 decision 2–6), step 6 of a sale: endpoint, invoice id, currency, signature and duplicate checks,
//! then the sale opens in the store, the answer goes back, and check sale runs as a tracked job ([`super::check`]).

use super::Sale;
use super::check::check;
use crate::error::PerformError;
use crate::state::AppState;
use crate::store::OpenError;
use dapi::messages::common::TokenOnly;
use dapi::messages::perform::{PerformSaleRequest, PerformSaleResponse};
use dapi::signature::{SaleSigned, verify};
use dapi::{EndpointId, InvoiceId, SessionToken};

/// Opens a sale for a validated perform request and schedules its check sale.
///
/// # Errors
/// Unknown endpoint, an invoice id that cannot be forwarded safely (it goes into the check sale URL and the
/// callback), unknown currency, signature mismatch (when verified), invoice already processed, no room.
pub(crate) fn perform(
    state: &AppState,
    endpoint_id: EndpointId,
    invoice_id: InvoiceId,
    request: PerformSaleRequest,
) -> Result<PerformSaleResponse, PerformError> {
    let endpoint = state
        .endpoint(&endpoint_id)
        .ok_or_else(|| PerformError::UnknownEndpoint(endpoint_id.clone()))?;
    if !invoice_id.is_forwardable() {
        return Err(PerformError::UnforwardableInvoiceId);
    }
    let currency = &request.transaction.currency;
    if !endpoint.accepts(currency) {
        return Err(PerformError::Currency {
            currency: currency.clone(),
            endpoint_id,
        });
    }
    if state.config().verify_signature {
        // Signed with the path's endpointId and invoiceId: a request replayed on another invoice fails.
        let signed = SaleSigned {
            access_token: request.session.access_token.as_str(),
            serial_number: request.consumer.device.serial_number.as_str(),
            endpoint_id: endpoint_id.as_str(),
            nonce: request.session.nonce.as_str(),
            invoice_id: invoice_id.as_str(),
            amount_centis: request.transaction.amount_centis,
            currency,
        };
        let received = request.session.signature.as_str();
        verify(&endpoint.control_key, &signed.string_to_sign(), received)?;
    }
    let token = SessionToken::from(uuid::Uuid::new_v4().to_string());
    let sale = Sale::open(token.clone(), endpoint_id, invoice_id.clone(), request);
    let forgotten = state.store().open_sale(sale).map_err(|error| match error {
        OpenError::AlreadyProcessed => PerformError::AlreadyProcessed,
        OpenError::Full => PerformError::Full,
    })?;
    if let Some(forgotten) = forgotten {
        state.cancel_timer(&forgotten);
    }
    tracing::info!(%invoice_id, %token, "perform sale accepted");
    state.spawn_outbound(&token, check(state.clone(), token.clone()));
    Ok(PerformSaleResponse {
        invoice_id,
        session: TokenOnly { token },
    })
}
