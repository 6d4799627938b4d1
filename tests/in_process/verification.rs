//! Card verifications on the embedded servers over real HTTP (addendum §2): two perform validations of one
//! verification at once, bad input at both servers answered with the documented error body, a session token
//! never working across flows, and the client's verdicts on inline scenarios.

use dapi::messages::initiate::{AccessTokenResponse, InitiateSaleResponse};
use dapi::{ErrorBody, PartyCause, PerformSaleCause, StatusCause};
use e2e::Sandbox;
use serde_json::{Value, json};
use std::path::Path;

async fn post(client: &reqwest::Client, url: String, body: &Value) -> (u16, Value) {
    let response = client
        .post(url)
        .json(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

/// A consumer's access token and a verification (or a sale) initiated with it at the party.
struct Initiated {
    access_token: String,
    answer: InitiateSaleResponse,
}

async fn initiate(sandbox: &Sandbox, client: &reqwest::Client, path: &str) -> Initiated {
    let consumer = json!({"device": {"serialNumber": "SN-VERIFY-1"}, "email": "jane@example.com"});
    let url = format!("{}/auth/request-access-token", sandbox.party_url);
    let (_, token) = post(client, url, &json!({ "consumer": consumer })).await;
    let token: AccessTokenResponse = serde_json::from_value(token).unwrap();
    let access_token = token.session.access_token.to_string();
    let body = json!({"consumer": {"device": {"serialNumber": "SN-VERIFY-1"}},
        "session": {"accessToken": access_token},
        "transaction": {"amountCentis": 1050, "currency": "EUR"}});
    let (status, answer) = post(client, format!("{}{path}", sandbox.party_url), &body).await;
    assert_eq!(status, 200, "{answer}");
    Initiated {
        access_token,
        answer: serde_json::from_value(answer).unwrap(),
    }
}

fn validation(initiated: &Initiated) -> Value {
    json!({"consumer": {"device": {"serialNumber": "SN-VERIFY-1"}, "email": "jane@example.com"},
        "session": {"accessToken": initiated.access_token, "nonce": initiated.answer.session.nonce,
            "signature": initiated.answer.session.signature},
        "sourceCard": {"number": "4111111111111111", "securityCode": "123", "expiry": {"month": 12, "year": 2030},
            "holder": {"printedName": "JANE DOE"}},
        "transaction": {"currency": "EUR"}})
}

fn gateway_url(sandbox: &Sandbox, flow: &str, initiated: &Initiated) -> String {
    let (endpoint, invoice) = (&initiated.answer.endpoint_id, &initiated.answer.invoice_id);
    format!(
        "{}/paynet/dapi/v1/{flow}/{endpoint}/{invoice}",
        sandbox.gateway_url
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_perform_validations_of_one_verification_get_exactly_one_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = reqwest::Client::new();
    let initiated = initiate(&sandbox, &client, "/verification/initiate-verification").await;
    let url = gateway_url(&sandbox, "verification", &initiated);
    let body = validation(&initiated);
    let (first, second) =
        tokio::join!(post(&client, url.clone(), &body), post(&client, url, &body));
    let mut statuses = [first.0, second.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 400], "{first:?} {second:?}");
    let refused = if first.0 == 400 { first.1 } else { second.1 };
    let refused: ErrorBody<PerformSaleCause> = serde_json::from_value(refused).unwrap();
    assert_eq!(
        (refused.error.cause, refused.error.code.as_str()),
        (PerformSaleCause::InvalidRequest, "DAPI-400-DUPLICATE")
    );
    assert_eq!(
        refused.invoice_id.as_ref(),
        Some(&initiated.answer.invoice_id)
    );
    drop(client);
    sandbox.servers.stop().await;
}

#[tokio::test]
async fn bad_verification_input_gets_the_documented_error_body_from_both_servers() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = reqwest::Client::new();
    let initiated = initiate(&sandbox, &client, "/verification/initiate-verification").await;
    let url = gateway_url(&sandbox, "verification", &initiated);
    let mut no_card = validation(&initiated);
    no_card.as_object_mut().unwrap().remove("sourceCard");
    let mut reference = validation(&initiated);
    reference["sourceOfFunds"] =
        json!({"reference": {"clientCardId": "cc_1", "securityCode": "123"}});
    for body in [
        no_card,
        reference,
        json!([]),
        json!({"consumer": 4111111111111111_u64}),
    ] {
        let (status, answer) = post(&client, url.clone(), &body).await;
        assert_eq!(status, 400, "{answer}");
        let answer: ErrorBody<PerformSaleCause> = serde_json::from_value(answer).unwrap();
        assert_eq!(answer.error.cause, PerformSaleCause::InvalidRequest);
        assert!(
            !answer.error.message.contains("4111111111111111"),
            "{}",
            answer.error.message
        );
    }
    let not_json = client
        .post(&url)
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status().as_u16(), 400);
    let body: ErrorBody<PerformSaleCause> = not_json.json().await.unwrap();
    assert_eq!(body.error.cause, PerformSaleCause::InvalidRequest);

    let (status, answer) = post(&client, format!("{url}/status"), &json!({"session": {}})).await;
    assert_eq!(status, 400, "{answer}");
    let answer: ErrorBody<StatusCause> = serde_json::from_value(answer).unwrap();
    assert_eq!(answer.error.cause, StatusCause::InvalidRequest);

    let initiate_url = format!("{}/verification/initiate-verification", sandbox.party_url);
    let (status, answer) = post(
        &client,
        initiate_url,
        &json!({"transaction": {"currency": "usd"}}),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    let answer: ErrorBody<PartyCause> = serde_json::from_value(answer).unwrap();
    assert_eq!(answer.error.cause, PartyCause::InvalidRequest);
    let check_url = format!(
        "{}/verification/{}/check",
        sandbox.party_url, initiated.answer.invoice_id
    );
    let (status, answer) = post(&client, check_url, &json!({"session": "x"})).await;
    assert_eq!(status, 400, "{answer}");
    drop(client);
    sandbox.servers.stop().await;
}

#[tokio::test]
async fn a_verifications_token_never_works_on_the_sale_path_nor_a_sales_on_the_verification_path() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = reqwest::Client::new();
    let verification = initiate(&sandbox, &client, "/verification/initiate-verification").await;
    let verification_url = gateway_url(&sandbox, "verification", &verification);
    let (status, performed) = post(
        &client,
        verification_url.clone(),
        &validation(&verification),
    )
    .await;
    assert_eq!(status, 200, "{performed}");
    let verification_token = performed["session"]["token"].clone();
    let sale = initiate(&sandbox, &client, "/sale/initiate-sale").await;
    let sale_url = gateway_url(&sandbox, "sale", &sale);
    let perform = json!({"consumer": {"device": {"serialNumber": "SN-VERIFY-1"}},
        "session": {"accessToken": sale.access_token, "nonce": sale.answer.session.nonce,
            "signature": sale.answer.session.signature},
        "sourceOfFunds": {"card": {"number": "4111111111111111", "securityCode": "123",
            "expiry": {"month": 12, "year": 2030}, "holder": {"printedName": "JANE DOE"}}},
        "transaction": {"amountCentis": 1050, "currency": "EUR"}});
    let (status, performed) = post(&client, sale_url.clone(), &perform).await;
    assert_eq!(status, 200, "{performed}");
    let sale_token = performed["session"]["token"].clone();

    let as_sale = sale_url.replace(
        sale.answer.invoice_id.as_str(),
        verification.answer.invoice_id.as_str(),
    );
    let poll = |access_token: &str, token: &Value| json!({"session": {"accessToken": access_token, "token": token}});
    let crossings = [
        (
            format!("{as_sale}/status"),
            poll(&verification.access_token, &verification_token),
            "DAPI-400-FLOW",
        ),
        (
            format!("{verification_url}/status"),
            poll(&verification.access_token, &sale_token),
            "DAPI-400-TOKEN",
        ),
    ];
    for (url, body, code) in crossings {
        let (status, answer) = post(&client, url, &body).await;
        assert_eq!(status, 400, "{answer}");
        let answer: ErrorBody<StatusCause> = serde_json::from_value(answer).unwrap();
        assert_eq!(
            (answer.error.cause, answer.error.code.as_str()),
            (StatusCause::InvalidRequest, code)
        );
    }
    let as_verification = verification_url.replace(
        verification.answer.invoice_id.as_str(),
        sale.answer.invoice_id.as_str(),
    );
    let (status, answer) = post(
        &client,
        format!("{as_verification}/status"),
        &poll(&sale.access_token, &sale_token),
    )
    .await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (400, &json!("DAPI-400-FLOW")),
        "{answer}"
    );
    let (status, answer) = post(
        &client,
        format!("{verification_url}/status"),
        &poll(&verification.access_token, &verification_token),
    )
    .await;
    assert_eq!(
        status, 200,
        "the verification's own path still works: {answer}"
    );
    drop(client);
    sandbox.servers.stop().await;
}

