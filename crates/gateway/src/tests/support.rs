//! Helpers: a sale's terms and the perform bodies made from them, requests through the router, bounded waits on
//! the sale status, the recorded violations and the delivery log, and what the gateway sent (from its log).

use crate::delivery::Message;
use crate::sale::approval::NotificationBody;
use crate::{AppState, Config, DeliveryFilter, Retry, Timings, router};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dapi::messages::callback::Callback;
use dapi::messages::check::CardMappingNotification;
use dapi::signature::{SaleSigned, sign};
use dapi::{ControlKey, SANDBOX_CONTROL_KEY};
use sandbox_api::DeliveryKind;
use sandbox_api::DeliveryRecord;
use sandbox_api::DeliveryState;
use sandbox_api::{ContractViolation, Observer};
use serde_json::{Value, json};
use std::time::Duration;
use tower::ServiceExt;

/// The access token of sales no Connecting Party knows ([`Terms::local`]).
pub(super) const ACCESS_TOKEN: &str = "a3f1c2d4e5b60718293a4b5c6d7e8f90";
/// The device of every sale.
pub(super) const SERIAL: &str = "SN-ANDROID-0001";
/// The nonce of sales no Connecting Party knows ([`Terms::local`]).
pub(super) const NONCE: &str = "7f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60";
/// The consumer's e-mail: in every card perform, and bound to the reference party's access tokens, so the
/// card mappings of both sides carry it.
pub(super) const EMAIL: &str = "jane@example.com";
pub(super) const ENDPOINT: &str = "1234";

/// What initiate sale fixed for one sale, as the app hands it on to the gateway in perform sale (spec 3.2, 3.3).
#[derive(Clone, Debug)]
pub(super) struct Terms {
    pub(super) invoice: String,
    pub(super) access_token: String,
    pub(super) nonce: String,
    pub(super) signature: String,
}

impl Terms {
    /// A sale no Connecting Party knows, signed here with the sandbox key: for tests where no party answers
    /// (a silent or absent one), so only the gateway's side is seen.
    pub(super) fn local(invoice: &str) -> Self {
        Self {
            invoice: invoice.to_owned(),
            access_token: ACCESS_TOKEN.to_owned(),
            nonce: NONCE.to_owned(),
            signature: signature(ENDPOINT, invoice, 1050, "EUR"),
        }
    }

    fn session(&self) -> Value {
        json!({"accessToken":self.access_token,"nonce":self.nonce,"signature":self.signature})
    }
}

pub(super) fn key() -> ControlKey {
    ControlKey::parse(SANDBOX_CONTROL_KEY).unwrap()
}

/// A loopback URL where a listener accepts connections and never answers (kept alive by the returned
/// listener): a party there keeps sales in check sale (`PROCESSING`) and its deliveries time out.
pub(super) async fn silent_url() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// A loopback URL where nothing listens any more: connecting there fails at once.
pub(super) async fn closed_url() -> String {
    let (listener, url) = silent_url().await;
    drop(listener);
    url
}

/// Short timings: the sandbox ones with retries and timers in milliseconds.
pub(super) fn fast_timings() -> Timings {
    let retry = Retry {
        attempts: 3,
        first_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(20),
    };
    Timings {
        check_timeout: Duration::from_secs(2),
        three_ds_timeout: Duration::from_secs(30),
        unknown_timeout: Duration::from_millis(200),
        callback_retry: retry,
        notification_retry: retry,
        outbound_timeout: Duration::from_secs(2),
    }
}

/// A gateway whose party is `party_url`.
pub(super) fn gateway(party_url: &str, adjust: impl FnOnce(&mut Config)) -> AppState {
    let mut config = Config::sandbox("http://gw.test", party_url);
    config.timings = fast_timings();
    adjust(&mut config);
    AppState::new(config)
}

/// The signature initiate sale would have produced for a sale with the [`Terms::local`] token and nonce.
pub(super) fn signature(endpoint: &str, invoice: &str, amount: u64, currency: &str) -> String {
    let signed = SaleSigned {
        access_token: ACCESS_TOKEN,
        serial_number: SERIAL,
        endpoint_id: endpoint,
        nonce: NONCE,
        invoice_id: invoice,
        amount_centis: amount,
        currency,
    };
    sign(&key(), &signed.string_to_sign()).to_string()
}

