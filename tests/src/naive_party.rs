//! [`NaiveParty`]: a Connecting Party server that answers everything correctly shaped and correctly signed, and
//! checks nothing — the merchant server the attack pack is for. It issues tokens without binding them to a
//! device, signs what it is asked to check with whatever nonce it stored (or was sent), maps any notified card,
//! and books every callback it gets, duplicates included.
//!
//! Optionally ([`NaiveParty::with_record`]) it offers the sandbox record `GET /sim/sales/{invoiceId}` (checks,
//! card mapping, callback with its deliveries and bookings), so that what it booked twice shows; without it, it
//! is a server without a sandbox record, whose side the client judges from the gateway's delivery log. It never
//! offers the misbehaviour controls. [`NaiveParty::refusing_callbacks`] answers every callback with a bare 500.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use dapi::messages::callback::Callback;
use dapi::signature::{CheckSaleSigned, NotificationSigned, SaleSigned, sign};
use dapi::{ControlKey, SANDBOX_CONTROL_KEY, SANDBOX_ENDPOINT_ID};
use sandbox_api::{CallbackRecord, CardMappingRecord, PartySaleRecord};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// How the naive server behaves.
#[derive(Clone, Copy, Debug, Default)]
pub struct NaiveOptions {
    /// Whether it offers `GET /sim/sales/{invoiceId}`.
    pub record: bool,
    /// Whether it answers every callback with a bare HTTP 500.
    pub refuse_callbacks: bool,
}

/// What the naive server keeps of one sale.
#[derive(Clone, Debug, Default)]
struct NaiveSale {
    nonce: String,
    checks: u32,
    mapping: Option<CardMappingRecord>,
    callback: Option<CallbackRecord>,
}

#[derive(Debug, Default)]
struct Books {
    next: u64,
    sales: HashMap<String, NaiveSale>,
    /// Gateway token → invoice, learned from any check sale.
    tokens: HashMap<String, String>,
    /// The invoice of the latest sale, which an unknown notification is answered for.
    latest: Option<String>,
}

#[derive(Clone)]
struct Naive {
    books: Arc<Mutex<Books>>,
    key: Arc<ControlKey>,
    options: NaiveOptions,
}

