//! Every bad-input class of perform sale, sale status and the 3-D Secure pages gets the documented error body.

use super::support::*;
use crate::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

fn assert_error(
    status: StatusCode,
    body: &Value,
    want_status: StatusCode,
    cause: &str,
    message: &str,
) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"]["cause"], cause, "{body}");
    let text = body["error"]["message"].as_str().unwrap();
    assert!(
        text.contains(message),
        "{text:?} should contain {message:?}"
    );
    assert!(body["error"]["code"].is_string(), "{body}");
}

async fn perform_error(
    state: &AppState,
    invoice: &str,
    request: Request<Body>,
) -> (StatusCode, Value) {
    let (status, body) = send(state, request).await;
    assert_eq!(body["invoiceId"], invoice, "{body}");
    (status, body)
}

#[tokio::test]
async fn malformed_perform_requests_are_invalid_requests() {
    let (_listener, party) = silent_url().await;
    let state = gateway(&party, |_| {});
    let uri = sale_uri(ENDPOINT, "INV-1");
    let good = card_perform(&Terms::local("INV-1"), "123");
    let mut missing = good.clone();
    missing["session"].as_object_mut().unwrap().remove("nonce");
    let mut both = good.clone();
    both["sourceOfFunds"]["reference"] = json!({"clientCardId":"cc-1","securityCode":"123"});
    let mut numeric = good.clone();
    numeric["sourceOfFunds"]["card"]["number"] = json!(4_111_111_111_111_111_u64);
    numeric["sourceOfFunds"]["card"]["securityCode"] = json!(8642);
    let mut luhn = good.clone();
    luhn["sourceOfFunds"]["card"]["number"] = json!("4111111111111112");
    let cases = [
        (
            post_raw(&uri, "application/json", "{\"consumer\":"),
            "malformed JSON",
        ),
        (
            post_raw(&uri, "text/plain", good.to_string()),
            "Content-Type: application/json",
        ),
        (post_json(&uri, &missing), "session.nonce is required"),
        (
            post_json(&uri, &both),
            "sourceOfFunds must have exactly one of card, reference",
        ),
        (
            post_json(&uri, &luhn),
            "sourceOfFunds.card.number must pass the Luhn check",
        ),
    ];
    for (request, message) in cases {
        let (status, body) = perform_error(&state, "INV-1", request).await;
        assert_error(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            message,
        );
    }
    let huge = post_raw(
        &uri,
        "application/json",
        format!("{{\"x\":\"{}\"}}", "a".repeat(100_000)),
    );
    let (status, body) = perform_error(&state, "INV-1", huge).await;
    assert_error(
        status,
        &body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "INVALID_REQUEST",
        "at most",
    );
}

#[tokio::test]
async fn configuration_and_signature_failures_get_their_causes() {
    let (_listener, party) = silent_url().await;
    let state = gateway(&party, |config| {
        config.endpoints[0].currencies = vec!["EUR".into()]
    });
    let mut usd = card_perform(&Terms::local("INV-2"), "123");
    usd["transaction"]["currency"] = json!("USD");
    usd["session"]["signature"] = json!(signature(ENDPOINT, "INV-2", 1050, "USD"));
    let (configuration, request) = ("INVALID_CONFIGURATION", "INVALID_REQUEST");
    let cases = [
        (
            "INV-2",
            post_json(
                &sale_uri("999", "INV-2"),
                &card_perform(&Terms::local("INV-2"), "123"),
            ),
            configuration,
            "unknown endpoint 999",
        ),
        // The path is checked before the body.
        (
            "INV-2",
            post_raw(&sale_uri("999", "INV-2"), "application/json", "{}"),
            configuration,
            "unknown endpoint 999",
        ),
        (
            "INV-2",
            post_raw(
                &format!("{}/status", sale_uri("999", "INV-2")),
                "application/json",
                "{}",
            ),
            configuration,
            "unknown endpoint 999",
        ),
        (
            "INV-2",
            post_json(&sale_uri(ENDPOINT, "INV-2"), &usd),
            configuration,
            "currency USD not allowed",
        ),
        // Signed for another invoice: the gateway signs with the path's ids.
        (
            "INV-3",
            post_json(
                &sale_uri(ENDPOINT, "INV-3"),
                &card_perform(&Terms::local("INV-2"), "123"),
            ),
            request,
            "signature mismatch",
        ),
    ];
    for (invoice, request, cause, message) in cases {
        let (status, body) = perform_error(&state, invoice, request).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, cause, message);
    }
}

#[tokio::test]
async fn signature_checking_can_be_switched_off() {
    let (_listener, party) = silent_url().await;
    let state = gateway(&party, |config| config.verify_signature = false);
    let mut body = card_perform(&Terms::local("INV-4"), "123");
    body["session"]["signature"] = json!("0".repeat(40));
    perform(&state, "INV-4", &body).await;
}

#[tokio::test]
async fn a_second_perform_for_the_same_invoice_is_refused_even_when_concurrent() {
    let (_listener, party) = silent_url().await;
    let state = gateway(&party, |_| {});
    let body = card_perform(&Terms::local("INV-5"), "123");
    let uri = sale_uri(ENDPOINT, "INV-5");
    let (first, second) = tokio::join!(
        send(&state, post_json(&uri, &body)),
        send(&state, post_json(&uri, &body))
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::BAD_REQUEST]);
    let refused = if first.0 == StatusCode::OK {
        second.1
    } else {
        first.1
    };
    assert_error(
        StatusCode::BAD_REQUEST,
        &refused,
        StatusCode::BAD_REQUEST,
        "INVALID_REQUEST",
        "invoice already processed",
    );
    let (status, again) = send(&state, post_json(&uri, &body)).await;
    assert_error(
        status,
        &again,
        StatusCode::BAD_REQUEST,
        "INVALID_REQUEST",
        "invoice already processed",
    );
}

