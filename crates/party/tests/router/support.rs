//! Test kit: a router over fresh state, typed request helpers, and assertions on the documented error body.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use dapi::messages::callback::{Callback, CallbackFields};
use dapi::messages::initiate::{AccessTokenResponse, InitiateSaleResponse};
use dapi::{AccessToken, CallbackStatus, ControlKey, ErrorBody, InvoiceId, PartyCause};
use party::{AppState, Config};
use sandbox_api::paths::{party_misbehave_path, party_record_path};
use sandbox_api::{PartyMisbehaviour, PartySaleRecord};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tower::ServiceExt;

pub(crate) const SERIAL: &str = "SN-ANDROID-0001";
pub(crate) const OTHER_SERIAL: &str = "SN-IOS-0002";
pub(crate) const EMAIL: &str = "buyer@example.com";
/// The gateway session token of the spec's examples.
pub(crate) const GATEWAY_TOKEN: &str = "0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b";

/// One server's state and router.
pub(crate) struct Sandbox {
    pub(crate) state: AppState,
    pub(crate) key: ControlKey,
    app: Router,
}

/// An answer: status and body bytes.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
}

impl Sandbox {
    pub(crate) fn new() -> Self {
        Self::with(Config::sandbox())
    }

    pub(crate) fn with(config: Config) -> Self {
        let key = config.control_key.clone();
        Self::of(AppState::new(config), key)
    }

    /// A router over `state`, whose control key is `key`.
    pub(crate) fn of(state: AppState, key: ControlKey) -> Self {
        Self {
            app: party::router(state.clone()),
            state,
            key,
        }
    }

    pub(crate) async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        Reply { status, body }
    }

    pub(crate) async fn post(&self, uri: &str, body: &impl Serialize) -> Reply {
        let bytes = serde_json::to_vec(body).unwrap();
        self.post_raw(uri, bytes, "application/json").await
    }

    pub(crate) async fn post_raw(
        &self,
        uri: &str,
        body: impl Into<Body>,
        content_type: &str,
    ) -> Reply {
        let request = Request::post(uri)
            .header("content-type", content_type)
            .body(body.into())
            .unwrap();
        self.send(request).await
    }

    pub(crate) async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// `POST /auth/request-access-token` for a device, optionally with an e-mail.
    pub(crate) async fn token(&self, serial: &str, email: Option<&str>) -> AccessToken {
        let mut consumer = json!({"device": {"serialNumber": serial}});
        if let Some(email) = email {
            consumer["email"] = json!(email);
        }
        let reply = self
            .post(
                "/auth/request-access-token",
                &json!({ "consumer": consumer }),
            )
            .await;
        reply.ok::<AccessTokenResponse>().session.access_token
    }

    /// `POST /sale/initiate-sale` for 10.50 EUR.
    pub(crate) async fn initiate(&self, token: &AccessToken, serial: &str) -> InitiateSaleResponse {
        self.post(
            "/sale/initiate-sale",
            &initiate_body(token.as_str(), serial),
        )
        .await
        .ok()
    }

    /// A token for [`SERIAL`] with [`EMAIL`], and a sale initiated with it.
    pub(crate) async fn initiated(&self) -> (AccessToken, InitiateSaleResponse) {
        let token = self.token(SERIAL, Some(EMAIL)).await;
        let sale = self.initiate(&token, SERIAL).await;
        (token, sale)
    }

    /// [`Sandbox::initiated`], then the sale set to misbehave with `settings` (which must be accepted).
    pub(crate) async fn misbehaving(&self, settings: Value) -> (AccessToken, InitiateSaleResponse) {
        let (token, sale) = self.initiated().await;
        self.set(&sale.invoice_id, settings).await;
        (token, sale)
    }

    /// `POST /sim/sales/{invoiceId}/misbehave`.
    pub(crate) async fn misbehave(&self, invoice_id: &InvoiceId, body: &Value) -> Reply {
        self.post(&party_misbehave_path(invoice_id), body).await
    }

    /// `POST /sim/sales/{invoiceId}/misbehave`, which must be accepted; the settings answered back.
    pub(crate) async fn set(&self, invoice_id: &InvoiceId, settings: Value) -> PartyMisbehaviour {
        self.misbehave(invoice_id, &settings).await.ok()
    }

    /// `GET /sim/sales/{invoiceId}`, which must be known.
    pub(crate) async fn record(&self, invoice_id: &InvoiceId) -> PartySaleRecord {
        self.get(&party_record_path(invoice_id)).await.ok()
    }

    /// [`AppState::record`] of a sale that must be known.
    pub(crate) fn stored(&self, invoice_id: &InvoiceId) -> PartySaleRecord {
        self.state.record(invoice_id).expect("a known sale")
    }

    /// Check sale for the sale as the gateway sends it, with the gateway token `gateway_token`.
    pub(crate) async fn check_as(
        &self,
        token: &AccessToken,
        sale: &InitiateSaleResponse,
        gateway_token: &str,
    ) -> Reply {
        let mut body = check_body(sale, token, SERIAL, None);
        body["session"]["token"] = json!(gateway_token);
        self.post(&check_uri(&sale.invoice_id), &body).await
    }

    /// Check sale for the sale as the gateway sends it, with [`GATEWAY_TOKEN`].
    pub(crate) async fn check(&self, token: &AccessToken, sale: &InitiateSaleResponse) -> Reply {
        self.check_as(token, sale, GATEWAY_TOKEN).await
    }

    /// Check sale for a repeat sale paying with `client_card_id`, with [`GATEWAY_TOKEN`].
    pub(crate) async fn check_card(
        &self,
        token: &AccessToken,
        sale: &InitiateSaleResponse,
        client_card_id: &str,
    ) -> Reply {
        let body = check_body(sale, token, SERIAL, Some(client_card_id));
        self.post(&check_uri(&sale.invoice_id), &body).await
    }

    /// The card mapping notification of [`notification_body`].
    pub(crate) async fn notify(&self, token: &AccessToken, gateway_token: &str) -> Reply {
        let body = notification_body(token, gateway_token);
        self.post("/sale/notification", &body).await
    }

    /// `GET /callback` with a correctly signed callback for the invoice.
    pub(crate) async fn callback(&self, invoice_id: &InvoiceId, status: CallbackStatus) -> Reply {
        let callback = Callback::sign(callback_fields(invoice_id, status), &self.key);
        self.get(&callback_uri(&callback)).await
    }
}

