//! Misbehaviour on purpose, scoped to one sale (sandbox only, [`PartyMisbehaviour`]): set with
//! `POST /sim/sales/{invoiceId}/misbehave`, it turns what would have been this sale's correct 200 answer to
//! check sale or to the card mapping notification into a wrong one, so the gateway's negative paths are tested,
//! not assumed. Refusals the reference proxy would make anyway (spec 3.4, 3.7) stay as they are, and other
//! sales never see it: it is stored in the sale.

use crate::auth::random_alphanumeric;
use crate::error::{CheckError, MisbehaveError};
use crate::sale::SaleTerms;
use crate::state::AppState;
use dapi::messages::check::CheckSaleResponse;
use dapi::{ControlKey, EndpointId, InvoiceId, Nonce, SignatureHex, Validate, Violations};
use sandbox_api::CheckMisbehaviour;
use sandbox_api::NotificationMisbehaviour;
use sandbox_api::PartyMisbehaviour;
use serde::Deserialize;
use std::time::Duration;

/// How long [`CheckMisbehaviour::Slow`] holds the answer back when `delayMs` is not given.
pub(crate) const DEFAULT_DELAY: Duration = Duration::from_millis(3000);

/// The longest `delayMs` and `latencyMs` accepted (5 minutes), so a typo cannot hold a connection for days.
const MAX_DELAY_MS: u64 = 5 * 60 * 1000;

/// The body of `POST /sim/sales/{invoiceId}/misbehave`: a [`PartyMisbehaviour`] (unknown fields refused).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct MisbehaveRequest(pub(crate) PartyMisbehaviour);

impl Validate for MisbehaveRequest {
    fn validate(&self, v: &mut Violations) {
        if let Some(delay_ms) = self.0.delay_ms {
            v.range("delayMs", delay_ms, 0, MAX_DELAY_MS);
        }
        if let Some(latency_ms) = self.0.latency_ms {
            v.range("latencyMs", latency_ms, 0, MAX_DELAY_MS);
        }
    }
}

/// What a check sale request that passed the reference proxy's checks gets.
#[derive(Debug)]
pub(crate) enum CheckReply {
    /// A 200 answer, right or wrong, sent after `delay` (zero unless the sale is set to be slow).
    Answer {
        /// The body.
        response: CheckSaleResponse,
        /// How long the handler waits first, holding no lock.
        delay: Duration,
    },
    /// HTTP 500 with the plain-text body `boom`, not the documented error body.
    Boom,
}

/// Turns the correct check sale answer into the one the sale's misbehaviour asks for.
///
/// - `wrong-check-signature`: a repeat sale's `checkSignature` leaves out the serverCardId (the classic bug);
///   a first sale's is signed with a wrong endpoint id (see [`wrong_endpoint`]).
/// - `wrong-nonce`: another 64-character nonce; `checkSignature` stays the right one, so only the nonce is wrong.
/// - `missing-server-card-id`: no `sourceOfFunds`, signed without it, so the answer is consistent in itself and
///   only the missing field breaks the contract; a request without `clientCardId` gets the correct answer.
/// - `filtered`, `server-failed`: the documented error body (400 `FILTERED`, 500 `SERVER_FAILED`).
/// - `http-500`: [`CheckReply::Boom`]; `slow`: the correct answer after `delayMs` (default [`DEFAULT_DELAY`]).
///
/// # Errors
/// [`CheckError::Filtered`] and [`CheckError::ServerFailed`] when the sale is set to answer so.
pub(crate) fn check_reply(
    mut response: CheckSaleResponse,
    terms: &SaleTerms,
    misbehaviour: &PartyMisbehaviour,
    key: &ControlKey,
) -> Result<CheckReply, CheckError> {
    let mut delay = Duration::ZERO;
    let server_card_id = response.server_card_id().cloned();
    match misbehaviour.check {
        None => {}
        Some(CheckMisbehaviour::WrongCheckSignature) => {
            response.session.check_signature = match server_card_id {
                Some(_) => terms.check_signature(key, None),
                None => wrong_terms(terms).check_signature(key, None),
            };
        }
        Some(CheckMisbehaviour::WrongNonce) => {
            response.session.nonce = other_nonce(&terms.nonce);
        }
        Some(CheckMisbehaviour::MissingServerCardId) => {
            response.source_of_funds = None;
            response.session.check_signature = terms.check_signature(key, None);
        }
        Some(CheckMisbehaviour::Filtered) => return Err(CheckError::Filtered),
        Some(CheckMisbehaviour::ServerFailed) => return Err(CheckError::ServerFailed),
        Some(CheckMisbehaviour::Http500) => return Ok(CheckReply::Boom),
        Some(CheckMisbehaviour::Slow) => {
            delay = misbehaviour
                .delay_ms
                .map_or(DEFAULT_DELAY, Duration::from_millis);
        }
    }
    Ok(CheckReply::Answer { response, delay })
}

