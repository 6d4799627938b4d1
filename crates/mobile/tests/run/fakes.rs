//! Tiny fake gateway and Connecting Party server with canned answers, on loopback port 0.
//!
//! They share one [`Fake`] state, so the party's sandbox record can follow what the gateway did, and the
//! tests can look at what the client sent. The sandbox CVV triggers are mimicked: `123` approves after one
//! `PROCESSING` poll, `321` asks for 3-D Secure (password `hint`), `101` declines, `217` never ends, `999`
//! makes perform sale refuse the request; `555` approves without `bankOrderId` (a broken status answer);
//! `503` answers the first two polls with 503 and approves after the fourth; `504` answers every poll with
//! 503; `322` shows the 3-D Secure page for three polls, then declines as abandoned.
//!
//! With `records`, both have the sandbox's `/sim/` paths: the sale records (the gateway's lists a violation
//! at step 9 when the party was told to sign check sale wrongly, and then declines; the party's one at step
//! 23 when the gateway was told to send a wrong `control`) and the misbehave settings.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::net::TcpListener;

const ACCESS_TOKEN: &str = "a3f1c2d4e5b60718293a4b5c6d7e8f90a3f1c2d4";
const NONCE: &str = "7f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60";
const SIGNATURE: &str = "2C692B7CBF744A6258EE6AE324A00797D6A2AE9A";

/// What the fakes saw and what they hold.
#[derive(Default)]
pub(crate) struct Inner {
    /// The gateway's own base URL, for `redirectUrl`.
    pub(crate) gateway_url: String,
    /// Sales by invoice id.
    pub(crate) sales: HashMap<String, FakeSale>,
    /// Every perform sale body, in order.
    pub(crate) performs: Vec<Value>,
    /// Every 3-D Secure form post, in order.
    pub(crate) three_ds_posts: Vec<HashMap<String, String>>,
    /// Every access token request body.
    pub(crate) token_requests: Vec<Value>,
    /// Every misbehave setting: the path it was POSTed to and its body.
    pub(crate) misbehave_posts: Vec<(String, Value)>,
}

/// One sale on the fake gateway.
#[derive(Debug, Default)]
pub(crate) struct FakeSale {
    /// The CVV, which picks the outcome.
    pub(crate) cvv: String,
    /// Whether perform sale used a card reference.
    pub(crate) by_reference: bool,
    /// Status polls so far.
    pub(crate) polls: u32,
    /// The 3-D Secure result, once the form was posted.
    pub(crate) authenticated: Option<bool>,
    /// Reads of the party's record (the callback shows from the second read on).
    pub(crate) record_reads: u32,
    /// The party's misbehaviour for this sale, as POSTed.
    pub(crate) party_misbehaviour: Option<Value>,
    /// The gateway's misbehaviour for this sale, as POSTed.
    pub(crate) gateway_misbehaviour: Option<Value>,
}

/// The shared state of both fakes.
#[derive(Clone, Default)]
pub(crate) struct Fake(Arc<Mutex<Inner>>);

impl Fake {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap()
    }
}

/// Starts both fakes; `records: false` leaves out the party's `/sim` record endpoint (a real party).
pub(crate) async fn start(records: bool) -> (Fake, mobile::Targets) {
    let fake = Fake::default();
    let gateway = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let party = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gateway_url = format!("http://{}", gateway.local_addr().unwrap());
    let party_url = format!("http://{}", party.local_addr().unwrap());
    fake.lock().gateway_url.clone_from(&gateway_url);
    let mut party_routes = Router::new()
        .route("/auth/request-access-token", post(access_token))
        .route("/sale/initiate-sale", post(initiate))
        .route("/sale/{invoice}/client-card-id", post(client_card_id));
    if records {
        party_routes = party_routes
            .route("/sim/sales/{invoice}", get(record))
            .route("/sim/sales/{invoice}/misbehave", post(party_misbehave));
    }
    let mut gateway_routes = Router::new()
        .route("/paynet/dapi/v1/sale/{endpoint}/{invoice}", post(perform))
        .route(
            "/paynet/dapi/v1/sale/{endpoint}/{invoice}/status",
            post(status),
        )
        .route("/sim/3ds/{token}", get(three_ds_page).post(three_ds_post))
        .route("/sim/3ds/{token}/done", get(three_ds_done));
    if records {
        gateway_routes = gateway_routes
            .route("/sim/sales/{endpoint}/{invoice}", get(gateway_record))
            .route(
                "/sim/sales/{endpoint}/{invoice}/misbehave",
                post(gateway_misbehave),
            );
    }
    tokio::spawn(axum::serve(gateway, gateway_routes.with_state(fake.clone())).into_future());
    tokio::spawn(axum::serve(party, party_routes.with_state(fake.clone())).into_future());
    let targets = mobile::Targets::new(gateway_url.parse().unwrap(), party_url.parse().unwrap());
    (fake, targets)
}

