//! The card verification at the reference Connecting Party server (addendum §2): initiate verification signed
//! without an amount, check verification confirmed like check sale, the verification card mapping notification
//! with its top-level `reference`, the client card id and the callback of a verification, a repeat sale by the
//! card it mapped — and every use of one flow's invoice or token on the other flow's path refused (V16).

use crate::support::*;
use axum::http::StatusCode;
use dapi::messages::callback::{Callback, CallbackFields};
use dapi::messages::check::{CardMappingResponse, CheckSaleResponse};
use dapi::messages::initiate::{ClientCardIdResponse, InitiateSaleResponse};
use dapi::messages::verification::check::CheckVerificationResponse;
use dapi::signature::{CheckSaleSigned, NotificationSigned, VerificationSigned, sign};
use dapi::{AccessToken, CallbackStatus, Flow, InvoiceId};
use sandbox_api::PartySaleRecord;
use sandbox_api::paths::{party_misbehave_path_of, party_record_path, party_record_path_of};
use serde_json::{Value, json};

/// A token for [`SERIAL`] with [`EMAIL`], and a verification in USD initiated with it.
pub(crate) async fn verification(party: &Sandbox) -> (AccessToken, InitiateSaleResponse) {
    let token = party.token(SERIAL, Some(EMAIL)).await;
    let body = json!({"consumer":{"device":{"serialNumber":SERIAL}},"session":{"accessToken":token},
        "transaction":{"currency":"USD","amountCentis":999}});
    let initiated = party
        .post("/verification/initiate-verification", &body)
        .await
        .ok();
    (token, initiated)
}

pub(crate) fn check_verification_body(
    token: &AccessToken,
    initiated: &InitiateSaleResponse,
) -> Value {
    let mut body = check_body(initiated, token, SERIAL, None);
    body.as_object_mut().unwrap().remove("sourceOfFunds");
    body
}

pub(crate) fn check_verification_uri(invoice_id: &InvoiceId) -> String {
    format!("/verification/{invoice_id}/check")
}

pub(crate) fn verification_notification(token: &AccessToken, gateway_token: &str) -> Value {
    json!({"consumer":{"device":{"serialNumber":SERIAL}},
        "reference":{"serverCardId":"9876544","uniqueReferenceCardId":1_999_300_904_542_682_277_u64},
        "session":{"accessToken":token,"token":gateway_token},"sourceCard":{"bin":411111}})
}

fn verification_callback(
    party: &Sandbox,
    invoice_id: &InvoiceId,
    edit: impl FnOnce(&mut CallbackFields),
) -> String {
    let mut fields = CallbackFields {
        kind: Flow::Verification.callback_type().to_owned(),
        amount_centis: 0,
        currency: "USD".into(),
        ..callback_fields(invoice_id, CallbackStatus::Approved)
    };
    edit(&mut fields);
    callback_uri(&Callback::sign(fields, &party.key))
}