/// A perform sale body with full card data (10.50 EUR).
pub(super) fn card_perform(terms: &Terms, cvv: &str) -> Value {
    json!({"consumer":{"device":{"serialNumber":SERIAL},"email":EMAIL},
        "session":terms.session(),
        "sourceOfFunds":{"card":{"number":"4111111111111111","securityCode":cvv,"expiry":{"month":12,"year":2030},
            "holder":{"firstName":"Jane","lastName":"Doe"}}},
        "transaction":{"amountCentis":1050,"currency":"EUR"}})
}

/// A perform sale body with a card reference (repeat sale, 10.50 EUR).
pub(super) fn reference_perform(terms: &Terms, client_card_id: &str, email: Option<&str>) -> Value {
    json!({"consumer":{"device":{"serialNumber":SERIAL},"email":email},
        "session":terms.session(),
        "sourceOfFunds":{"reference":{"clientCardId":client_card_id,"securityCode":"123"}},
        "transaction":{"amountCentis":1050,"currency":"EUR"}})
}

pub(super) fn sale_uri(endpoint: &str, invoice: &str) -> String {
    format!("/paynet/dapi/v1/sale/{endpoint}/{invoice}")
}

pub(super) fn post_json(uri: &str, body: &Value) -> Request<Body> {
    post_raw(uri, "application/json", body.to_string())
}

pub(super) fn post_raw(uri: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, content_type)
        .body(body.into())
        .unwrap()
}

/// Sends a request through the router; the body as JSON (`Value::String` when it is not JSON).
pub(super) async fn send(state: &AppState, request: Request<Body>) -> (StatusCode, Value) {
    let (status, _, text) = send_full(state, request).await;
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// Sends a request through the router; status, `Location` header and body text.
pub(super) async fn send_full(
    state: &AppState,
    request: Request<Body>,
) -> (StatusCode, Option<String>, String) {
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|value| value.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, location, String::from_utf8(bytes.to_vec()).unwrap())
}

