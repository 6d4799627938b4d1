//! A tiny fake Connecting Party on 127.0.0.1:0: answers check sale and the card mapping notification with
//! correct signatures, except where the invoice id asks otherwise, and reports every call as an [`Event`].
//!
//! Invoice ids steer it. Check sale: `bad-sig` signs with another key, `wrong-nonce`, `wrong-token` and
//! `wrong-invoice` echo another value, `usd` answers another currency, `no-sig-field` leaves out `checkSignature`,
//! `no-card-id` leaves out the `serverCardId` of a repeat sale, `filtered` answers 403 `FILTERED`, `server-failed`
//! 500 `SERVER_FAILED`, `http500` a bare 500, `slow` answers after 1 s, `other-mail` answers a repeat sale with
//! another e-mail, `answer-no-mail` without one, `random-sum` asks for a random-sum check of 37, `card-data` adds the
//! spec page's `sourceOfFunds.card` (next to the reference of a repeat sale). Notification: `bad-notify` signs with another key, `refuse-notify` answers 400
//! `INVALID_REQUEST`, `notify-500` a bare 500, `notify-nonce` echoes another nonce, `notify-schema` leaves out
//! `token`. Card references are `cc-{serverCardId}`. A callback whose `control` does not verify gets 403.
//!
//! Faults for the delivery tests, set at run time: the callback's answer status, and the first N callbacks or
//! notifications refused with 503 and the documented `SERVER_UNAVAILABLE` body (counted over the whole party).

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
use std::sync::atomic::{AtomicU16, AtomicU32, Ordering};
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

/// Faults the tests change while the party runs.
#[derive(Debug, Default)]
struct Faults {
    /// The status of a verified callback.
    callback_status: AtomicU16,
    /// How many more callbacks get 503 (before any other check).
    callback_failures: AtomicU32,
    /// How many more notifications get 503.
    notification_failures: AtomicU32,
    /// The statuses of the next verified callbacks, in order, before `callback_status` applies again.
    next_callback_statuses: Mutex<std::collections::VecDeque<u16>>,
}

