//! The sandbox's middleware around the protocol routes ([`around`]), and what its three parts share: reading
//! the correct answer back, answering a bare 500, holding an answer back. With the control plane off only
//! [`observe_only`] runs, publishing check sale answers and bending nothing.
//!
//! The protocol handler computes the correct answer; the part for its message looks up the sale's settings by
//! invoice id (check sale or verification: the path; notification: the gateway token's sale or verification;
//! callback: `client_orderid`), then refuses the request before the handler sees it (a fault), or lets it run
//! and rewrites or replaces its 200 answer (a misbehaviour), and finally holds the answer back (`latencyMs`,
//! `slow`), with no guard held.

use super::{callback, check, notification};
use crate::store::AppState;
use axum::Json;
use axum::RequestPartsExt;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dapi::messages::check::CardMappingNotification;
use dapi::messages::verification::notification::VerificationCardMappingNotification;
use dapi::{InvoiceId, paths};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::Duration;

/// The protocol messages the sandbox bends; check and notification of either flow.
enum Message {
    CheckSale,
    CardMappingNotification,
    VerificationCardMappingNotification,
    Callback,
}

/// Hands each request of the three bent messages to its part; every other request passes untouched.
pub(super) async fn around(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match message_of(&request) {
        Some(Message::CheckSale) => check::around(&state, request, next).await,
        Some(Message::CardMappingNotification) => {
            notification::around::<CardMappingNotification>(&state, request, next).await
        }
        Some(Message::VerificationCardMappingNotification) => {
            notification::around::<VerificationCardMappingNotification>(&state, request, next).await
        }
        Some(Message::Callback) => callback::around(&state, request, next).await,
        None => next.run(request).await,
    }
}

/// With the control plane off: lets every request through untouched and publishes
/// [`crate::PartyEvent::Checked`] for each check sale answer, as it leaves.
pub(super) async fn observe_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(Message::CheckSale) = message_of(&request) else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    let path = parts.extract::<Path<InvoiceId>>().await;
    let answer = next.run(Request::from_parts(parts, body)).await;
    if let Ok(Path(invoice_id)) = path {
        let accepted = answer.status() == StatusCode::OK;
        state.publish(crate::PartyEvent::Checked {
            invoice_id,
            accepted,
        });
    }
    answer
}

/// The message a request is, by its method and path. The middleware runs only for requests that matched a
/// protocol route, so a `POST` path `/sale/…/check` is check sale (whatever the invoice id holds) and
/// `/verification/…/check` check verification, bent alike; another method is answered 405 as usual.
fn message_of(request: &Request) -> Option<Message> {
    let path = request.uri().path();
    let method = request.method();
    if method == Method::POST && path == paths::CARD_MAPPING_NOTIFICATION {
        return Some(Message::CardMappingNotification);
    }
    if method == Method::POST && path == paths::VERIFICATION_CARD_MAPPING_NOTIFICATION {
        return Some(Message::VerificationCardMappingNotification);
    }
    let checked = ["/sale/", "/verification/"]
        .iter()
        .any(|flow| path.starts_with(flow));
    if method == Method::POST && checked && path.ends_with("/check") {
        return Some(Message::CheckSale);
    }
    let read = method == Method::GET || method == Method::HEAD;
    (read && path == paths::CALLBACK).then_some(Message::Callback)
}

/// Waits `wait`, if any: called after every guard is released.
pub(super) async fn hold_back(wait: Duration) {
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
}

/// HTTP 500 with the plain-text body `boom`, not the documented error body.
pub(super) fn bare_500() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response()
}

/// The handler's answer read back as `T`; the answer itself (unchanged) if it is not one.
pub(super) async fn decode_answer<T: DeserializeOwned>(answer: Response) -> Result<T, Response> {
    let (parts, body) = answer.into_parts();
    // The handler's own body, already in memory: reading it cannot block on a peer.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "an answer could not be read back");
            return Err(Response::from_parts(parts, Body::empty()));
        }
    };
    serde_json::from_slice(&bytes).map_err(|_| Response::from_parts(parts, Body::from(bytes)))
}

/// `answer` as JSON without `session.<field>`: a required field left out.
pub(super) fn without_session_field(answer: &impl Serialize, field: &str) -> Response {
    let mut value = match serde_json::to_value(answer) {
        Ok(value) => value,
        Err(error) => {
            tracing::error!(%error, "an answer could not be turned into JSON");
            return bare_500();
        }
    };
    if let Some(session) = value.get_mut("session").and_then(Value::as_object_mut) {
        session.remove(field);
    }
    Json(value).into_response()
}
