//! Sale status (spec 3.5 decision, A7), polled by the app from perform sale until the sale is final, and
//! verification status (addendum §2.5, the same decision): the poll must name the sale by its endpoint and
//! invoice, on its flow's path, and bring its session token and access token; the body is built by the sale
//! itself under one guard ([`super::Sale::status`]), so it is always consistent. A verification's body is the
//! sale's without `orderId` and `transaction` (V11), made by the route.

use crate::error::StatusError;
use crate::state::AppState;
use dapi::messages::status::{SaleStatusRequest, SaleStatusResponse};
use dapi::{EndpointId, Flow, InvoiceId};

/// The status of a sale (or, as `flow` says, a verification) for a poll, and the journal number of its latest
/// change: the answer waits until it is durable (at once, unless the change is younger than the last commit),
/// so no poll shows a state a restart could take back. A poll itself writes nothing.
///
/// # Errors
/// Unknown endpoint or invoice, a token or access token that is not the sale's, or an invoice of the other flow
/// (a verification's session token never works on a sale path, and the reverse).
pub(crate) fn status(
    state: &AppState,
    flow: Flow,
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
            if sale.flow != flow {
                Err(StatusError::OtherFlow(sale.flow))
            } else if sale.access_token == request.session.access_token {
                Ok((sale.status(), sale.durable_seq))
            } else {
                Err(StatusError::AccessToken)
            }
        })
        .unwrap_or(Err(StatusError::UnknownInvoice))
}
