//! The Connecting Party server's table: access token, initiate sale, check sale, card mapping notification,
//! the callback, the client card id, `/sim/sales`, unknown paths and methods.

use super::{Case, Cause, JSON, Known, assert_every_case_answered, json_inputs};
use e2e::Sandbox;
use reqwest::Method;
use serde_json::{Value, json};

const UNKNOWN_INVOICE: &str = "INV-BAD-INPUT-UNKNOWN";
const UNKNOWN_TOKEN: &str = "00000000-0000-4000-8000-000000000000";

fn post(path: &str, input: &str) -> Case {
    Case::new(Method::POST, path, Cause::Party, input)
}

fn get(path: String, input: &str) -> Case {
    Case::new(Method::GET, path, Cause::Party, input)
}

fn body(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// Every JSON input at `path`, on a sample that would be refused anyway if it got through.
fn json_cases(path: &str, sample: &Value) -> Vec<Case> {
    json_inputs(sample, true)
        .into_iter()
        .map(|input| Case::json(path, Cause::Party, input))
        .collect()
}

fn auth_cases() -> Vec<Case> {
    let path = "/auth/request-access-token";
    // A valid body would be answered 200: the sample gets an e-mail that is too short.
    let mut cases = json_cases(
        path,
        &json!({"consumer": {"device": {"serialNumber": "SN-1"}, "email": "x"}}),
    );
    let long = "s".repeat(10 * 1024);
    let huge = "s".repeat(100 * 1024);
    for (input, query) in [
        ("no query", String::new()),
        ("an empty query", "?".into()),
        ("only separators", "?&&&=".into()),
        ("a name without value", "?serialNumber".into()),
        (
            "an empty serial number",
            "?serialNumber=&email=a%40b.c".into(),
        ),
        ("no serial number", "?email=a%40b.c".into()),
        (
            "an e-mail that is too short",
            "?serialNumber=SN-1&email=x".into(),
        ),
        (
            "a duplicated serial number",
            "?serialNumber=SN-1&serialNumber=SN-2".into(),
        ),
        ("a 10 KB serial number", format!("?serialNumber={long}")),
        ("a 10 KB e-mail", format!("?serialNumber=SN-1&email={long}")),
        (
            "non-ASCII, too long",
            format!("?serialNumber={}", "%C3%A4".repeat(51)),
        ),
    ] {
        cases.push(get(format!("{path}{query}"), input));
    }
    cases.push(
        get(
            format!("{path}?serialNumber={huge}"),
            "a 100 KB serial number",
        )
        .uri_too_long(),
    );
    cases
}

fn initiate_cases(known: &Known) -> Vec<Case> {
    let path = "/sale/initiate-sale";
    let initiate = |access_token: &str, serial_number: &str, amount: Value, currency: &str| {
        json!({"consumer": {"device": {"serialNumber": serial_number}}, "session": {"accessToken": access_token},
            "transaction": {"amountCentis": amount, "currency": currency}})
    };
    let unknown_token = "u".repeat(64);
    let mut cases = json_cases(path, &initiate(&unknown_token, "SN-1", json!(1050), "EUR"));
    let (token, serial) = (known.access_token.as_str(), known.serial_number.as_str());
    cases.extend([
        post(path, "an unknown access token")
            .body(
                JSON,
                body(&initiate(&unknown_token, serial, json!(1050), "EUR")),
            )
            .expect(403),
        post(path, "another device's serial number")
            .body(JSON, body(&initiate(token, "SN-OTHER", json!(1050), "EUR")))
            .expect(403),
        post(path, "a zero amount")
            .body(JSON, body(&initiate(token, serial, json!(0), "EUR")))
            .expect(400),
        post(path, "a negative amount")
            .body(JSON, body(&initiate(token, serial, json!(-1050), "EUR")))
            .expect(400),
        post(path, "a fractional amount")
            .body(JSON, body(&initiate(token, serial, json!(10.5), "EUR")))
            .expect(400),
        post(path, "an amount as a string")
            .body(JSON, body(&initiate(token, serial, json!("1050"), "EUR")))
            .expect(400),
        post(path, "a lower-case currency")
            .body(JSON, body(&initiate(token, serial, json!(1050), "eur")))
            .expect(400),
        post(path, "a 10 KB currency")
            .body(
                JSON,
                body(&initiate(
                    token,
                    serial,
                    json!(1050),
                    &"E".repeat(10 * 1024),
                )),
            )
            .expect(400),
        post(path, "an access token that is too short")
            .body(JSON, body(&initiate("short", serial, json!(1050), "EUR")))
            .expect(400),
    ]);
    cases
}

fn check_cases(known: &Known) -> Vec<Case> {
    let check = |nonce: &str, signature: &str, token: &str| {
        json!({"consumer": {"device": {"serialNumber": known.serial_number}},
            "session": {"accessToken": known.access_token, "nonce": nonce, "signature": signature, "token": token}})
    };
    let unknown_path = format!("/sale/{UNKNOWN_INVOICE}/check");
    let known_path = format!("/sale/{}/check", known.invoice_id);
    let mut cases = json_cases(
        &unknown_path,
        &check(&known.nonce, &known.signature, &known.token),
    );
    let (wrong_nonce, wrong_signature) = ("n".repeat(48), "0".repeat(40));
    cases.extend([
        post(&unknown_path, "an unknown invoice")
            .body(
                JSON,
                body(&check(&known.nonce, &known.signature, &known.token)),
            )
            .expect(403),
        post(&known_path, "a wrong nonce")
            .body(
                JSON,
                body(&check(&wrong_nonce, &known.signature, &known.token)),
            )
            .expect(403),
        post(&known_path, "a wrong signature")
            .body(
                JSON,
                body(&check(&known.nonce, &wrong_signature, &known.token)),
            )
            .expect(403),
        post(&known_path, "a signature that is not hex")
            .body(
                JSON,
                body(&check(&known.nonce, &"zz".repeat(20), &known.token)),
            )
            .expect(403),
        post("/sale/%FF%FE/check", "invalid UTF-8 in the invoice id").body(
            JSON,
            body(&check(&known.nonce, &known.signature, &known.token)),
        ),
        post(
            &format!("/sale/{}/check", "i".repeat(10 * 1024)),
            "a 10 KB invoice id",
        )
        .body(
            JSON,
            body(&check(&known.nonce, &known.signature, &known.token)),
        ),
    ]);
    cases
}

fn notification_cases(known: &Known) -> Vec<Case> {
    let path = "/sale/notification";
    let notification = |access_token: &str, token: &str| {
        json!({"consumer": {"device": {"serialNumber": known.serial_number}},
            "session": {"accessToken": access_token, "token": token},
            "sourceCard": {"bin": 411_111, "reference": {"serverCardId": "1", "uniqueReferenceCardId": 7}}})
    };
    let mut cases = json_cases(path, &notification(&known.access_token, UNKNOWN_TOKEN));
    cases.extend([
        post(path, "an unknown session token")
            .body(
                JSON,
                body(&notification(&known.access_token, UNKNOWN_TOKEN)),
            )
            .expect(400),
        post(path, "another consumer's access token")
            .body(JSON, body(&notification(&"b".repeat(32), &known.token)))
            .expect(403),
    ]);
    cases
}

fn callback_cases(known: &Known) -> Vec<Case> {
    let callback = |invoice: &str, status: &str, control: &str, extra: &str| {
        format!(
            "/callback?status={status}&merchant_order={invoice}&client_orderid={invoice}&orderid=5021334&type=sale&amount=10.50&currency=EUR&control={control}{extra}"
        )
    };
    let (invoice, wrong) = (known.invoice_id.as_str(), "0".repeat(40));
    let long = "c".repeat(10 * 1024);
    let huge = "c".repeat(100 * 1024);
    [
        ("no query", "/callback".to_owned()),
        ("an empty query", "/callback?".to_owned()),
        ("only a status", "/callback?status=approved".to_owned()),
        ("a wrong control", callback(invoice, "approved", &wrong, "")),
        (
            "a wrong control, upper case",
            callback(invoice, "approved", &"A".repeat(40), ""),
        ),
        (
            "a control that is too short",
            callback(invoice, "approved", "abc", ""),
        ),
        (
            "a control that is not hex",
            callback(invoice, "approved", &"z".repeat(40), ""),
        ),
        ("an unknown status", callback(invoice, "nope", &wrong, "")),
        (
            "an unknown invoice",
            callback(UNKNOWN_INVOICE, "approved", &wrong, ""),
        ),
        ("an empty invoice", callback("", "approved", &wrong, "")),
        ("a 10 KB invoice", callback(&long, "approved", &wrong, "")),
        (
            "a huge error_code",
            callback(
                invoice,
                "declined",
                &wrong,
                "&error_code=99999999999999999999999",
            ),
        ),
        (
            "a negative error_code",
            callback(invoice, "declined", &wrong, "&error_code=-1"),
        ),
        (
            "a duplicated status",
            callback(invoice, "approved", &wrong, "&status=declined"),
        ),
        (
            "percent-encoded invalid UTF-8",
            callback("%FF%FE", "approved", &wrong, ""),
        ),
        (
            "invalid percent-encoding",
            callback(invoice, "approved", &wrong, "&descriptor=%ZZ%"),
        ),
    ]
    .into_iter()
    .map(|(input, path)| get(path, input))
    .chain([get(callback(&huge, "approved", &wrong, ""), "a 100 KB invoice").uri_too_long()])
    .collect()
}

fn client_card_id_cases(known: &Known) -> Vec<Case> {
    let known_path = format!("/sale/{}/client-card-id", known.invoice_id);
    let request = |access_token: &str| json!({"session": {"accessToken": access_token}});
    let other = "b".repeat(32);
    let mut cases = json_cases(&known_path, &request(&other));
    cases.extend([
        post(&known_path, "another consumer's access token")
            .body(JSON, body(&request(&other)))
            .expect(403),
        post(
            &format!("/sale/{UNKNOWN_INVOICE}/client-card-id"),
            "an unknown invoice",
        )
        .body(JSON, body(&request(&known.access_token)))
        .expect(404),
        post(
            "/sale/%FF/client-card-id",
            "invalid UTF-8 in the invoice id",
        )
        .body(JSON, body(&request(&known.access_token))),
    ]);
    cases
}

fn sim_cases(known: &Known) -> Vec<Case> {
    let misbehave = format!("/sim/sales/{UNKNOWN_INVOICE}/misbehave");
    let known_misbehave = format!("/sim/sales/{}/misbehave", known.invoice_id);
    let mut cases = json_cases(&misbehave, &json!({"check": "filtered"}));
    cases.extend([
        get(
            format!("/sim/sales/{UNKNOWN_INVOICE}"),
            "an unknown invoice",
        )
        .expect(404),
        get(
            "/sim/sales/%FF%FE".into(),
            "invalid UTF-8 in the invoice id",
        ),
        get(
            format!("/sim/sales/{}", "i".repeat(10 * 1024)),
            "a 10 KB invoice id",
        ),
        post(&misbehave, "a valid misbehaviour for an unknown invoice")
            .body(JSON, r#"{"check":"filtered"}"#)
            .expect(404),
        post(&known_misbehave, "an unknown field")
            .body(JSON, r#"{"sometimes":true}"#)
            .expect(400),
        post(&known_misbehave, "an unknown check misbehaviour")
            .body(JSON, r#"{"check":"nope"}"#)
            .expect(400),
        post(&known_misbehave, "a negative delay")
            .body(JSON, r#"{"delayMs":-1}"#)
            .expect(400),
        post(&known_misbehave, "a huge delay")
            .body(JSON, r#"{"delayMs":1e400}"#)
            .expect(400),
    ]);
    cases
}

fn path_and_method_cases(known: &Known) -> Vec<Case> {
    let case = |method: Method, path: String, input: &str, status: u16| {
        Case::new(method, path, Cause::Party, input).expect(status)
    };
    vec![
        case(Method::GET, "/nope".into(), "an unknown path", 404),
        case(
            Method::POST,
            "/sale/x/y/z".into(),
            "too many path segments",
            404,
        ),
        case(
            Method::GET,
            format!("/{}", "x".repeat(10 * 1024)),
            "a 10 KB unknown path",
            404,
        ),
        case(
            Method::GET,
            "/sale/initiate-sale".into(),
            "GET on initiate sale",
            405,
        ),
        case(
            Method::DELETE,
            "/auth/request-access-token".into(),
            "DELETE on the access token",
            405,
        ),
        case(
            Method::GET,
            format!("/sale/{}/check", known.invoice_id),
            "GET on check sale",
            405,
        ),
        case(
            Method::POST,
            "/callback".into(),
            "POST on the callback",
            405,
        ),
        case(
            Method::PUT,
            "/sale/notification".into(),
            "PUT on the notification",
            405,
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_party_route_answers_bad_input_with_a_4xx_and_the_error_body() {
    let sandbox = Sandbox::start().await.unwrap();
    let known = Known::sale(&sandbox).await;
    let groups = vec![
        auth_cases(),
        initiate_cases(&known),
        check_cases(&known),
        notification_cases(&known),
        callback_cases(&known),
        client_card_id_cases(&known),
        sim_cases(&known),
        path_and_method_cases(&known),
    ];
    let url = sandbox.party_url.clone();
    assert_every_case_answered(sandbox, &url, "Connecting Party server", groups).await;
}