fn inline(text: &str) -> scenario::Scenario {
    scenario::parse(text, Path::new("inline.toml")).unwrap()
}

const DECLINED_EXPECTED_APPROVED: &str = r#"
timeout_ms = 2000
[consumer]
serial_number = "SN-VERIFY-2"
email = "jane@example.com"
[[verification]]
currency = "EUR"
card = { number = "4111111111111111", security_code = "209", expiry_month = 12, expiry_year = 2030 }
expect = { state = "APPROVED", card_mapping = true }
"#;

#[tokio::test]
async fn a_declined_verification_is_never_reported_as_approved() {
    let sandbox = Sandbox::start().await.unwrap();
    let report = mobile::run(&inline(DECLINED_EXPECTED_APPROVED), &sandbox.targets).await;
    assert!(!report.passed());
    let failures = report.failures.join("\n");
    assert!(
        failures.contains("verification 1: state: expected APPROVED, got DECLINED"),
        "{failures}"
    );
    assert!(
        failures.contains("card mapping: expected one"),
        "{failures}"
    );
    assert_eq!(report.sales[0].flow, dapi::Flow::Verification);
    assert_eq!(report.sales[0].error_code, Some(209));
    sandbox.servers.stop().await;
}

#[tokio::test]
async fn without_three_ds_on_the_endpoint_cvv_321_verifies_without_a_page() {
    let text = DECLINED_EXPECTED_APPROVED
        .replace("\"209\"", "\"321\"")
        .replace("card_mapping = true", "card_mapping = true, redirect = false, secure_3d = \"ABSENT\", callback = \"approved\"");
    let sandbox = Sandbox::start_with(|mut config| {
        config.endpoints[0].three_ds = false;
        config
    })
    .await
    .unwrap();
    let report = mobile::run(&inline(&text), &sandbox.targets).await;
    assert!(report.passed(), "{:?}", report.failures);
    assert!(
        report.sales[0].client_card_id.is_some(),
        "the card was mapped"
    );
    sandbox.servers.stop().await;
}
