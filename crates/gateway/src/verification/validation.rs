//! Perform validation (addendum §2.3 decisions, V9, V19), step 6 of a verification: perform sale's checks in its
//! order — endpoint, currency when sent, the signature early only when the currency is known (perform's
//! `transaction.currency`, else the endpoint's only currency), duplicates — then the verification opens in the
//! store, the answer goes back, and check verification runs as a tracked job (`crate::sale::check`).

use crate::error::PerformError;
use crate::sale::check::check;
use crate::sale::{CardFacts, Opening, Sale, Trigger};
use crate::state::AppState;
use crate::store::OpenError;
use dapi::messages::common::TokenOnly;
use dapi::messages::verification::validation::{
    PerformValidationRequest, PerformValidationResponse,
};
use dapi::signature::{VerificationSigned, verify};
use dapi::{EndpointId, Flow, InvoiceId, SessionToken};

/// Opens a verification for a validated perform validation request and schedules its check.
///
/// # Errors
/// Unknown endpoint, an invoice id that cannot be forwarded safely (it goes into the check verification URL and
/// the callback), unknown currency, signature mismatch (when verified and the currency is known), invoice already
/// used by a sale or a verification, no room.
pub(crate) fn perform_validation(
    state: &AppState,
    endpoint_id: EndpointId,
    invoice_id: InvoiceId,
    request: PerformValidationRequest,
) -> Result<PerformValidationResponse, PerformError> {
    let endpoint = state
        .endpoint(&endpoint_id)
        .ok_or_else(|| PerformError::UnknownEndpoint(endpoint_id.clone()))?;
    if !invoice_id.is_forwardable() {
        return Err(PerformError::UnforwardableInvoiceId);
    }
    if let Some(currency) = request.currency().filter(|c| !endpoint.accepts(c)) {
        return Err(PerformError::Currency {
            currency: currency.to_owned(),
            endpoint_id,
        });
    }
    let currency = request
        .currency()
        .or_else(|| endpoint.single_currency())
        .map(str::to_owned);
    if let Some(currency) = currency
        .as_deref()
        .filter(|_| state.config().verify_signature)
    {
        // The CP's check is authoritative; this early check needs the signed currency (V9).
        let signed = VerificationSigned {
            access_token: request.session.access_token.as_str(),
            serial_number: request.consumer.device.serial_number.as_str(),
            endpoint_id: endpoint_id.as_str(),
            nonce: request.session.nonce.as_str(),
            invoice_id: invoice_id.as_str(),
            currency,
        };
        let received = request.session.signature.as_str();
        verify(&endpoint.control_key, &signed.string_to_sign(), received)?;
    }
    let token = SessionToken::from(uuid::Uuid::new_v4().to_string());
    let opening = opening(request, currency);
    let verification = Sale::start(token.clone(), endpoint_id, invoice_id.clone(), opening);
    let forgotten = state
        .store()
        .open_sale(verification)
        .map_err(|error| match error {
            OpenError::AlreadyProcessed => PerformError::AlreadyProcessed,
            OpenError::Full => PerformError::Full,
        })?;
    if let Some(forgotten) = forgotten {
        state.cancel_timer(&forgotten);
    }
    tracing::info!(%invoice_id, %token, "perform validation accepted");
    state.spawn_outbound(&token, check(state.clone(), token.clone()));
    Ok(PerformValidationResponse {
        invoice_id,
        session: TokenOnly { token },
    })
}

/// What the verification keeps of its request, which is consumed: the CVV only picks the trigger (addendum §5,
/// the sale's table), the PAN only its facts; no amount.
fn opening(request: PerformValidationRequest, currency: Option<String>) -> Opening {
    let card = request.source_card;
    Opening {
        flow: Flow::Verification,
        access_token: request.session.access_token,
        serial_number: request.consumer.device.serial_number,
        nonce: request.session.nonce,
        signature: request.session.signature,
        amount_centis: 0,
        currency,
        email: Some(request.consumer.email),
        card: Some(CardFacts::of(&card.number)),
        client_card_id: None,
        trigger: Trigger::from_security_code(&card.security_code),
    }
}