#[tokio::test]
async fn a_verification_is_signed_checked_mapped_called_back_and_its_card_pays_a_sale() {
    let party = Sandbox::new();
    let (token, initiated) = verification(&party).await;
    let invoice_id = &initiated.invoice_id;
    assert!(invoice_id.as_str().starts_with("VER-"), "{invoice_id}");
    let signed = VerificationSigned {
        access_token: token.as_str(),
        serial_number: SERIAL,
        endpoint_id: "1234",
        nonce: initiated.session.nonce.as_str(),
        invoice_id: invoice_id.as_str(),
        currency: "USD",
    };
    let expected = sign(&party.key, &signed.string_to_sign()).to_string();
    assert_eq!(
        initiated.session.signature.as_str(),
        expected,
        "no amount is signed"
    );

    let body = check_verification_body(&token, &initiated);
    let checked: CheckVerificationResponse = party
        .post(&check_verification_uri(invoice_id), &body)
        .await
        .ok();
    let signed = CheckSaleSigned {
        serial_number: SERIAL,
        nonce: initiated.session.nonce.as_str(),
        endpoint_id: "1234",
        invoice_id: invoice_id.as_str(),
        server_card_id: None,
    };
    let expected = sign(&party.key, &signed.string_to_sign()).to_string();
    assert_eq!(checked.session.check_signature.as_str(), expected);
    assert_eq!(checked.session.token.as_str(), GATEWAY_TOKEN);
    assert_eq!(checked.currency(), Some("USD"));
    assert_eq!(checked.email().map(|email| email.as_str()), Some(EMAIL));

    let notified = verification_notification(&token, GATEWAY_TOKEN);
    let mapped: CardMappingResponse = party
        .post("/verification/notification", &notified)
        .await
        .ok();
    let signed = NotificationSigned {
        nonce: initiated.session.nonce.as_str(),
        endpoint_id: "1234",
        invoice_id: invoice_id.as_str(),
    };
    assert_eq!(
        mapped.session.check_signature.as_str(),
        sign(&party.key, &signed.string_to_sign()).to_string()
    );
    assert_eq!(&mapped.invoice_id, invoice_id);

    party
        .get(&verification_callback(&party, invoice_id, |_| {}))
        .await
        .assert_ok();
    let record: PartySaleRecord = party
        .get(&party_record_path_of(Flow::Verification, invoice_id))
        .await
        .ok();
    let mapping = record.card_mapping.clone().unwrap();
    assert_eq!(
        (mapping.server_card_id.as_str(), mapping.bin),
        ("9876544", Some(411111))
    );
    assert_eq!(
        record.callback.map(|callback| callback.status),
        Some(CallbackStatus::Approved)
    );
    assert_eq!((record.checks, record.violations), (1, Vec::new()));
    let as_sale = party.get(&party_record_path(invoice_id)).await;
    as_sale.refused(StatusCode::NOT_FOUND, "DAPI-404-INVOICE");

    let session = json!({"session":{"accessToken":token}});
    let card: ClientCardIdResponse = party
        .post(
            &format!("/verification/{invoice_id}/client-card-id"),
            &session,
        )
        .await
        .ok();
    assert_eq!(card.client_card_id, mapping.client_card_id);
    let on_sale_path = party
        .post(&format!("/sale/{invoice_id}/client-card-id"), &session)
        .await;
    on_sale_path.refused(StatusCode::NOT_FOUND, "DAPI-404-INVOICE");

    let repeat = party.initiate(&token, SERIAL).await;
    let reply = party
        .check_card(&token, &repeat, card.client_card_id.as_str())
        .await;
    let answer: CheckSaleResponse = reply.ok();
    assert_eq!(
        answer.server_card_id().map(|id| id.as_str()),
        Some("9876544")
    );
    assert_eq!(
        answer.email().map(|email| email.as_str()),
        Some(EMAIL),
        "the e-mail rule of addendum §4"
    );
}

#[tokio::test]
async fn one_flows_invoice_or_token_never_works_on_the_other_flows_path() {
    let party = Sandbox::new();
    let (token, verified) = verification(&party).await;
    let sale = party.initiate(&token, SERIAL).await;
    let as_sale = party
        .post(
            &check_uri(&verified.invoice_id),
            &check_body(&verified, &token, SERIAL, None),
        )
        .await;
    as_sale.refused(StatusCode::FORBIDDEN, "DAPI-403-FLOW");
    let as_verification = party
        .post(
            &check_verification_uri(&sale.invoice_id),
            &check_verification_body(&token, &sale),
        )
        .await;
    as_verification.refused(StatusCode::FORBIDDEN, "DAPI-403-FLOW");
    assert_eq!(party.stored(&verified.invoice_id).checks, 0);

    let verification_token = "1c8f5b3a-2d4e-4f6a-9b7c-8d9e0f1a2b3c";
    let body = check_verification_body(&token, &verified);
    let mut body = body;
    body["session"]["token"] = json!(verification_token);
    party
        .post(&check_verification_uri(&verified.invoice_id), &body)
        .await
        .ok::<CheckVerificationResponse>();
    party.check(&token, &sale).await.ok::<CheckSaleResponse>();
    let sale_notified = party
        .post(
            "/sale/notification",
            &notification_body(&token, verification_token),
        )
        .await;
    sale_notified.refused(StatusCode::BAD_REQUEST, "DAPI-400-FLOW");
    let verification_notified = party
        .post(
            "/verification/notification",
            &verification_notification(&token, GATEWAY_TOKEN),
        )
        .await;
    verification_notified.refused(StatusCode::BAD_REQUEST, "DAPI-400-FLOW");
    assert_eq!(party.stored(&sale.invoice_id).card_mapping, None);
    assert_eq!(party.stored(&verified.invoice_id).card_mapping, None);

    let settings = json!({"check":"filtered"});
    let wrong = party
        .post(
            &party_misbehave_path_of(Flow::Verification, &sale.invoice_id),
            &settings,
        )
        .await;
    wrong.refused(StatusCode::NOT_FOUND, "DAPI-404-INVOICE");
    let right = party
        .post(
            &party_misbehave_path_of(Flow::Verification, &verified.invoice_id),
            &settings,
        )
        .await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.text());
}

