//! Sale status (spec 3.5 decision, A7), polled by the app from perform sale until the sale is final: the poll
//! must name the sale by its endpoint and invoice and bring its session token and access token; the body is
//! built by the sale itself under one guard ([`super::Sale::status`]), so it is always consistent.

use crate::error::StatusError;
use crate::state::AppState;
use dapi::messages::status::{SaleStatusRequest, SaleStatusResponse};
use dapi::{EndpointId, InvoiceId};

/// The sale status for a poll, and the journal number of the sale's latest change: the answer waits until it
/// is durable (at once, unless the change is younger than the last commit), so no poll shows a state a restart
/// could take back. A poll itself writes nothing.
///
/// # Errors
/// Unknown endpoint or invoice, or a token or access token that is not the sale's.
pub(crate) fn status(
    state: &AppState,
    endpoint_id: &EndpointId,
    invoice_id: &InvoiceId,
    request: &SaleStatusRequest,
) -> Result<(SaleStatusResponse, u64), StatusError> {
    if state.config().endpoint(endpoint_id).is_none() {
        return Err(StatusError::UnknownEndpoint(endpoint_id.clone()));
    }
    let store = state.store();
    let token = store
        .token_of(endpoint_id, invoice_id)
        .ok_or(StatusError::UnknownInvoice)?;
    if request.session.token != token {
        return Err(StatusError::ForeignToken);
    }
    store
        .with_sale(&token, |sale| {
            if sale.access_token == request.session.access_token {
                Ok((sale.status(), sale.durable_seq))
            } else {
                Err(StatusError::AccessToken)
            }
        })
        .unwrap_or(Err(StatusError::UnknownInvoice))
}
