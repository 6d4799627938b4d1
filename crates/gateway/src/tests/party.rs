//! A tiny fake Connecting Party on 127.0.0.1:0: answers check sale and the card mapping notification with
//! correct signatures, except where the invoice id asks otherwise, and reports every call as an [`Event`].
//!
//! Invoice ids steer it: `bad-sig` signs the check answer with another key, `bad-notify` the notification
//! answer, `filtered` answers 403 `FILTERED`, `other-mail` answers a repeat sale with another e-mail. Card references are `cc-{serverCardId}`.

use super::support::key;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use dapi::messages::callback::Callback;
use dapi::messages::check::{CardMappingNotification, CheckSaleRequest};
use dapi::signature::{CheckSaleSigned, NotificationSigned, sign};
use dapi::{ControlKey, ErrorBody, PartyCause};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// What the fake party saw.
#[derive(Debug)]
pub(super) enum Event {
    Check(CheckSaleRequest),
    Notification(CardMappingNotification),
    Callback(Uri),
}

#[derive(Clone)]
struct Party {
    /// token → (invoice id, nonce), learned in check sale.
    sales: Arc<Mutex<HashMap<String, (String, String)>>>,
    events: mpsc::UnboundedSender<Event>,
    callback_status: StatusCode,
}

/// A running fake party: its URL and its events.
pub(super) struct FakeParty {
    pub(super) url: String,
    events: mpsc::UnboundedReceiver<Event>,
}

impl FakeParty {
    /// Starts a party whose callback endpoint answers `callback_status`.
    pub(super) async fn start(callback_status: StatusCode) -> Self {
        let (sender, events) = mpsc::unbounded_channel();
        let party = Party {
            sales: Arc::default(),
            events: sender,
            callback_status,
        };
        let app = Router::new()
            .route("/sale/{invoice_id}/check", post(check))
            .route("/sale/notification", post(notification))
            .route("/callback", get(callback))
            .with_state(party);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, events }
    }

    /// The next event, within 10 s.
    pub(super) async fn next(&mut self) -> Event {
        tokio::time::timeout(Duration::from_secs(10), self.events.recv())
            .await
            .expect("the party should see a call within 10 s")
            .expect("the party is running")
    }

    /// The next callback's query parameters, skipping other events.
    pub(super) async fn next_callback(&mut self) -> HashMap<String, String> {
        self.next_callback_uri().await.query_pairs()
    }

    /// The next callback's URI, skipping other events.
    pub(super) async fn next_callback_uri(&mut self) -> Uri {
        loop {
            if let Event::Callback(uri) = self.next().await {
                return uri;
            }
        }
    }

    /// Events seen so far, without waiting.
    pub(super) fn drain(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.events.try_recv().ok()).collect()
    }
}

async fn check(
    State(party): State<Party>,
    Path(invoice): Path<String>,
    Json(request): Json<CheckSaleRequest>,
) -> Response {
    let _ = party.events.send(Event::Check(request.clone()));
    if invoice.contains("filtered") {
        let body = ErrorBody::new(
            PartyCause::Filtered,
            "CP-403-FILTER",
            "blocked by rule 7",
            Some(invoice.into()),
        );
        return (StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    let session = &request.session;
    let (nonce, token) = (session.nonce.to_string(), session.token.to_string());
    party
        .sales
        .lock()
        .unwrap()
        .insert(token.clone(), (invoice.clone(), nonce.clone()));
    let server_card_id = request
        .client_card_id()
        .map(|id| id.as_str().trim_start_matches("cc-").to_owned());
    let signed = CheckSaleSigned {
        serial_number: request.consumer.device.serial_number.as_str(),
        nonce: &nonce,
        endpoint_id: super::support::ENDPOINT,
        invoice_id: &invoice,
        server_card_id: server_card_id.as_deref(),
    };
    let key = if invoice.contains("bad-sig") {
        ControlKey::parse("0011223344556677").unwrap()
    } else {
        key()
    };
    let mut body = json!({"invoiceId":invoice,
        "session":{"checkSignature":sign(&key, &signed.string_to_sign()).to_string(),"nonce":nonce,"token":token},
        "transaction":{"currency":"EUR"}});
    if let Some(id) = server_card_id {
        body["sourceOfFunds"] = json!({"reference":{"serverCardId":id}});
        let email = if invoice.contains("other-mail") {
            "other@example.com"
        } else {
            "jane@example.com"
        };
        body["consumer"] = json!({"email":email});
    }
    Json(body).into_response()
}

async fn notification(
    State(party): State<Party>,
    Json(request): Json<CardMappingNotification>,
) -> Json<Value> {
    let _ = party.events.send(Event::Notification(request.clone()));
    let token = request.session.token.to_string();
    let (invoice, nonce) = party
        .sales
        .lock()
        .unwrap()
        .get(&token)
        .cloned()
        .unwrap_or_default();
    let signed = NotificationSigned {
        nonce: &nonce,
        endpoint_id: super::support::ENDPOINT,
        invoice_id: &invoice,
    };
    let key = if invoice.contains("bad-notify") {
        ControlKey::parse("0011223344556677").unwrap()
    } else {
        key()
    };
    let signature = sign(&key, &signed.string_to_sign()).to_string();
    Json(
        json!({"invoiceId":invoice,"session":{"checkSignature":signature,"nonce":nonce,"token":token}}),
    )
}

async fn callback(State(party): State<Party>, uri: Uri) -> StatusCode {
    let _ = party.events.send(Event::Callback(uri));
    party.callback_status
}

/// Reading a callback URI.
pub(super) trait CallbackUri {
    /// The query parameters.
    fn query_pairs(&self) -> HashMap<String, String>;
    /// The decoded callback, its `control` verified.
    fn verified(&self) -> Callback;
}

impl CallbackUri for Uri {
    fn query_pairs(&self) -> HashMap<String, String> {
        Query::<HashMap<String, String>>::try_from_uri(self)
            .unwrap()
            .0
    }

    fn verified(&self) -> Callback {
        let Query(callback) = Query::<Callback>::try_from_uri(self).unwrap();
        callback
            .verify(&key())
            .expect("the callback control should verify");
        callback
    }
}