async fn access_token(State(fake): State<Fake>, Json(body): Json<Value>) -> Json<Value> {
    fake.lock().token_requests.push(body);
    Json(json!({"session": {"accessToken": ACCESS_TOKEN}}))
}

async fn initiate(State(fake): State<Fake>, Json(body): Json<Value>) -> Json<Value> {
    assert_eq!(body["session"]["accessToken"], ACCESS_TOKEN);
    let mut inner = fake.lock();
    let invoice = format!("INV-{}", inner.sales.len() + 1);
    inner.sales.insert(invoice.clone(), FakeSale::default());
    Json(json!({"endpointId": "1234", "invoiceId": invoice,
        "session": {"nonce": NONCE, "signature": SIGNATURE}}))
}

async fn client_card_id(Path(invoice): Path<String>, Json(body): Json<Value>) -> Json<Value> {
    assert_eq!(body["session"]["accessToken"], ACCESS_TOKEN);
    Json(json!({"invoiceId": invoice, "clientCardId": format!("CC-{invoice}")}))
}

async fn record(State(fake): State<Fake>, Path(invoice): Path<String>) -> Response {
    let mut inner = fake.lock();
    let Some(sale) = inner.sales.get_mut(&invoice) else {
        let body = json!({"error": {"cause": "INVALID_REQUEST", "code": "SIM-404", "message": "unknown sale"}});
        return (StatusCode::NOT_FOUND, Json(body)).into_response();
    };
    sale.record_reads += 1;
    let approved = sale.outcome() == Some(true);
    let mut body = json!({"invoiceId": invoice, "checks": 1});
    if approved && !sale.by_reference {
        body["cardMapping"] = json!({"clientCardId": format!("CC-{invoice}"), "serverCardId": 9_876_543, "bin": 411_111});
    }
    if let Some(approved) = sale.outcome().filter(|_| sale.record_reads > 1) {
        let status = if approved { "approved" } else { "declined" };
        body["callback"] = json!({"status": status, "orderId": "5021334", "deliveries": 1});
        if sale.wrong_control() {
            body["callback"]["deliveries"] = json!(2);
            body["violations"] = json!([{"observer": "party", "step": 23, "message": "Callback with final status",
                "path": "control", "rule": "does not verify"}]);
        }
    }
    Json(body).into_response()
}

async fn party_misbehave(
    State(fake): State<Fake>,
    Path(invoice): Path<String>,
    Json(body): Json<Value>,
) -> StatusCode {
    let mut inner = fake.lock();
    inner
        .misbehave_posts
        .push((format!("/sim/sales/{invoice}/misbehave"), body.clone()));
    inner.sales.get_mut(&invoice).unwrap().party_misbehaviour = Some(body);
    StatusCode::NO_CONTENT
}

