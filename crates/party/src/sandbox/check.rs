//! Check sale bent on purpose ([`CheckMisbehaviour`]): the sale's correct 200 answer becomes a wrong one, so the
//! gateway's negative paths are tested, not assumed. A sale's `randomSumCentis` setting adds a random-sum check
//! to the correct answer first (spec A21), and its `cardData` setting the spec page's card data (spec A25).
//! Refusals the reference proxy makes anyway (spec 3.4) stay as they are, and other sales never see it. Every answer about the sale is then held back by its `latencyMs`.
//!
//! [`PartyEvent::Checked`] is published here, for every check request with a readable path, since it reports
//! the answer as sent (after any bending, before any hold-back).

use super::controls::latency_of;
use super::edge::{bare_500, decode_answer, hold_back, without_session_field};
use super::refusal::Refusal;
use super::wrong::{
    other_currency, other_email, other_invoice, other_nonce, other_token, wrong_terms,
};
use crate::events::PartyEvent;
use crate::sale::SaleTerms;
use crate::store::AppState;
use axum::extract::{Path, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, RequestPartsExt};
use dapi::messages::check::{
    CheckSaleResponse, CheckedCard, CheckedSource, CheckedTransaction, EmailConsumer,
};
use dapi::messages::perform::{Expiry, Holder};
use dapi::{ControlKey, Flow, InvoiceId};
use sandbox_api::{CheckMisbehaviour, PartyMisbehaviour};
use server_kit::Failure;
use std::time::Duration;

/// How long [`CheckMisbehaviour::Slow`] holds the answer back when `delayMs` is not given.
const DEFAULT_DELAY: Duration = Duration::from_millis(3000);

/// Lets the protocol answer, bends a 200 answer as the sale's settings ask, publishes the answer, then holds it
/// back (`slow` plus `latencyMs`).
pub(super) async fn around(state: &AppState, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let path = parts.extract::<Path<InvoiceId>>().await;
    let request = Request::from_parts(parts, body);
    // An unreadable path is refused by the protocol's extractor before any check.
    let Ok(Path(invoice_id)) = path else {
        return next.run(request).await;
    };
    let settings = state.controls_of(&invoice_id).unwrap_or_default();
    let answer = next.run(request).await;
    let answer = match settings.random_sum_centis {
        Some(centis) if answer.status() == StatusCode::OK => with_random_sum(answer, centis).await,
        _ => answer,
    };
    let answer = match settings.card_data {
        Some(true) if answer.status() == StatusCode::OK => with_card_data(answer).await,
        _ => answer,
    };
    let (answer, delay) = match settings.check {
        Some(kind) if answer.status() == StatusCode::OK => {
            bend(state, &invoice_id, kind, &settings, answer).await
        }
        _ => (answer, Duration::ZERO),
    };
    let accepted = answer.status() == StatusCode::OK;
    state.publish(PartyEvent::Checked {
        invoice_id,
        accepted,
    });
    hold_back(delay.saturating_add(latency_of(&settings))).await;
    answer
}

/// The correct 200 `answer` asking for a random-sum check of `centis` (`transaction.randomSumCentis`, spec A21):
/// a choice the reference server leaves to the scenario, not a misbehaviour; `checkSignature` does not cover it.
async fn with_random_sum(answer: Response, centis: u64) -> Response {
    let mut response = match decode_answer::<CheckSaleResponse>(answer).await {
        Ok(response) => response,
        Err(unread) => return unread,
    };
    let transaction = response
        .transaction
        .get_or_insert_with(CheckedTransaction::default);
    transaction.random_sum_centis = Some(centis);
    Json(response).into_response()
}

/// The correct 200 `answer` with the spec page's `sourceOfFunds.card` beside what it has (spec A25): allowed on
/// its own, a broken contract beside a repeat sale's `reference`. `checkSignature` does not cover it.
async fn with_card_data(answer: Response) -> Response {
    let mut response = match decode_answer::<CheckSaleResponse>(answer).await {
        Ok(response) => response,
        Err(unread) => return unread,
    };
    let card = CheckedCard {
        number: "4111111111111111".into(),
        expiry: Some(Expiry {
            month: 12,
            year: 2030,
        }),
        holder: Some(Holder {
            first_name: Some("JANE".to_owned()),
            last_name: Some("DOE".to_owned()),
            printed_name: None,
        }),
    };
    let source = response.source_of_funds.get_or_insert(CheckedSource {
        reference: None,
        card: None,
    });
    source.card = Some(card);
    Json(response).into_response()
}