impl Faults {
    /// Whether this call is one of the first N refused.
    fn refuse(counter: &AtomicU32) -> bool {
        counter
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

#[derive(Clone)]
struct Party {
    /// token → (invoice id, nonce), learned in check sale.
    sales: Arc<Mutex<HashMap<String, (String, String)>>>,
    events: mpsc::UnboundedSender<Event>,
    faults: Arc<Faults>,
}

/// A running fake party: its URL and its events.
pub(super) struct FakeParty {
    pub(super) url: String,
    events: mpsc::UnboundedReceiver<Event>,
    faults: Arc<Faults>,
}

impl FakeParty {
    /// Starts a party whose callback endpoint answers `callback_status`.
    pub(super) async fn start(callback_status: StatusCode) -> Self {
        let (sender, events) = mpsc::unbounded_channel();
        let faults = Arc::new(Faults::default());
        faults
            .callback_status
            .store(callback_status.as_u16(), Ordering::SeqCst);
        let party = Party {
            sales: Arc::default(),
            events: sender,
            faults: faults.clone(),
        };
        let app = Router::new()
            .route("/sale/{invoice_id}/check", post(check))
            .route("/sale/notification", post(notification))
            .route("/callback", get(callback))
            .with_state(party);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url,
            events,
            faults,
        }
    }

    /// From now on, verified callbacks get `status`.
    pub(super) fn answer_callbacks_with(&self, status: StatusCode) {
        self.faults
            .callback_status
            .store(status.as_u16(), Ordering::SeqCst);
    }

    /// The next verified callbacks get these statuses, one each, in order.
    pub(super) fn answer_next_callbacks_with(&self, statuses: &[StatusCode]) {
        let mut next = self.faults.next_callback_statuses.lock().unwrap();
        next.extend(statuses.iter().map(StatusCode::as_u16));
    }

    /// The next `n` callbacks get 503.
    pub(super) fn refuse_callbacks(&self, n: u32) {
        self.faults.callback_failures.store(n, Ordering::SeqCst);
    }

    /// The next `n` notifications get 503.
    pub(super) fn refuse_notifications(&self, n: u32) {
        self.faults.notification_failures.store(n, Ordering::SeqCst);
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
    if invoice.contains("server-failed") {
        let body = ErrorBody::new(PartyCause::ServerFailed, "CP-500", "db down", None);
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
    }
    if invoice.contains("http500") {
        return (StatusCode::INTERNAL_SERVER_ERROR, "<html>oops</html>").into_response();
    }
    if invoice.contains("slow") {
        tokio::time::sleep(Duration::from_secs(1)).await;
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
        .filter(|_| !invoice.contains("no-card-id"))
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
    spoil_check_answer(&invoice, &mut body);
    if let Some(id) = server_card_id {
        body["sourceOfFunds"] = json!({"reference":{"serverCardId":id}});
        let email = if invoice.contains("other-mail") {
            "other@example.com"
        } else {
            "jane@example.com"
        };
        if !invoice.contains("answer-no-mail") {
            body["consumer"] = json!({"email":email});
        }
    }
    if invoice.contains("random-sum") {
        body["transaction"]["randomSumCentis"] = json!(37);
    }
    if invoice.contains("card-data") {
        body["sourceOfFunds"]["card"] = json!({"number":"4111111111111111","expiry":{"month":12,"year":2030},
            "holder":{"firstName":"JANE","lastName":"DOE"}});
    }
    Json(body).into_response()
}

/// The check answer's wrong echoes, currency or missing field, as the invoice id asks.
fn spoil_check_answer(invoice: &str, body: &mut Value) {
    if invoice.contains("wrong-nonce") {
        body["session"]["nonce"] = json!("0".repeat(48));
    }
    if invoice.contains("wrong-token") {
        body["session"]["token"] = json!("ffffffff-3c2d-4e1f-8a7b-6c5d4e3f2a1b");
    }
    if invoice.contains("wrong-invoice") {
        body["invoiceId"] = json!("INV-other");
    }
    if invoice.contains("usd") {
        body["transaction"]["currency"] = json!("USD");
    }
    if invoice.contains("no-sig-field") {
        body["session"]
            .as_object_mut()
            .unwrap()
            .remove("checkSignature");
    }
}

async fn notification(
    State(party): State<Party>,
    Json(request): Json<CardMappingNotification>,
) -> Response {
    let _ = party.events.send(Event::Notification(request.clone()));
    if Faults::refuse(&party.faults.notification_failures) {
        return unavailable();
    }
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
    if invoice.contains("refuse-notify") {
        let body = ErrorBody::new(PartyCause::InvalidRequest, "CP-400", "no such sale", None);
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    }
    if invoice.contains("notify-500") {
        return (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response();
    }
    let signature = sign(&key, &signed.string_to_sign()).to_string();
    let mut body = json!({"invoiceId":invoice,"session":{"checkSignature":signature,"nonce":nonce,"token":token}});
    if invoice.contains("notify-nonce") {
        body["session"]["nonce"] = json!("0".repeat(48));
    }
    if invoice.contains("notify-schema") {
        body["session"].as_object_mut().unwrap().remove("token");
    }
    Json(body).into_response()
}

/// 503 with the documented body: "try later".
fn unavailable() -> Response {
    let body = ErrorBody::new(
        PartyCause::ServerUnavailable,
        "CP-503",
        "busy, try later",
        None,
    );
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}

async fn callback(State(party): State<Party>, uri: Uri) -> Response {
    let control_ok = Query::<Callback>::try_from_uri(&uri)
        .is_ok_and(|Query(callback)| callback.verify(&key()).is_ok());
    let _ = party.events.send(Event::Callback(uri));
    let queued = party
        .faults
        .next_callback_statuses
        .lock()
        .unwrap()
        .pop_front();
    let status = queued.unwrap_or_else(|| party.faults.callback_status.load(Ordering::SeqCst));
    if Faults::refuse(&party.faults.callback_failures) {
        unavailable()
    } else if !control_ok {
        (StatusCode::FORBIDDEN, "bad control").into_response()
    } else {
        (StatusCode::from_u16(status).unwrap(), "OK").into_response()
    }
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