pub(crate) fn initiate_body(token: &str, serial: &str) -> Value {
    json!({
        "consumer": {"device": {"serialNumber": serial, "imei": "356938035643809"}, "ipAddresses": ["10.0.0.7"]},
        "location": {"lat": 52.52, "lng": 13.405},
        "session": {"accessToken": token},
        "transaction": {"amountCentis": 1050, "currency": "EUR"}
    })
}

/// The check sale request the gateway sends for what the app sent it.
pub(crate) fn check_body(
    sale: &InitiateSaleResponse,
    token: &AccessToken,
    serial: &str,
    client_card_id: Option<&str>,
) -> Value {
    let mut body = json!({
        "consumer": {"device": {"serialNumber": serial}},
        "session": {
            "accessToken": token,
            "nonce": sale.session.nonce,
            "signature": sale.session.signature,
            "token": GATEWAY_TOKEN
        }
    });
    if let Some(id) = client_card_id {
        body["sourceOfFunds"] = json!({"reference": {"clientCardId": id}});
    }
    body
}

pub(crate) fn check_uri(invoice_id: &InvoiceId) -> String {
    format!("/sale/{invoice_id}/check")
}

/// The notification of the spec's example (serverCardId `9876543`).
pub(crate) fn notification_body(token: &AccessToken, gateway_token: &str) -> Value {
    json!({
        "consumer": {"device": {"serialNumber": SERIAL}},
        "session": {"accessToken": token, "token": gateway_token},
        "sourceCard": {"bin": 411111, "reference": {"serverCardId": "9876543", "uniqueReferenceCardId": 7340041183_u64}}
    })
}

pub(crate) fn callback_fields(invoice_id: &InvoiceId, status: CallbackStatus) -> CallbackFields {
    CallbackFields {
        status,
        invoice_id: invoice_id.clone(),
        order_id: "5021334".into(),
        kind: dapi::Flow::Sale.callback_type().to_owned(),
        amount_centis: 1050,
        currency: "EUR".into(),
        error_code: None,
        error_message: None,
    }
}

/// `/callback?` + the callback's parameters, form-encoded as the gateway sends them.
pub(crate) fn callback_uri(callback: &Callback) -> String {
    let Value::Object(params) = serde_json::to_value(callback).unwrap() else {
        panic!("a callback serialises to an object");
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        let text = match value {
            Value::String(text) => text,
            other => other.to_string(),
        };
        query.append_pair(&name, &text);
    }
    format!("/callback?{}", query.finish())
}

impl Reply {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as `T`, after asserting 200.
    pub(crate) fn ok<T: DeserializeOwned>(&self) -> T {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.text());
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }

    /// Asserts a refusal: status, the documented body with cause `INVALID_REQUEST`, and the code.
    pub(crate) fn refused(&self, status: StatusCode, code: &str) -> ErrorBody<PartyCause> {
        self.failed(status, PartyCause::InvalidRequest, code)
    }

    /// Asserts a refusal as [`Reply::refused`] whose message mentions `mentioned`.
    pub(crate) fn refused_for(
        &self,
        status: StatusCode,
        code: &str,
        mentioned: &str,
    ) -> ErrorBody<PartyCause> {
        let body = self.refused(status, code);
        let message = &body.error.message;
        assert!(message.contains(mentioned), "{mentioned:?} in {message:?}");
        body
    }

    /// Asserts `200 OK` with the body `OK` (the callback's answer).
    pub(crate) fn assert_ok(&self) {
        assert_eq!((self.status, self.text()), (StatusCode::OK, "OK".into()));
    }

    /// Asserts an error answer: status, the documented body with this cause, and the code.
    pub(crate) fn failed(
        &self,
        status: StatusCode,
        cause: PartyCause,
        code: &str,
    ) -> ErrorBody<PartyCause> {
        assert_eq!(self.status, status, "body: {}", self.text());
        let body: ErrorBody<PartyCause> = serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not an error body ({e}): {}", self.text()));
        assert_eq!(body.error.cause, cause);
        assert_eq!(body.error.code, code);
        assert!(!body.error.message.contains("3F2A1B4C"), "the key leaked");
        body
    }
}