#[tokio::test]
async fn bad_verification_input_gets_the_documented_error_body() {
    let party = Sandbox::new();
    let token = party.token(SERIAL, Some(EMAIL)).await;
    let no_currency = json!({"consumer":{"device":{"serialNumber":SERIAL}},"session":{"accessToken":token},
        "transaction":{"amountCentis":100}});
    let reply = party
        .post("/verification/initiate-verification", &no_currency)
        .await;
    reply.refused_for(
        StatusCode::BAD_REQUEST,
        "DAPI-400-INVALID",
        "transaction.currency",
    );
    let other_device = json!({"consumer":{"device":{"serialNumber":OTHER_SERIAL}},"session":{"accessToken":token},
        "transaction":{"currency":"USD"}});
    let reply = party
        .post("/verification/initiate-verification", &other_device)
        .await;
    reply.refused(StatusCode::FORBIDDEN, "DAPI-403-SERIAL");
    let (token, verified) = verification(&party).await;
    let mut body = check_verification_body(&token, &verified);
    body["session"]["nonce"] = json!("short");
    let reply = party
        .post(&check_verification_uri(&verified.invoice_id), &body)
        .await;
    reply.refused_for(StatusCode::BAD_REQUEST, "DAPI-400-INVALID", "session.nonce");
    let seen = party.stored(&verified.invoice_id).violations;
    assert_eq!(
        (seen[0].step, seen[0].message.as_str()),
        (8, "Check verification request")
    );
    let mut body = check_verification_body(&token, &verified);
    body["session"]["signature"] = json!("0".repeat(40));
    let reply = party
        .post(&check_verification_uri(&verified.invoice_id), &body)
        .await;
    reply.refused(StatusCode::FORBIDDEN, "DAPI-403-SIGNATURE");
    let reply = party
        .post_raw("/verification/notification", "{", "application/json")
        .await;
    reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-INVALID");
}

#[tokio::test]
async fn a_verification_callback_with_a_sale_type_or_an_amount_is_recorded_as_broken() {
    let party = Sandbox::new();
    let (_, verified) = verification(&party).await;
    let invoice_id = &verified.invoice_id;
    let uri = verification_callback(&party, invoice_id, |fields| {
        fields.kind = "sale".into();
        fields.amount_centis = 1050;
    });
    party.get(&uri).await.assert_ok();
    let seen = party.stored(invoice_id).violations;
    let paths: Vec<_> = seen
        .iter()
        .map(|v| (v.step, v.path.as_str(), v.expected.as_deref()))
        .collect();
    assert_eq!(
        paths,
        [
            (23, "type", Some("account-verification")),
            (23, "amount", Some("0.00"))
        ]
    );
}

#[tokio::test]
async fn check_verification_misbehaves_only_for_its_verification() {
    let party = Sandbox::new();
    let (token, verified) = verification(&party).await;
    let path = party_misbehave_path_of(Flow::Verification, &verified.invoice_id);
    party
        .post(&path, &json!({"check":"other-email"}))
        .await
        .ok::<Value>();
    let body = check_verification_body(&token, &verified);
    let answer: CheckVerificationResponse = party
        .post(&check_verification_uri(&verified.invoice_id), &body)
        .await
        .ok();
    assert_eq!(
        answer.email().map(|email| email.as_str()),
        Some("other@example.com")
    );
    party
        .post(&path, &json!({"check":"wrong-check-signature"}))
        .await
        .ok::<Value>();
    let answer: CheckVerificationResponse = party
        .post(&check_verification_uri(&verified.invoice_id), &body)
        .await
        .ok();
    let signed = CheckSaleSigned {
        serial_number: SERIAL,
        nonce: verified.session.nonce.as_str(),
        endpoint_id: "1234",
        invoice_id: verified.invoice_id.as_str(),
        server_card_id: None,
    };
    let right = sign(&party.key, &signed.string_to_sign()).to_string();
    assert_ne!(answer.session.check_signature.as_str(), right);
    assert_eq!(
        answer.currency(),
        Some("USD"),
        "only the signature is wrong"
    );
}
