//! The gateway's table: perform sale, sale status, perform validation and verification status, the 3-D Secure
//! pages, `/sim/sales`, unknown paths and methods.

use super::{Case, Cause, JSON, Known, assert_every_case_answered, json_inputs};
use e2e::Sandbox;
use reqwest::Method;
use serde_json::json;

const DAPI: &str = "/paynet/dapi/v1";
const UNKNOWN_INVOICE: &str = "INV-BAD-INPUT-UNKNOWN";
const UNKNOWN_TOKEN: &str = "00000000-0000-4000-8000-000000000000";
const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

fn perform_cases(known: &Known) -> Vec<Case> {
    let ep = &known.endpoint_id;
    let unknown_sale = format!("{DAPI}/sale/{ep}/{UNKNOWN_INVOICE}");
    let known_sale = format!("{DAPI}/sale/{ep}/{}", known.invoice_id);
    let sample = known.perform(&known.signature);
    let mut cases: Vec<Case> = json_inputs(&sample, true)
        .into_iter()
        .map(|input| Case::json(&unknown_sale, Cause::Perform, input))
        .collect();
    cases.extend(json_inputs(&sample, false).into_iter().map(|input| {
        Case::json(
            &format!("{DAPI}/sale/9999/{UNKNOWN_INVOICE}"),
            Cause::Perform,
            input,
        )
    }));
    let body = |value: &serde_json::Value| serde_json::to_vec(value).unwrap();
    let wrong = "0".repeat(40);
    let post = |path: &str, input: &str| Case::new(Method::POST, path, Cause::Perform, input);
    cases.extend([
        post(&unknown_sale, "a signature for another invoice")
            .body(JSON, body(&sample))
            .expect(400),
        post(&known_sale, "a wrong signature")
            .body(JSON, body(&known.perform(&wrong)))
            .expect(400),
        post(&known_sale, "a signature that is not hex")
            .body(JSON, body(&known.perform(&"zz".repeat(20))))
            .expect(400),
        post(&unknown_sale, "both a card and a reference")
            .body(JSON, body(&both_sources(&sample)))
            .expect(400),
        post(&known_sale, "the same perform twice")
            .body(JSON, body(&sample))
            .expect(400),
        post(
            &format!("{DAPI}/sale/9999/{}", known.invoice_id),
            "an unknown endpoint",
        )
        .body(JSON, body(&sample))
        .expect(400),
        post(
            &format!("{DAPI}/sale/{ep}/%FF%FE"),
            "invalid UTF-8 in the invoice id",
        )
        .body(JSON, body(&sample)),
        post(
            &format!("{DAPI}/sale/%FF/{UNKNOWN_INVOICE}"),
            "invalid UTF-8 in the endpoint id",
        )
        .body(JSON, body(&sample)),
        post(
            &format!("{DAPI}/sale/{ep}/{}", "i".repeat(10 * 1024)),
            "a 10 KB invoice id",
        )
        .body(JSON, body(&sample)),
        post(
            &format!("{DAPI}/sale/{}/{UNKNOWN_INVOICE}", "9".repeat(10 * 1024)),
            "a 10 KB endpoint id",
        )
        .body(JSON, body(&sample)),
        post(&format!("{DAPI}/sale/{ep}/%00"), "a NUL invoice id").body(JSON, body(&sample)),
        post(&format!("{DAPI}/sale/{ep}/"), "an empty invoice id").body(JSON, body(&sample)),
        post(&format!("{DAPI}/sale/{ep}/a/b/c"), "too many path segments")
            .body(JSON, body(&sample)),
    ]);
    cases
}

fn both_sources(perform: &serde_json::Value) -> serde_json::Value {
    let mut both = perform.clone();
    both["sourceOfFunds"]["reference"] = json!({"clientCardId": "cc_1", "securityCode": "123"});
    both
}

fn status_cases(known: &Known) -> Vec<Case> {
    let ep = &known.endpoint_id;
    let unknown_sale = format!("{DAPI}/sale/{ep}/{UNKNOWN_INVOICE}/status");
    let known_sale = format!("{DAPI}/sale/{ep}/{}/status", known.invoice_id);
    let session = |access_token: &str, token: &str| {
        serde_json::to_vec(&json!({"session": {"accessToken": access_token, "token": token}}))
            .unwrap()
    };
    let sample = json!({"session": {"accessToken": known.access_token, "token": known.token}});
    let mut cases: Vec<Case> = json_inputs(&sample, true)
        .into_iter()
        .map(|input| Case::json(&unknown_sale, Cause::Status, input))
        .collect();
    let post = |path: &str, input: &str| Case::new(Method::POST, path, Cause::Status, input);
    let other_access = "b".repeat(32);
    cases.extend([
        post(&unknown_sale, "an unknown invoice")
            .body(JSON, session(&known.access_token, &known.token))
            .expect(400),
        post(&known_sale, "an unknown token")
            .body(JSON, session(&known.access_token, UNKNOWN_TOKEN))
            .expect(400),
        post(&known_sale, "another consumer's access token")
            .body(JSON, session(&other_access, &known.token))
            .expect(400),
        post(
            &format!("{DAPI}/sale/9999/{}/status", known.invoice_id),
            "an unknown endpoint",
        )
        .body(JSON, session(&known.access_token, &known.token))
        .expect(400),
        post(
            &format!("{DAPI}/sale/{ep}/%FF/status"),
            "invalid UTF-8 in the invoice id",
        )
        .body(JSON, session(&known.access_token, &known.token)),
    ]);
    cases
}