/// The card mapping notification `checkSignature` the sale's misbehaviour asks for (spec 4.2; wrong: signed
/// with a wrong endpoint id).
pub(crate) fn notification_signature(
    terms: &SaleTerms,
    misbehaviour: Option<NotificationMisbehaviour>,
    key: &ControlKey,
) -> SignatureHex {
    match misbehaviour {
        Some(NotificationMisbehaviour::WrongCheckSignature) => {
            wrong_terms(terms).notification_signature(key)
        }
        Some(NotificationMisbehaviour::Refuse) | None => terms.notification_signature(key),
    }
}

/// The endpoint id with a `0` appended: never the real one, so whatever is signed with it does not verify.
pub(crate) fn wrong_endpoint(endpoint_id: &EndpointId) -> EndpointId {
    EndpointId::from(format!("{endpoint_id}0"))
}

fn wrong_terms(terms: &SaleTerms) -> SaleTerms {
    SaleTerms {
        endpoint_id: wrong_endpoint(&terms.endpoint_id),
        ..terms.clone()
    }
}

/// A random 64-character nonce other than `nonce`.
fn other_nonce(nonce: &Nonce) -> Nonce {
    loop {
        let other = Nonce::from(random_alphanumeric(64));
        if &other != nonce {
            return other;
        }
    }
}

impl AppState {
    /// Sets how the server misbehaves for this sale only, replacing earlier settings (`{}` resets them).
    pub(crate) fn set_misbehaviour(
        &self,
        invoice_id: &InvoiceId,
        misbehaviour: PartyMisbehaviour,
    ) -> Result<PartyMisbehaviour, MisbehaveError> {
        let mut sale = self
            .0
            .sales
            .get_mut(invoice_id)
            .ok_or(MisbehaveError::UnknownInvoice)?;
        tracing::info!(%invoice_id, ?misbehaviour, "sale set to misbehave");
        sale.misbehaviour = misbehaviour.clone();
        Ok(misbehaviour)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrong_endpoint_and_nonce_are_never_the_right_ones() {
        let endpoint = EndpointId::from("1234");
        assert_eq!(wrong_endpoint(&endpoint).as_str(), "12340");
        let nonce = Nonce::from("n".repeat(64));
        let other = other_nonce(&nonce);
        assert_ne!(other, nonce);
        assert_eq!(other.as_str().len(), 64);
    }

    #[test]
    fn delays_and_latencies_longer_than_five_minutes_are_refused() {
        let request = |ms| {
            MisbehaveRequest(PartyMisbehaviour {
                delay_ms: Some(ms),
                latency_ms: Some(ms),
                ..PartyMisbehaviour::default()
            })
        };
        let mut ok = Violations::default();
        request(MAX_DELAY_MS).validate(&mut ok);
        assert!(ok.is_empty());
        let mut too_long = Violations::default();
        request(MAX_DELAY_MS + 1).validate(&mut too_long);
        let shown = too_long.to_string();
        assert!(
            shown.contains("delayMs must be between 0 and 300000"),
            "{shown}"
        );
        assert!(
            shown.contains("latencyMs must be between 0 and 300000"),
            "{shown}"
        );
    }
}
