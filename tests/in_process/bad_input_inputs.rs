//! The inputs of the sweep: bad bodies derived from a valid sample of each endpoint's message, the ids of one
//! real sale to aim at, and the check that both servers still serve after the barrage.

use super::{JSON, PAN};
use dapi::messages::initiate::{AccessTokenResponse, InitiateSaleResponse};
use dapi::messages::perform::PerformSaleResponse;
use e2e::{Sandbox, scenarios_dir};
use serde_json::{Value, json};

/// One body for a JSON endpoint.
pub(crate) struct JsonInput {
    pub(crate) name: String,
    pub(crate) content_type: Option<&'static str>,
    pub(crate) body: Vec<u8>,
    /// 413 for the 100 KB body, when the route reads the body before anything else.
    pub(crate) status: Option<u16>,
}

fn input(name: &str, content_type: Option<&'static str>, body: impl Into<Vec<u8>>) -> JsonInput {
    JsonInput {
        name: name.to_owned(),
        content_type,
        body: body.into(),
        status: None,
    }
}

/// Bad bodies derived from a sample of the endpoint's message, so each reaches past the first check.
/// `reads_body_first`: the route decodes the body before looking at its path, so 100 KB must get 413.
pub(crate) fn json_inputs(sample: &Value, reads_body_first: bool) -> Vec<JsonInput> {
    let valid = serde_json::to_vec(sample).unwrap();
    let mut padded = sample.clone();
    padded["padding"] = json!("p".repeat(100 * 1024));
    let mut too_large = input("100 KB body", JSON, serde_json::to_vec(&padded).unwrap());
    too_large.status = reads_body_first.then_some(413);
    let leaves = |name: &str, raw: &[u8]| input(name, JSON, with_leaves(sample, raw));
    vec![
        input("empty body", JSON, ""),
        input("empty body, no Content-Type", None, ""),
        input("malformed JSON", JSON, "{\"consumer\":"),
        input("not JSON", JSON, "hello"),
        input("trailing comma", JSON, "{\"session\":{},}"),
        input("JSON null", JSON, "null"),
        input("JSON array", JSON, "[]"),
        input("JSON number", JSON, "42"),
        input(
            "a byte-order mark",
            JSON,
            [&b"\xef\xbb\xbf"[..], &valid].concat(),
        ),
        input(
            "nested 5000 deep",
            JSON,
            format!("{}{}", "[".repeat(5000), "]".repeat(5000)),
        ),
        input("objects nested 5000 deep", JSON, "{\"a\":".repeat(5000)),
        input(
            "invalid UTF-8 outside strings",
            JSON,
            b"{\xff\xfe}".to_vec(),
        ),
        leaves("invalid UTF-8 in every string", b"\"\xff\xfe\xed\xa0\x80\""),
        leaves("a lone surrogate in every string", b"\"\\ud800\""),
        leaves("1e400 everywhere", b"1e400"),
        leaves(
            "99999999999999999999999 everywhere",
            b"99999999999999999999999",
        ),
        leaves("-1 everywhere", b"-1"),
        leaves("1.5 everywhere", b"1.5"),
        leaves("true everywhere", b"true"),
        leaves("objects everywhere", b"{}"),
        leaves(
            "10 KB strings everywhere",
            format!("\"{}\"", "x".repeat(10 * 1024)).as_bytes(),
        ),
        input(
            "top-level fields swapped to numbers",
            JSON,
            serde_json::to_vec(&top_level(sample, &json!(7))).unwrap(),
        ),
        input(
            "top-level fields swapped to strings",
            JSON,
            serde_json::to_vec(&top_level(sample, &json!("x"))).unwrap(),
        ),
        input("a duplicated field", JSON, duplicated_first_field(&valid)),
        input(
            "the sample as text/plain",
            Some("text/plain"),
            valid.clone(),
        ),
        input(
            "the sample as a form",
            Some("application/x-www-form-urlencoded"),
            valid.clone(),
        ),
        input("the sample without Content-Type", None, valid.clone()),
        input(
            "the sample with Content-Type application/jsonx",
            Some("application/jsonx"),
            valid,
        ),
        too_large,
    ]
}

/// `{"a":1,"b":2}` becomes `{"a":null,"a":1,"b":2}`: serde refuses a field given twice.
fn duplicated_first_field(valid: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(valid);
    let first_key = text.split('"').nth(1).unwrap_or_default();
    text.replacen('{', &format!("{{\"{first_key}\":null,"), 1)
        .into_bytes()
}