#[tokio::test]
async fn a_fresh_sale_is_processing_and_foreign_polls_are_refused() {
    let (_listener, party) = silent_url().await;
    let state = gateway(&party, |_| {});
    let token = perform_card(&state, &Terms::local("INV-6"), "123").await;
    let answer = status(&state, &Terms::local("INV-6"), &token).await;
    assert_eq!(answer["state"], "PROCESSING");
    assert_eq!(answer["session"]["token"], token.as_str());
    assert!(answer.get("bankOrderId").is_none() && answer.get("redirectUrl").is_none());

    let other = perform_card(&state, &Terms::local("INV-7"), "123").await;
    let poll = |endpoint: &str, invoice: &str, access: &str, token: &str| {
        let body = json!({"session":{"accessToken":access,"token":token}});
        post_json(&format!("{}/status", sale_uri(endpoint, invoice)), &body)
    };
    let wrong_access = "b".repeat(32);
    let cases = [
        (
            poll(ENDPOINT, "INV-404", ACCESS_TOKEN, &token),
            "ORDER_NOT_FOUND",
            "order not found",
        ),
        (
            poll("999", "INV-6", ACCESS_TOKEN, &token),
            "INVALID_CONFIGURATION",
            "unknown endpoint",
        ),
        (
            poll(ENDPOINT, "INV-6", ACCESS_TOKEN, &other),
            "INVALID_REQUEST",
            "session.token",
        ),
        (
            poll(ENDPOINT, "INV-6", &wrong_access, &token),
            "INVALID_REQUEST",
            "session.accessToken",
        ),
        (
            poll(ENDPOINT, "INV-6", "short", &token),
            "INVALID_REQUEST",
            "session.accessToken must be",
        ),
    ];
    for (request, cause, message) in cases {
        let (code, body) = send(&state, request).await;
        assert_error(code, &body, StatusCode::BAD_REQUEST, cause, message);
    }
    let malformed = post_raw(
        &format!("{}/status", sale_uri(ENDPOINT, "INV-6")),
        "application/json",
        "[",
    );
    let (code, body) = send(&state, malformed).await;
    assert_error(
        code,
        &body,
        StatusCode::BAD_REQUEST,
        "INVALID_REQUEST",
        "malformed JSON",
    );
    assert_eq!(body["invoiceId"], "INV-6");
}

#[tokio::test]
async fn three_ds_pages_refuse_unknown_tokens_bad_forms_and_sales_not_waiting() {
    let (_listener, party) = silent_url().await;
    let state = gateway(&party, |_| {});
    let token = perform_card(&state, &Terms::local("INV-8"), "321").await;
    let page = |token: &str| format!("/sim/3ds/{token}");
    let form = "application/x-www-form-urlencoded";
    let unknown = "00000000-0000-4000-8000-000000000000";
    let cases = [
        (
            Request::get(page(unknown)).body(Body::empty()).unwrap(),
            StatusCode::NOT_FOUND,
            "ORDER_NOT_FOUND",
        ),
        (
            post_raw(&page(unknown), form, "action=submit&password=hint"),
            StatusCode::NOT_FOUND,
            "ORDER_NOT_FOUND",
        ),
        (
            Request::get(format!("{}/done", page(unknown)))
                .body(Body::empty())
                .unwrap(),
            StatusCode::NOT_FOUND,
            "ORDER_NOT_FOUND",
        ),
        (
            post_raw(&page(&token), form, "action=dance"),
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
        ),
        (
            post_raw(&page(&token), form, "action=submit"),
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
        ),
        (
            post_raw(&page(&token), "application/json", "{}"),
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
        ),
        // Still in check sale, not REDIRECT_REQUEST: the page is refused and the sale untouched.
        (
            Request::get(page(&token)).body(Body::empty()).unwrap(),
            StatusCode::CONFLICT,
            "INVALID_REQUEST",
        ),
        (
            post_raw(&page(&token), form, "action=submit&password=hint"),
            StatusCode::CONFLICT,
            "INVALID_REQUEST",
        ),
    ];
    for (request, want, cause) in cases {
        let (code, body) = send(&state, request).await;
        assert_eq!(
            (code, &body["error"]["cause"]),
            (want, &json!(cause)),
            "{body}"
        );
    }
    assert_eq!(
        status(&state, &Terms::local("INV-8"), &token).await["state"],
        "PROCESSING"
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_get_json_bodies() {
    let state = gateway("http://127.0.0.1:9", |_| {});
    let (code, body) = send(&state, Request::get("/nope").body(Body::empty()).unwrap()).await;
    assert_eq!(
        (code, &body["error"]["cause"]),
        (StatusCode::NOT_FOUND, &json!("INVALID_REQUEST"))
    );
    let (code, body) = send(
        &state,
        Request::get(sale_uri(ENDPOINT, "INV-9"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    let (code, _) = send(&state, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(code, StatusCode::OK);
}

#[tokio::test]
async fn the_dapi_prefix_is_configurable() {
    let (_listener, party) = silent_url().await;
    let state = gateway(&party, |config| {
        config.dapi_prefix = "/checkout/dapi/v1".into()
    });
    let body = card_perform(&Terms::local("INV-10"), "123");
    let (code, answer) = send(
        &state,
        post_json("/checkout/dapi/v1/sale/1234/INV-10", &body),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    let (code, _) = send(&state, post_json(&sale_uri(ENDPOINT, "INV-11"), &body)).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}