/// The answer `kind` asks for in place of the correct 200 `answer`, and how long to hold it back.
///
/// - `filtered`, `server-failed`: the documented error body (400 `FILTERED`, 500 `SERVER_FAILED`);
/// - `http-500`: a bare 500 (see [`bare_500`]);
/// - `slow`: the correct answer after `delayMs` (default [`DEFAULT_DELAY`]);
/// - `missing-check-signature`: the correct answer without `session.checkSignature`;
/// - the others: the correct answer rewritten by [`spoil`].
async fn bend(
    state: &AppState,
    invoice_id: &InvoiceId,
    kind: CheckMisbehaviour,
    settings: &PartyMisbehaviour,
    answer: Response,
) -> (Response, Duration) {
    let bent = match kind {
        CheckMisbehaviour::Filtered => Failure::of(invoice_id, Refusal::Filtered).into_response(),
        CheckMisbehaviour::ServerFailed => {
            Failure::of(invoice_id, Refusal::ServerFailed).into_response()
        }
        CheckMisbehaviour::Http500 => bare_500(),
        CheckMisbehaviour::Slow => {
            let delay = settings
                .delay_ms
                .map_or(DEFAULT_DELAY, Duration::from_millis);
            return (answer, delay);
        }
        CheckMisbehaviour::WrongCheckSignature
        | CheckMisbehaviour::WrongNonce
        | CheckMisbehaviour::MissingServerCardId
        | CheckMisbehaviour::WrongToken
        | CheckMisbehaviour::WrongInvoice
        | CheckMisbehaviour::WrongCurrency
        | CheckMisbehaviour::MissingCheckSignature
        | CheckMisbehaviour::OtherEmail => rewrite(state, invoice_id, kind, answer).await,
    };
    (bent, Duration::ZERO)
}

/// The correct answer, read back and spoiled as `kind` asks.
async fn rewrite(
    state: &AppState,
    invoice_id: &InvoiceId,
    kind: CheckMisbehaviour,
    answer: Response,
) -> Response {
    let mut response = match decode_answer::<CheckSaleResponse>(answer).await {
        Ok(response) => response,
        Err(unread) => return unread,
    };
    if kind == CheckMisbehaviour::MissingCheckSignature {
        return without_session_field(&response, "checkSignature");
    }
    if let Some(terms) = state.sale_terms(invoice_id) {
        spoil(&mut response, kind, &terms, &state.config().control_key);
    }
    Json(response).into_response()
}

/// Spoils a correct check sale answer:
///
/// - `wrong-check-signature`: a repeat sale's `checkSignature` leaves out the serverCardId (the classic bug);
///   a first sale's is signed with a wrong endpoint id (see [`super::wrong::wrong_endpoint`]).
/// - `wrong-nonce`: another 64-character nonce; `checkSignature` stays the right one, so only the nonce is wrong.
/// - `missing-server-card-id`: no `sourceOfFunds`, signed without it, so the answer is consistent in itself and
///   only the missing field breaks the contract; a request without `clientCardId` gets the correct answer.
/// - `wrong-token`, `wrong-invoice`: another gateway token or invoice id is echoed; `checkSignature` stays the
///   right one (it covers the real invoice id, not the token).
/// - `wrong-currency`: `transaction.currency` is another currency than the sale's.
/// - `other-email`: a repeat sale's `consumer.email` is another one than the card's mapping was made with (or
///   one where it was made without), a verification's another one than its consumer's; a first sale, which
///   carries no e-mail, gets the correct answer.
///
/// A check verification answer is read back as check sale's: its members are a subset of those (the reference
/// server answers no `billing`), so it is written back unchanged but for the spoiled member.
///
/// Every other answer that breaks a rule on purpose keeps the rest of the correct answer, so the gateway sees
/// one broken rule at a time.
fn spoil(
    response: &mut CheckSaleResponse,
    kind: CheckMisbehaviour,
    terms: &SaleTerms,
    key: &ControlKey,
) {
    match kind {
        CheckMisbehaviour::WrongCheckSignature => {
            response.session.check_signature = match response.server_card_id() {
                Some(_) => terms.check_signature(key, None),
                None => wrong_terms(terms).check_signature(key, None),
            };
        }
        CheckMisbehaviour::WrongNonce => {
            response.session.nonce = other_nonce(&terms.nonce);
        }
        CheckMisbehaviour::MissingServerCardId => {
            response.source_of_funds = None;
            response.session.check_signature = terms.check_signature(key, None);
        }
        CheckMisbehaviour::WrongToken => {
            response.session.token = other_token(&response.session.token);
        }
        CheckMisbehaviour::WrongInvoice => {
            response.invoice_id = other_invoice(&response.invoice_id);
        }
        CheckMisbehaviour::WrongCurrency => {
            let random_sum_centis = response
                .transaction
                .as_ref()
                .and_then(|t| t.random_sum_centis);
            response.transaction = Some(CheckedTransaction {
                currency: Some(other_currency(&terms.currency)),
                random_sum_centis,
            });
        }
        CheckMisbehaviour::OtherEmail => {
            if response.server_card_id().is_some() || terms.flow == Flow::Verification {
                let email = Some(other_email(response.email()));
                response.consumer = Some(EmailConsumer { email });
            }
        }
        // Answered in place of the response, not by spoiling it (see `bend`, `rewrite`).
        CheckMisbehaviour::Filtered
        | CheckMisbehaviour::ServerFailed
        | CheckMisbehaviour::Http500
        | CheckMisbehaviour::Slow
        | CheckMisbehaviour::MissingCheckSignature => {}
    }
}