/// The sample with every top-level member replaced.
fn top_level(sample: &Value, with: &Value) -> Value {
    match sample {
        Value::Object(members) => Value::Object(
            members
                .keys()
                .map(|key| (key.clone(), with.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The sample serialised with every leaf (string, number, bool, null) replaced by raw text.
fn with_leaves(sample: &Value, raw: &[u8]) -> Vec<u8> {
    const MARK: &str = "\u{1}leaf\u{1}";
    fn mark(value: &mut Value) {
        match value {
            Value::Object(members) => members.values_mut().for_each(mark),
            Value::Array(items) => items.iter_mut().for_each(mark),
            leaf => *leaf = json!(MARK),
        }
    }
    let mut marked = sample.clone();
    mark(&mut marked);
    let text = serde_json::to_vec(&marked).unwrap();
    let needle = serde_json::to_vec(MARK).unwrap();
    let mut out = Vec::with_capacity(text.len());
    let mut rest = &text[..];
    while let Some(at) = rest
        .windows(needle.len())
        .position(|window| window == needle)
    {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(raw);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// The ids of one real sale (approved, no 3-D Secure), so bad input can also aim at things that exist.
pub(crate) struct Known {
    pub(crate) access_token: String,
    pub(crate) serial_number: String,
    pub(crate) endpoint_id: String,
    pub(crate) invoice_id: String,
    pub(crate) nonce: String,
    pub(crate) signature: String,
    pub(crate) token: String,
}

impl Known {
    /// Access token, initiate sale and perform sale over HTTP, as the mobile client does.
    pub(crate) async fn sale(sandbox: &Sandbox) -> Self {
        let client = reqwest::Client::new();
        let serial_number = "SN-BAD-INPUT-1".to_owned();
        let device = json!({"device": {"serialNumber": serial_number}});
        let url = format!("{}/auth/request-access-token", sandbox.party_url);
        let issued: AccessTokenResponse =
            serde_json::from_value(post(&client, url, &json!({"consumer": device})).await).unwrap();
        let access_token = issued.session.access_token.to_string();
        let initiate = json!({"consumer": device, "session": {"accessToken": access_token},
            "transaction": {"amountCentis": 1050, "currency": "EUR"}});
        let url = format!("{}/sale/initiate-sale", sandbox.party_url);
        let initiated: InitiateSaleResponse =
            serde_json::from_value(post(&client, url, &initiate).await).unwrap();
        let (endpoint_id, invoice_id) = (
            initiated.endpoint_id.to_string(),
            initiated.invoice_id.to_string(),
        );
        let (nonce, signature) = (
            initiated.session.nonce.to_string(),
            initiated.session.signature.to_string(),
        );
        let mut known = Self {
            access_token,
            serial_number,
            endpoint_id,
            invoice_id,
            nonce,
            signature,
            token: String::new(),
        };
        let url = format!(
            "{}/paynet/dapi/v1/sale/{}/{}",
            sandbox.gateway_url, known.endpoint_id, known.invoice_id
        );
        let performed: PerformSaleResponse =
            serde_json::from_value(post(&client, url, &known.perform(&known.signature)).await)
                .unwrap();
        known.token = performed.session.token.to_string();
        known
    }

    /// A perform sale body for this sale (CVV 123: approved without 3-D Secure) with the given signature.
    pub(crate) fn perform(&self, signature: &str) -> Value {
        json!({"consumer": {"device": {"serialNumber": self.serial_number}},
            "session": {"accessToken": self.access_token, "nonce": self.nonce, "signature": signature},
            "sourceOfFunds": {"card": {"number": PAN, "securityCode": "123", "expiry": {"month": 12, "year": 2030},
                "holder": {"printedName": "JANE DOE"}}},
            "transaction": {"amountCentis": 1050, "currency": "EUR"}})
    }
}

/// Posts JSON and returns the 2xx answer's JSON (typed by the caller with `serde_json::from_value`).
async fn post(client: &reqwest::Client, url: String, body: &Value) -> Value {
    let response = client
        .post(&url)
        .json(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    let text = response.text().await.expect("a body");
    assert!(status.is_success(), "{url}: {status} {text}");
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{url}: {error}: {text}"))
}

/// After the barrage: both servers answer `/health` and a real sale (scenario 01) still passes.
pub(crate) async fn assert_still_serving(sandbox: &Sandbox) {
    let client = reqwest::Client::new();
    for base in [&sandbox.gateway_url, &sandbox.party_url] {
        let response = client
            .get(format!("{base}/health"))
            .send()
            .await
            .expect("/health answers");
        assert_eq!(response.status().as_u16(), 200, "{base}/health");
    }
    let scenario = scenario::load_file(&scenarios_dir().join("01-approved-no-3ds.toml"))
        .expect("scenario 01 loads");
    let report = mobile::run(&scenario, &sandbox.targets).await;
    assert!(
        report.passed(),
        "a real sale after the barrage: {:?}",
        report.failures
    );
}