impl Naive {
    fn books(&self) -> MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A naive Connecting Party server running on a loopback port; stops when the test's runtime ends.
#[derive(Debug)]
pub struct NaiveParty {
    /// Its base URL.
    pub url: String,
}

impl NaiveParty {
    /// Starts one with `options`.
    ///
    /// # Errors
    /// When a loopback port cannot be bound.
    pub async fn start(options: NaiveOptions) -> std::io::Result<Self> {
        let key = ControlKey::parse(SANDBOX_CONTROL_KEY)
            .map_err(|error| std::io::Error::other(error.to_string()))?;
        let naive = Naive {
            books: Arc::default(),
            key: Arc::new(key),
            options,
        };
        let mut app = Router::new()
            .route(
                "/auth/request-access-token",
                get(access_token).post(access_token),
            )
            .route("/sale/initiate-sale", post(initiate))
            .route("/sale/{invoice_id}/check", post(check))
            .route("/sale/notification", post(notification))
            .route("/sale/{invoice_id}/client-card-id", post(client_card_id))
            .route("/callback", get(callback));
        if options.record {
            app = app.route("/sim/sales/{invoice_id}", get(record));
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(axum::serve(listener, app.with_state(naive)).into_future());
        Ok(Self { url })
    }

    /// One with the sandbox record, accepting every callback.
    ///
    /// # Errors
    /// When a loopback port cannot be bound.
    pub async fn with_record() -> std::io::Result<Self> {
        Self::start(NaiveOptions {
            record: true,
            refuse_callbacks: false,
        })
        .await
    }
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

async fn access_token(State(naive): State<Naive>) -> Json<Value> {
    let mut books = naive.books();
    books.next += 1;
    Json(json!({"session": {"accessToken": format!("naive{:059}", books.next)}}))
}

async fn initiate(State(naive): State<Naive>, Json(body): Json<Value>) -> Json<Value> {
    let mut books = naive.books();
    books.next += 1;
    let invoice = format!("NAIVE-{}", books.next);
    let nonce = format!("{:064}", books.next);
    let amount = body["transaction"]["amountCentis"]
        .as_u64()
        .unwrap_or_default();
    let signed = SaleSigned {
        access_token: text(&body["session"]["accessToken"]),
        serial_number: text(&body["consumer"]["device"]["serialNumber"]),
        endpoint_id: SANDBOX_ENDPOINT_ID,
        nonce: &nonce,
        invoice_id: &invoice,
        amount_centis: amount,
        currency: text(&body["transaction"]["currency"]),
    };
    let signature = sign(&naive.key, &signed.string_to_sign()).to_string();
    let sale = NaiveSale {
        nonce: nonce.clone(),
        ..NaiveSale::default()
    };
    books.sales.insert(invoice.clone(), sale);
    books.latest = Some(invoice.clone());
    Json(
        json!({"endpointId": SANDBOX_ENDPOINT_ID, "invoiceId": invoice,
        "session": {"nonce": nonce, "signature": signature}}),
    )
}

/// Answers any check sale: the nonce it stored for the invoice (or the one it was sent), signed over the
/// device it was sent; no token, device, nonce or invoice is compared with anything.
async fn check(
    State(naive): State<Naive>,
    Path(invoice): Path<String>,
    Json(body): Json<Value>,
) -> Json<Value> {
    let token = text(&body["session"]["token"]).to_owned();
    let mut books = naive.books();
    let sent_nonce = text(&body["session"]["nonce"]).to_owned();
    let nonce = match books.sales.get_mut(&invoice) {
        Some(sale) => {
            sale.checks += 1;
            sale.nonce.clone()
        }
        None => sent_nonce,
    };
    books.tokens.insert(token.clone(), invoice.clone());
    let signed = CheckSaleSigned {
        serial_number: text(&body["consumer"]["device"]["serialNumber"]),
        nonce: &nonce,
        endpoint_id: SANDBOX_ENDPOINT_ID,
        invoice_id: &invoice,
        server_card_id: None,
    };
    let check_signature = sign(&naive.key, &signed.string_to_sign()).to_string();
    Json(json!({"invoiceId": invoice,
        "session": {"checkSignature": check_signature, "nonce": nonce, "token": token}}))
}

/// Maps whatever card it is told of, for the sale of the token if it knows one, else for its latest sale.
async fn notification(State(naive): State<Naive>, Json(body): Json<Value>) -> Json<Value> {
    let token = text(&body["session"]["token"]).to_owned();
    let mut books = naive.books();
    let invoice = books
        .tokens
        .get(&token)
        .cloned()
        .or_else(|| books.latest.clone())
        .unwrap_or_default();
    let server_card_id = text(&body["sourceCard"]["reference"]["serverCardId"]).to_owned();
    let bin = body["sourceCard"]["bin"]
        .as_u64()
        .and_then(|bin| u32::try_from(bin).ok());
    let sale = books.sales.entry(invoice.clone()).or_default();
    sale.mapping = Some(CardMappingRecord {
        client_card_id: format!("naive-card-{server_card_id}").as_str().into(),
        server_card_id: server_card_id.as_str().into(),
        bin,
    });
    let nonce = sale.nonce.clone();
    let signed = NotificationSigned {
        nonce: &nonce,
        endpoint_id: SANDBOX_ENDPOINT_ID,
        invoice_id: &invoice,
    };
    let check_signature = sign(&naive.key, &signed.string_to_sign()).to_string();
    Json(json!({"invoiceId": invoice,
        "session": {"checkSignature": check_signature, "nonce": nonce, "token": token}}))
}

async fn client_card_id(State(naive): State<Naive>, Path(invoice): Path<String>) -> Response {
    let books = naive.books();
    match books
        .sales
        .get(&invoice)
        .and_then(|sale| sale.mapping.clone())
    {
        Some(mapping) => {
            Json(json!({"invoiceId": invoice, "clientCardId": mapping.client_card_id}))
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "no card").into_response(),
    }
}

/// Books every callback it gets, verifying nothing: a repeat is booked again.
async fn callback(State(naive): State<Naive>, Query(callback): Query<Callback>) -> Response {
    if naive.options.refuse_callbacks {
        return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response();
    }
    let mut books = naive.books();
    let sale = books
        .sales
        .entry(callback.client_orderid.to_string())
        .or_default();
    let booked = sale.callback.get_or_insert(CallbackRecord {
        status: callback.status,
        order_id: callback.orderid.clone(),
        error_code: callback.error_code,
        deliveries: 0,
        bookings: 0,
    });
    booked.deliveries += 1;
    booked.bookings += 1;
    "OK".into_response()
}

async fn record(State(naive): State<Naive>, Path(invoice): Path<String>) -> Response {
    let books = naive.books();
    let Some(sale) = books.sales.get(&invoice) else {
        return (StatusCode::NOT_FOUND, "no such sale").into_response();
    };
    Json(PartySaleRecord {
        invoice_id: invoice.as_str().into(),
        checks: sale.checks,
        card_mapping: sale.mapping.clone(),
        callback: sale.callback.clone(),
        violations: Vec::new(),
    })
    .into_response()
}