async fn gateway_misbehave(
    State(fake): State<Fake>,
    Path((endpoint, invoice)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> StatusCode {
    let mut inner = fake.lock();
    let path = format!("/sim/sales/{endpoint}/{invoice}/misbehave");
    inner.misbehave_posts.push((path, body.clone()));
    inner.sales.get_mut(&invoice).unwrap().gateway_misbehaviour = Some(body);
    StatusCode::NO_CONTENT
}

async fn gateway_record(
    State(fake): State<Fake>,
    Path((_, invoice)): Path<(String, String)>,
) -> Json<Value> {
    let inner = fake.lock();
    let sale = &inner.sales[&invoice];
    let state = match sale.outcome() {
        None => "PROCESSING",
        Some(true) => "APPROVED",
        Some(false) => "DECLINED",
    };
    let mut body = json!({"invoiceId": invoice, "state": state, "violations": []});
    if sale.check_fails() {
        body["violations"] = json!([{"observer": "gateway", "step": 9, "message": "Check sale response",
            "path": "session.checkSignature", "rule": "does not verify"}]);
    }
    Json(body)
}

async fn perform(
    State(fake): State<Fake>,
    Path((endpoint, invoice)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    assert_eq!(endpoint, "1234");
    assert_eq!(body["session"]["nonce"], NONCE);
    let source = &body["sourceOfFunds"];
    let by_reference = source.get("reference").is_some();
    let cvv = source[if by_reference { "reference" } else { "card" }]["securityCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut inner = fake.lock();
    inner.performs.push(body.clone());
    if cvv == "999" {
        let error = json!({"error": {"cause": "INVALID_REQUEST", "code": "DAPI-400-INVALID", "message": "signature mismatch"}, "invoiceId": invoice});
        return (StatusCode::BAD_REQUEST, Json(error)).into_response();
    }
    let sale = inner.sales.get_mut(&invoice).unwrap();
    sale.cvv = cvv;
    sale.by_reference = by_reference;
    Json(json!({"invoiceId": invoice, "session": {"token": token(&invoice)}})).into_response()
}

/// A 36-character token that names its invoice.
fn token(invoice: &str) -> String {
    format!("{invoice:-<36}")
}

fn invoice_of(token: &str) -> String {
    token.trim_end_matches('-').to_owned()
}

impl FakeSale {
    /// Whether the party was told to sign its check sale answer wrongly (the gateway then declines).
    fn check_fails(&self) -> bool {
        self.party_misbehaviour
            .as_ref()
            .is_some_and(|misbehaviour| misbehaviour["check"] == "wrong-check-signature")
    }

    /// Whether the gateway was told to send a wrong callback `control` first.
    fn wrong_control(&self) -> bool {
        self.gateway_misbehaviour
            .as_ref()
            .is_some_and(|misbehaviour| misbehaviour["callback"] == "wrong-control")
    }

    /// `Some(approved)` once final.
    fn outcome(&self) -> Option<bool> {
        if self.check_fails() {
            return Some(false);
        }
        match self.cvv.as_str() {
            "123" | "555" => (self.polls > 1).then_some(true),
            "503" => (self.polls > 3).then_some(true),
            "322" => (self.polls > 3).then_some(false),
            "504" => None,
            "321" => self.authenticated,
            "217" => None,
            _ => Some(false),
        }
    }
}

async fn status(
    State(fake): State<Fake>,
    Path((_, invoice)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    assert_eq!(body["session"]["token"], token(&invoice));
    let mut inner = fake.lock();
    let gateway_url = inner.gateway_url.clone();
    let sale = inner.sales.get_mut(&invoice).unwrap();
    sale.polls += 1;
    if (sale.cvv == "503" && sale.polls <= 2) || sale.cvv == "504" {
        let busy =
            json!({"error": {"cause": "INTERNAL_ERROR", "code": "GW-503", "message": "busy"}});
        return (StatusCode::SERVICE_UNAVAILABLE, Json(busy)).into_response();
    }
    let mut answer = json!({"invoiceId": invoice, "session": {"token": token(&invoice)}});
    let fields = match (sale.cvv.as_str(), sale.outcome()) {
        ("321" | "322", None) => {
            json!({"state": "REDIRECT_REQUEST", "redirectUrl": format!("{gateway_url}/sim/3ds/{}", token(&invoice))})
        }
        (_, None) => json!({"state": "PROCESSING"}),
        ("555", Some(true)) => json!({"state": "APPROVED"}),
        (_, Some(true)) => {
            json!({"state": "APPROVED", "bankOrderId": "BNK-1", "secure3DAuthStatus": "AUTHENTICATED"})
        }
        (_, Some(false)) if sale.check_fails() => {
            json!({"state": "DECLINED", "bankOrderId": "BNK-1", "errorCode": 100,
            "errorMessage": "check sale failed: session.checkSignature does not verify"})
        }
        ("322", Some(false)) => {
            json!({"state": "DECLINED", "bankOrderId": "BNK-1", "errorMessage": "3DS timeout",
            "secure3DAuthStatus": "NOT_AUTHENTICATED"})
        }
        ("321", Some(false)) => {
            json!({"state": "DECLINED", "bankOrderId": "BNK-1", "errorCode": 100,
            "errorMessage": "3DS failed", "secure3DAuthStatus": "NOT_AUTHENTICATED"})
        }
        (_, Some(false)) => {
            json!({"state": "DECLINED", "bankOrderId": "BNK-1", "errorCode": 101, "errorMessage": "Expired card"})
        }
    };
    for (key, value) in fields.as_object().unwrap() {
        answer[key] = value.clone();
    }
    Json(answer).into_response()
}

async fn three_ds_page(Path(token): Path<String>) -> Html<String> {
    // A relative action: the client must resolve it against the page's URL.
    Html(format!(
        r#"<!doctype html><html><body><p>Password: hint</p>
        <form method="post" action="{token}">
          <input type="hidden" name="attempt" value="1">
          <input type="password" name="password">
          <button type="submit" name="action" value="submit">Submit</button>
          <button type="submit" name="action" value="cancel">Cancel</button>
        </form></body></html>"#
    ))
}

async fn three_ds_post(
    State(fake): State<Fake>,
    Path(token): Path<String>,
    Form(fields): Form<HashMap<String, String>>,
) -> Redirect {
    let mut inner = fake.lock();
    let passed = fields.get("action").map(String::as_str) == Some("submit")
        && fields.get("password").map(String::as_str) == Some("hint");
    inner
        .sales
        .get_mut(&invoice_of(&token))
        .unwrap()
        .authenticated = Some(passed);
    inner.three_ds_posts.push(fields);
    let result = if passed { "success" } else { "failure" };
    Redirect::to(&format!("/sim/3ds/{token}/done?result={result}"))
}

async fn three_ds_done() -> Html<&'static str> {
    Html(
        r#"<html><head><meta name="dapi-close" content="1"><script>window.close()</script></head></html>"#,
    )
}