fn three_ds_cases(known: &Known) -> Vec<Case> {
    let page = |token: &str| format!("/sim/3ds/{token}");
    let known_page = page(&known.token);
    let get = |path: String, input: &str| Case::new(Method::GET, path, Cause::Status, input);
    let post = |path: &str, input: &str| Case::new(Method::POST, path, Cause::Status, input);
    let long = "t".repeat(10 * 1024);
    let huge_form = format!("action=submit&password={}", "p".repeat(100 * 1024));
    let mut cases = vec![
        get(page(UNKNOWN_TOKEN), "an unknown token").expect(404),
        get(page("%FF%FE"), "invalid UTF-8 in the token"),
        get(page(&long), "a 10 KB token"),
        get(page(&"t".repeat(100 * 1024)), "a 100 KB token").uri_too_long(),
        get(
            format!("{}/done?result=%FF", page(UNKNOWN_TOKEN)),
            "done page of an unknown token",
        )
        .expect(404),
        get(
            known_page.clone(),
            "a sale that is not waiting for 3-D Secure",
        )
        .expect(409),
    ];
    for (input, content_type, body) in [
        (
            "unknown token, a valid form",
            FORM,
            b"action=submit&password=x".to_vec(),
        ),
        ("unknown token, a JSON body", JSON, b"{}".to_vec()),
        ("unknown token, no body", None, Vec::new()),
        (
            "unknown token, a 100 KB form",
            FORM,
            huge_form.clone().into_bytes(),
        ),
    ] {
        cases.push(
            post(&page(UNKNOWN_TOKEN), input)
                .body(content_type, body)
                .expect(404),
        );
    }
    cases.push(post(&page("%FF"), "invalid UTF-8 in the token").body(FORM, "action=cancel"));
    for (input, content_type, body) in [
        (
            "no Content-Type",
            None,
            b"action=submit&password=x".to_vec(),
        ),
        (
            "a JSON body",
            JSON,
            br#"{"action":"submit","password":"x"}"#.to_vec(),
        ),
        ("an empty form", FORM, Vec::new()),
        (
            "an unknown action",
            FORM,
            b"action=nope&password=x".to_vec(),
        ),
        ("submit without password", FORM, b"action=submit".to_vec()),
        (
            "invalid percent-encoding",
            FORM,
            b"action=%ZZ&password=%".to_vec(),
        ),
        (
            "invalid UTF-8",
            FORM,
            b"action=submit&password=\xff\xfe".to_vec(),
        ),
        (
            "percent-encoded invalid UTF-8",
            FORM,
            b"action=%FF&password=%FE".to_vec(),
        ),
        ("a 100 KB form", FORM, huge_form.into_bytes()),
        (
            "a valid submit, too late",
            FORM,
            b"action=submit&password=x".to_vec(),
        ),
        ("a valid cancel, too late", FORM, b"action=cancel".to_vec()),
    ] {
        cases.push(post(&known_page, input).body(content_type, body));
    }
    cases
}

