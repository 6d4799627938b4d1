//! A card verification's bad input (addendum §2.3, V19, V16): the documented error bodies of perform validation,
//! the duplicate perform (of either flow) for one invoice, and a verification's session token refused on a sale
//! path and the reverse.

use super::support::*;
use super::verification::{
    perform_validation, start, validation, validation_uri, verification_status,
};
use axum::http::StatusCode;
use dapi::signature::{SaleSigned, VerificationSigned, sign};
use serde_json::{Value, json};

#[tokio::test]
async fn bad_perform_validations_get_the_documented_error_body() {
    let (party, state) = start().await;
    let verification = party.verification().await;
    let uri = validation_uri(&verification.invoice);
    let refused = |body: Value| {
        let state = state.clone();
        let uri = uri.clone();
        async move { send(&state, post_json(&uri, &body)).await }
    };
    let mut reference = validation(&verification, "123");
    reference["sourceOfFunds"] = json!({"reference":{"clientCardId":"cc_1","securityCode":"123"}});
    let mut no_email = validation(&verification, "123");
    no_email["consumer"]
        .as_object_mut()
        .unwrap()
        .remove("email");
    let mut bad_signature = validation(&verification, "123");
    bad_signature["session"]["signature"] = json!("0".repeat(40));
    let mut bad_luhn = validation(&verification, "123");
    bad_luhn["sourceCard"]["number"] = json!("4111111111111112");
    for (body, code, mentioned) in [
        (reference, "DAPI-400-INVALID", "sourceOfFunds"),
        (no_email, "DAPI-400-INVALID", "consumer.email"),
        (bad_signature, "DAPI-400-SIGNATURE", "signature"),
        (bad_luhn, "DAPI-400-INVALID", "sourceCard.number"),
    ] {
        let (status, answer) = refused(body).await;
        assert_eq!(
            (status, &answer["error"]["code"]),
            (StatusCode::BAD_REQUEST, &json!(code)),
            "{answer}"
        );
        assert_eq!(answer["error"]["cause"], "INVALID_REQUEST");
        assert_eq!(answer["invoiceId"], verification.invoice.as_str());
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(mentioned) && !message.contains("4111111111111112"),
            "{message}"
        );
    }
    let signed = VerificationSigned {
        access_token: &verification.access_token,
        serial_number: SERIAL,
        endpoint_id: ENDPOINT,
        nonce: &verification.nonce,
        invoice_id: &verification.invoice,
        currency: "USD",
    };
    assert_eq!(
        sign(&key(), &signed.string_to_sign()).to_string(),
        verification.signature
    );
    let mut wrong_endpoint = validation(&verification, "123");
    wrong_endpoint["transaction"]["currency"] = json!("EUR");
    let (status, answer) = refused(wrong_endpoint).await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (StatusCode::BAD_REQUEST, &json!("DAPI-400-SIGNATURE"))
    );
    let unknown = format!("/paynet/dapi/v1/verification/9999/{}", verification.invoice);
    let (status, answer) = send(
        &state,
        post_json(&unknown, &validation(&verification, "123")),
    )
    .await;
    assert_eq!(
        (status, &answer["error"]["cause"]),
        (StatusCode::BAD_REQUEST, &json!("INVALID_CONFIGURATION"))
    );

    let token = perform_validation(&state, &verification, &validation(&verification, "123")).await;
    let (status, answer) = refused(validation(&verification, "123")).await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (StatusCode::BAD_REQUEST, &json!("DAPI-400-DUPLICATE"))
    );
    let sale_signed = SaleSigned {
        access_token: &verification.access_token,
        serial_number: SERIAL,
        endpoint_id: ENDPOINT,
        nonce: &verification.nonce,
        invoice_id: &verification.invoice,
        amount_centis: 1050,
        currency: "EUR",
    };
    let as_sale = card_perform(
        &Terms {
            signature: sign(&key(), &sale_signed.string_to_sign()).to_string(),
            ..verification.clone()
        },
        "123",
    );
    let (status, answer) = send(
        &state,
        post_json(&sale_uri(ENDPOINT, &verification.invoice), &as_sale),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_ne!(
        answer["error"]["code"], "DAPI-200",
        "one invoice namespace (V16)"
    );

    let body = json!({"session":{"accessToken":verification.access_token,"token":token}});
    let uri = format!("{}/status", sale_uri(ENDPOINT, &verification.invoice));
    let (status, answer) = send(&state, post_json(&uri, &body)).await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (StatusCode::BAD_REQUEST, &json!("DAPI-400-FLOW")),
        "{answer}"
    );
    assert_eq!(answer["error"]["cause"], "INVALID_REQUEST");
}

#[tokio::test]
async fn a_sale_token_never_works_on_the_verification_path() {
    let (party, state) = start().await;
    let sale = party.sale().await;
    let token = perform_card(&state, &sale, "123").await;
    let (status, answer) = verification_status(&state, &sale, &token).await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (StatusCode::BAD_REQUEST, &json!("DAPI-400-FLOW")),
        "{answer}"
    );
    let (status, answer) = verification_status(&state, &Terms::local("VER-none"), &token).await;
    assert_eq!(
        (status, &answer["error"]["cause"]),
        (StatusCode::BAD_REQUEST, &json!("ORDER_NOT_FOUND"))
    );
    let not_json = post_raw(&validation_uri(&sale.invoice), "text/plain", "x");
    let (status, answer) = send(&state, not_json).await;
    assert_eq!(
        (status, &answer["error"]["cause"]),
        (StatusCode::BAD_REQUEST, &json!("INVALID_REQUEST"))
    );
}
