//! The card mapping notification (of a sale or a verification, [`Notification`]) bent on purpose: `notificationFailFirst` refuses the sale's first attempts with
//! 503 before the protocol sees them (a fault); `refuse` answers 400 `INVALID_REQUEST` once the protocol has
//! admitted the notification, mapping nothing; the other [`NotificationMisbehaviour`]s replace or spoil the
//! correct 200 answer, the card being mapped as usual. Every answer about the sale is then held back by its
//! `latencyMs`.
//!
//! The notification names its sale only by its gateway token, inside the body: the body is read here (under the
//! body limit), and only a notification the protocol would decode is bent; every other one reaches the
//! protocol as it came and is answered as usual.

use super::controls::latency_of;
use super::edge::{bare_500, decode_answer, hold_back, without_session_field};
use super::refusal::Refusal;
use super::wrong::{other_nonce, wrong_terms};
use crate::mapping::{Notification, token_of};
use crate::store::AppState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dapi::InvoiceId;
use dapi::messages::check::CardMappingResponse;
use sandbox_api::{NotificationMisbehaviour, PartyMisbehaviour};
use server_kit::body::BodyLimit;
use server_kit::{BodyError, Failure, JsonBody};

/// A decoded notification of a sale whose settings concern notifications.
struct Target<N> {
    invoice_id: InvoiceId,
    settings: PartyMisbehaviour,
    notification: N,
}

/// Finds the notification's sale, refuses or bends its answer as the sale's settings ask, then holds it back.
pub(super) async fn around<N: Notification>(
    state: &AppState,
    request: Request,
    next: Next,
) -> Response {
    if state.controls().idle() {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let raw = match server_kit::read_body(Request::from_parts(parts.clone(), body), &()).await {
        Ok(raw) => raw,
        Err(error) => {
            let again = replay_refused(&parts, &error);
            return next.run(Request::from_parts(parts, again)).await;
        }
    };
    let target = target::<N>(state, &parts, &raw).await;
    let request = Request::from_parts(parts, Body::from(raw));
    let Some(target) = target else {
        return next.run(request).await;
    };
    let answer = answer(state, &target, request, next).await;
    hold_back(latency_of(&target.settings)).await;
    answer
}

/// The notification's sale, when its settings concern notifications and the body decodes as the protocol
/// decodes it.
async fn target<N: Notification>(
    state: &AppState,
    parts: &Parts,
    raw: &Bytes,
) -> Option<Target<N>> {
    let invoice_id = state.session_invoice(&token_of(raw)?)?;
    let settings = state.controls_of(&invoice_id)?;
    let concerned = settings.notification.is_some()
        || settings.notification_fail_first.is_some()
        || settings.latency_ms.is_some();
    if !concerned {
        return None;
    }
    let copy = Request::from_parts(parts.clone(), Body::from(raw.clone()));
    let JsonBody(notification) = JsonBody::<N>::from_request(copy, &()).await.ok()?;
    Some(Target {
        invoice_id,
        settings,
        notification,
    })
}

/// A fault first (a server that is down looks at nothing, so records nothing), then `refuse` (after the
/// protocol's own refusals), then the protocol's answer, bent.
async fn answer<N: Notification>(
    state: &AppState,
    target: &Target<N>,
    request: Request,
    next: Next,
) -> Response {
    let invoice_id = &target.invoice_id;
    if let Some(attempt) = state.controls().notification_fault(invoice_id) {
        state.controls().faults().count_refused_notification();
        tracing::info!(%invoice_id, attempt, "card mapping notification refused with 503 (sandbox fault)");
        return Failure::from(Refusal::Unavailable).into_response();
    }
    let kind = target.settings.notification;
    if kind == Some(NotificationMisbehaviour::Refuse) {
        return match state.admit_notification(&target.notification) {
            Ok(_) => Failure::from(Refusal::NotificationRefused).into_response(),
            Err(error) => Failure::from(error).into_response(),
        };
    }
    let answer = next.run(request).await;
    match kind {
        Some(NotificationMisbehaviour::Http500) if answer.status() == StatusCode::OK => bare_500(),
        Some(kind) if answer.status() == StatusCode::OK => {
            rewrite(state, invoice_id, kind, answer).await
        }
        _ => answer,
    }
}

/// The correct answer spoiled as `kind` asks: `wrong-check-signature` signs with a wrong endpoint id,
/// `wrong-nonce` echoes another 64-character nonce (the signature stays the right one), `missing-token` leaves
/// out `session.token`.
async fn rewrite(
    state: &AppState,
    invoice_id: &InvoiceId,
    kind: NotificationMisbehaviour,
    answer: Response,
) -> Response {
    let mut response = match decode_answer::<CardMappingResponse>(answer).await {
        Ok(response) => response,
        Err(unread) => return unread,
    };
    match kind {
        NotificationMisbehaviour::WrongCheckSignature => {
            if let Some(terms) = state.sale_terms(invoice_id) {
                let key = &state.config().control_key;
                response.session.check_signature = wrong_terms(&terms).notification_signature(key);
            }
        }
        NotificationMisbehaviour::WrongNonce => {
            response.session.nonce = other_nonce(&response.session.nonce);
        }
        NotificationMisbehaviour::MissingToken => {
            return without_session_field(&response, "token");
        }
        // Refused before the protocol ran, or replaced whole (see `answer`).
        NotificationMisbehaviour::Refuse | NotificationMisbehaviour::Http500 => {}
    }
    Json(response).into_response()
}

/// A body that the protocol's extractor refuses exactly as this one was refused here: one byte over the limit
/// for a body too large, none for a body that broke off (its client is gone).
fn replay_refused(parts: &Parts, error: &BodyError) -> Body {
    match error {
        BodyError::TooLarge(_) => {
            let limit = parts
                .extensions
                .get::<BodyLimit>()
                .map_or(0, |limit| limit.0);
            Body::from(vec![0; limit.saturating_add(1)])
        }
        BodyError::Invalid(_) => Body::empty(),
    }
}