fn sim_cases(known: &Known) -> Vec<Case> {
    let ep = &known.endpoint_id;
    let misbehave = format!("/sim/sales/{ep}/{UNKNOWN_INVOICE}/misbehave");
    // A misbehaviour may be set before the sale exists, so an unknown invoice takes a valid body: use only
    // invalid ones. `callback` is the field that no swap (number, string) can make valid.
    let mut cases: Vec<Case> = json_inputs(&json!({"callback": "wrong-control"}), true)
        .into_iter()
        .map(|input| Case::json(&misbehave, Cause::Status, input))
        .collect();
    let get = |path: String, input: &str| Case::new(Method::GET, path, Cause::Status, input);
    let post = |path: &str, input: &str| Case::new(Method::POST, path, Cause::Status, input);
    cases.extend([
        get(
            format!("/sim/sales/{ep}/{UNKNOWN_INVOICE}"),
            "an unknown invoice",
        )
        .expect(404),
        get(
            format!("/sim/sales/9999/{}", known.invoice_id),
            "an unknown endpoint",
        )
        .expect(400),
        get(
            format!("/sim/sales/{ep}/%FF%FE"),
            "invalid UTF-8 in the invoice id",
        ),
        get(
            format!("/sim/sales/{ep}/{}", "i".repeat(10 * 1024)),
            "a 10 KB invoice id",
        ),
        post(&misbehave, "an unknown field")
            .body(JSON, r#"{"sometimes":true}"#)
            .expect(400),
        post(&misbehave, "an unknown callback misbehaviour")
            .body(JSON, r#"{"callback":"nope"}"#)
            .expect(400),
        post(&misbehave, "a negative latency")
            .body(JSON, r#"{"latencyMs":-1}"#)
            .expect(400),
        post(&misbehave, "a huge latency")
            .body(JSON, r#"{"latencyMs":99999999999999999999999}"#)
            .expect(400),
        post(
            &format!("/sim/sales/9999/{UNKNOWN_INVOICE}/misbehave"),
            "an unknown endpoint",
        )
        .body(JSON, "{}")
        .expect(400),
    ]);
    cases
}

/// Perform validation and verification status (addendum §2.3, §2.5): perform sale's and sale status's classes
/// of bad input, a reference instead of the card, and the sale's invoice and token on the verification paths.
fn verification_cases(known: &Known) -> Vec<Case> {
    let ep = &known.endpoint_id;
    let unknown = format!("{DAPI}/verification/{ep}/{UNKNOWN_INVOICE}");
    let sale_as_verification = format!("{DAPI}/verification/{ep}/{}", known.invoice_id);
    let perform = known.perform(&known.signature);
    let sample = json!({"consumer": {"device": perform["consumer"]["device"], "email": "jane@example.com"},
        "session": perform["session"], "sourceCard": perform["sourceOfFunds"]["card"],
        "transaction": {"currency": "EUR"}});
    let status = json!({"session": {"accessToken": known.access_token, "token": known.token}});
    let mut cases: Vec<Case> = json_inputs(&sample, true)
        .into_iter()
        .map(|input| Case::json(&unknown, Cause::Perform, input))
        .collect();
    cases.extend(
        json_inputs(&status, true)
            .into_iter()
            .map(|input| Case::json(&format!("{unknown}/status"), Cause::Status, input)),
    );
    let body = |value: &serde_json::Value| serde_json::to_vec(value).unwrap();
    let mut reference = sample.clone();
    reference["sourceOfFunds"] =
        json!({"reference": {"clientCardId": "cc_1", "securityCode": "123"}});
    cases.extend([
        Case::new(
            Method::POST,
            &unknown,
            Cause::Perform,
            "a reference besides the card",
        )
        .body(JSON, body(&reference))
        .expect(400),
        Case::new(
            Method::POST,
            &sale_as_verification,
            Cause::Perform,
            "a sale's invoice",
        )
        .body(JSON, body(&sample))
        .expect(400),
        Case::new(
            Method::POST,
            format!("{sale_as_verification}/status"),
            Cause::Status,
            "a sale's session token",
        )
        .body(JSON, body(&status))
        .expect(400),
    ]);
    cases
}

fn path_and_method_cases(known: &Known) -> Vec<Case> {
    let perform = format!("{DAPI}/sale/{}/{}", known.endpoint_id, known.invoice_id);
    let case = |method: Method, path: String, input: &str, status: u16| {
        Case::new(method, path, Cause::Perform, input).expect(status)
    };
    vec![
        case(Method::GET, "/nope".into(), "an unknown path", 404),
        case(
            Method::POST,
            format!("{DAPI}/nope"),
            "an unknown DAPI path",
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
            format!("/nope?{}", "q=%FF&".repeat(1000)),
            "an unknown path with a bad query",
            404,
        ),
        case(Method::GET, perform.clone(), "GET on perform sale", 405),
        case(Method::PUT, perform.clone(), "PUT on perform sale", 405),
        case(
            Method::DELETE,
            format!("{perform}/status"),
            "DELETE on sale status",
            405,
        ),
        case(
            Method::PATCH,
            "/sim/3ds/x".into(),
            "PATCH on the 3-D Secure page",
            405,
        ),
        case(Method::POST, "/health".into(), "POST on /health", 405),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_gateway_route_answers_bad_input_with_a_4xx_and_the_error_body() {
    let sandbox = Sandbox::start().await.unwrap();
    let known = Known::sale(&sandbox).await;
    let groups = vec![
        perform_cases(&known),
        status_cases(&known),
        verification_cases(&known),
        three_ds_cases(&known),
        sim_cases(&known),
        path_and_method_cases(&known),
    ];
    let url = sandbox.gateway_url.clone();
    assert_every_case_answered(sandbox, &url, "gateway", groups).await;
}