/// Performs a sale and returns its token.
pub(super) async fn perform(state: &AppState, invoice: &str, body: &Value) -> String {
    let (status, answer) = send(state, post_json(&sale_uri(ENDPOINT, invoice), body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["invoiceId"], invoice);
    answer["session"]["token"].as_str().unwrap().to_owned()
}

/// Performs a card sale with these terms and CVV; its token.
pub(super) async fn perform_card(state: &AppState, terms: &Terms, cvv: &str) -> String {
    perform(state, &terms.invoice, &card_perform(terms, cvv)).await
}

/// Performs a card sale with these terms and CVV and waits until its status is one of `wanted`; that status.
pub(super) async fn perform_card_until(
    state: &AppState,
    terms: &Terms,
    cvv: &str,
    wanted: &[&str],
) -> Value {
    let token = perform_card(state, terms, cvv).await;
    wait_for_state(state, terms, &token, wanted).await
}

/// One status poll, as the app makes it: with the sale's access token and the gateway's session token.
pub(super) async fn status(state: &AppState, terms: &Terms, token: &str) -> Value {
    let body = json!({"session":{"accessToken":terms.access_token,"token":token}});
    let uri = format!("{}/status", sale_uri(ENDPOINT, &terms.invoice));
    let (code, answer) = send(state, post_json(&uri, &body)).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    answer
}

/// Polls the status until `state` is one of `wanted`, for at most 10 s.
pub(super) async fn wait_for_state(
    state: &AppState,
    terms: &Terms,
    token: &str,
    wanted: &[&str],
) -> Value {
    let poll = async {
        loop {
            let answer = status(state, terms, token).await;
            if wanted.iter().any(|wanted| answer["state"] == *wanted) {
                return answer;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), poll)
        .await
        .expect("the sale should reach the wanted state within 10 s")
}

/// The violations the gateway recorded for a sale on [`ENDPOINT`].
pub(super) fn violations(state: &AppState, invoice: &str) -> Vec<ContractViolation> {
    state
        .violations(&ENDPOINT.into(), &invoice.into())
        .expect("the sale should exist")
}

/// Waits up to 10 s until the sale has a violation at `step`; returns them all.
pub(super) async fn wait_for_violation(
    state: &AppState,
    invoice: &str,
    step: u8,
) -> Vec<ContractViolation> {
    let poll = async {
        loop {
            let found = violations(state, invoice);
            if found.iter().any(|violation| violation.step == step) {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), poll)
        .await
        .expect("the violation should be recorded within 10 s")
}

/// The one violation recorded for a sale, as (observer, step, path, rule).
pub(super) fn only_violation(state: &AppState, invoice: &str) -> (Observer, u8, String, String) {
    let found = violations(state, invoice);
    assert_eq!(found.len(), 1, "{invoice}: {found:#?}");
    let violation = found.into_iter().next().unwrap();
    (
        violation.observer,
        violation.step,
        violation.path,
        violation.rule,
    )
}

/// Waits up to 10 s until the sale's callback is in `wanted`; returns it.
pub(super) async fn wait_for_callback(
    state: &AppState,
    invoice: &str,
    wanted: DeliveryState,
) -> DeliveryRecord {
    wait_for_delivery(state, invoice, DeliveryKind::Callback, wanted).await
}

/// Waits up to 10 s until the sale's delivery of `kind` is in `wanted`; returns it.
pub(super) async fn wait_for_delivery(
    state: &AppState,
    invoice: &str,
    kind: DeliveryKind,
    wanted: DeliveryState,
) -> DeliveryRecord {
    let filter = DeliveryFilter {
        invoice_id: Some(invoice.into()),
        state: Some(wanted),
    };
    let poll = async {
        loop {
            let found = state.deliveries(&filter);
            if let Some(record) = found.into_iter().find(|record| record.kind == kind) {
                return record;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), poll)
        .await
        .expect("the delivery should reach the wanted state within 10 s")
}

/// The kinds of the sale's deliveries, oldest first.
pub(super) fn kinds_sent(state: &AppState, invoice: &str) -> Vec<DeliveryKind> {
    let filter = DeliveryFilter {
        invoice_id: Some(invoice.into()),
        state: None,
    };
    state.deliveries(&filter).iter().map(|r| r.kind).collect()
}

/// What the gateway sends in the sale's delivery of `kind`, as its delivery log keeps it for replays: the party
/// reports only what it made of a message, so the fields it does not keep are read here.
fn sent(state: &AppState, invoice: &str, kind: DeliveryKind) -> Message {
    let filter = DeliveryFilter {
        invoice_id: Some(invoice.into()),
        state: None,
    };
    let record = state
        .deliveries(&filter)
        .into_iter()
        .find(|record| record.kind == kind)
        .expect("the sale should have a delivery of this kind");
    let number = record
        .id
        .strip_prefix("dlv-")
        .and_then(|number| number.parse().ok())
        .expect("delivery ids are dlv-{n}");
    let message = state.store().delivery_log().message(number);
    message.expect("the delivery is in the log")
}

/// The callback the gateway sends for a sale.
pub(super) fn sent_callback(state: &AppState, invoice: &str) -> Callback {
    match sent(state, invoice, DeliveryKind::Callback) {
        Message::Callback(job) => job.callback,
        Message::Notification(_) => unreachable!("a callback delivery holds a callback"),
    }
}

/// The card mapping notification the gateway sends for a sale or a verification.
pub(super) fn sent_notification_body(state: &AppState, invoice: &str) -> NotificationBody {
    match sent(state, invoice, DeliveryKind::Notification) {
        Message::Notification(job) => job.request,
        Message::Callback(_) => unreachable!("a notification delivery holds a notification"),
    }
}

/// The card mapping notification the gateway sends for a sale.
pub(super) fn sent_notification(state: &AppState, invoice: &str) -> CardMappingNotification {
    match sent_notification_body(state, invoice) {
        NotificationBody::Sale(notification) => notification,
        NotificationBody::Verification(_) => unreachable!("a sale's notification"),
    }
}
