//! The whole happy path: token → initiate → check → notification → callback → record → client card id →
//! repeat sale whose check returns the mapped serverCardId and e-mail. Expected signatures are computed
//! with `dapi::signature` over the documented fields.

use crate::support::*;
use axum::http::StatusCode;
use dapi::messages::check::{CardMappingResponse, CheckSaleResponse};
use dapi::messages::initiate::{AccessTokenResponse, ClientCardIdResponse, InitiateSaleResponse};
use dapi::signature::{CheckSaleSigned, NotificationSigned, SaleSigned, sign};
use dapi::{AccessToken, CallbackStatus, ClientCardId, InvoiceId, ServerCardId};
use party::PartyEvent;
use sandbox_api::CallbackRecord;
use sandbox_api::CardMappingRecord;
use sandbox_api::PartySaleRecord;
use sandbox_api::paths::party_record_path;
use serde_json::json;

/// Spec 3.1 and 3.2: the token is 64 `[A-Za-z0-9]`; the initiate signature is the HMAC of the documented fields.
async fn initiate_step(party: &Sandbox, token: &AccessToken) -> InitiateSaleResponse {
    assert_eq!(token.as_str().len(), 64);
    assert!(token.as_str().chars().all(|c| c.is_ascii_alphanumeric()));
    let sale = party.initiate(token, SERIAL).await;
    let invoice_id = sale.invoice_id.as_str();
    assert_eq!(sale.endpoint_id.as_str(), "1234");
    assert!((1..=128).contains(&invoice_id.len()));
    assert!(
        invoice_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    );
    assert_eq!(sale.session.nonce.as_str().len(), 64);
    let signed = SaleSigned {
        access_token: token.as_str(),
        serial_number: SERIAL,
        endpoint_id: "1234",
        nonce: sale.session.nonce.as_str(),
        invoice_id,
        amount_centis: 1050,
        currency: "EUR",
    };
    let expected = sign(&party.key, &signed.string_to_sign()).to_string();
    assert_eq!(sale.session.signature.as_str(), expected);
    sale
}

/// Spec 3.4: a lower-case signature is accepted (A2); the answer signs the stored nonce, echoes the token.
async fn check_step(party: &Sandbox, token: &AccessToken, sale: &InitiateSaleResponse) {
    let mut check = check_body(sale, token, SERIAL, None);
    let lower = sale.session.signature.as_str().to_ascii_lowercase();
    check["session"]["signature"] = json!(lower);
    let checked: CheckSaleResponse = party.post(&check_uri(&sale.invoice_id), &check).await.ok();
    let signed = CheckSaleSigned {
        serial_number: SERIAL,
        nonce: sale.session.nonce.as_str(),
        endpoint_id: "1234",
        invoice_id: sale.invoice_id.as_str(),
        server_card_id: None,
    };
    let expected = sign(&party.key, &signed.string_to_sign()).to_string();
    assert_eq!(checked.invoice_id, sale.invoice_id);
    assert_eq!(checked.session.check_signature.as_str(), expected);
    assert_eq!(checked.session.nonce, sale.session.nonce);
    assert_eq!(checked.session.token.as_str(), GATEWAY_TOKEN);
    let currency = checked.transaction.and_then(|t| t.currency);
    assert_eq!(currency.as_deref(), Some("EUR"));
    assert_eq!((checked.consumer, checked.source_of_funds), (None, None));
}

/// Spec 3.7: the sale is found by the gateway token; the same notification again keeps the first mapping.
async fn notification_step(
    party: &Sandbox,
    token: &AccessToken,
    sale: &InitiateSaleResponse,
) -> ClientCardId {
    let body = notification_body(token, GATEWAY_TOKEN);
    let mapped: CardMappingResponse = party.post("/sale/notification", &body).await.ok();
    let signed = NotificationSigned {
        nonce: sale.session.nonce.as_str(),
        endpoint_id: "1234",
        invoice_id: sale.invoice_id.as_str(),
    };
    let expected = sign(&party.key, &signed.string_to_sign()).to_string();
    assert_eq!(mapped.invoice_id, sale.invoice_id);
    assert_eq!(mapped.session.check_signature.as_str(), expected);
    assert_eq!(mapped.session.nonce, sale.session.nonce);
    assert_eq!(mapped.session.token.as_str(), GATEWAY_TOKEN);
    let mapping = party.stored(&sale.invoice_id).card_mapping;
    let client_card_id = mapping.unwrap().client_card_id;
    assert!(client_card_id.as_str().starts_with("cc_"));
    let again: CardMappingResponse = party.post("/sale/notification", &body).await.ok();
    assert_eq!(again, mapped);
    let mapping = party.stored(&sale.invoice_id).card_mapping;
    assert_eq!(mapping.unwrap().client_card_id, client_card_id);
    client_card_id
}

/// Spec 3.8: answered 200 twice, recorded once, both deliveries counted; the record shows every step.
async fn callback_step(party: &Sandbox, invoice_id: &InvoiceId, client_card_id: &ClientCardId) {
    for _ in 0..2 {
        let reply = party.callback(invoice_id, CallbackStatus::Approved).await;
        reply.assert_ok();
    }
    let record: PartySaleRecord = party.get(&party_record_path(invoice_id)).await.ok();
    let expected = PartySaleRecord {
        invoice_id: invoice_id.clone(),
        checks: 1,
        card_mapping: Some(CardMappingRecord {
            client_card_id: client_card_id.clone(),
            server_card_id: ServerCardId::from("9876543"),
            bin: Some(411111),
        }),
        callback: Some(CallbackRecord {
            status: CallbackStatus::Approved,
            order_id: "5021334".into(),
            error_code: None,
            deliveries: 2,
            bookings: 1,
        }),
        violations: Vec::new(),
    };
    assert_eq!(record, expected);
    assert_eq!(party.state.record(invoice_id), Some(expected));
}

/// Spec 2.2: a repeat sale's check returns the serverCardId and the e-mail, and signs the serverCardId.
async fn repeat_step(
    party: &Sandbox,
    token: &AccessToken,
    client_card_id: &ClientCardId,
) -> InvoiceId {
    let repeat = party.initiate(token, SERIAL).await;
    let reply = party
        .check_card(token, &repeat, client_card_id.as_str())
        .await;
    let checked: CheckSaleResponse = reply.ok();
    assert_eq!(
        checked.server_card_id().map(ServerCardId::as_str),
        Some("9876543")
    );
    assert_eq!(checked.email().map(|email| email.as_str()), Some(EMAIL));
    let signed = CheckSaleSigned {
        serial_number: SERIAL,
        nonce: repeat.session.nonce.as_str(),
        endpoint_id: "1234",
        invoice_id: repeat.invoice_id.as_str(),
        server_card_id: Some("9876543"),
    };
    let expected = sign(&party.key, &signed.string_to_sign()).to_string();
    assert_eq!(checked.session.check_signature.as_str(), expected);
    repeat.invoice_id
}

#[tokio::test]
async fn a_first_sale_and_a_repeat_sale_go_through_every_step() {
    let party = Sandbox::new();
    let mut events = party.state.subscribe();
    let token = party.token(SERIAL, Some(EMAIL)).await;
    let sale = initiate_step(&party, &token).await;
    let invoice_id = sale.invoice_id.clone();
    check_step(&party, &token, &sale).await;
    let card_id_uri = format!("/sale/{invoice_id}/client-card-id");
    let card_id_request = json!({"session": {"accessToken": token}});
    let early = party.post(&card_id_uri, &card_id_request).await;
    let refusal = early.refused(StatusCode::NOT_FOUND, "DAPI-404-NO-MAPPING");
    assert_eq!(refusal.invoice_id.as_ref(), Some(&invoice_id));
    let client_card_id = notification_step(&party, &token, &sale).await;
    callback_step(&party, &invoice_id, &client_card_id).await;
    let fetched: ClientCardIdResponse = party.post(&card_id_uri, &card_id_request).await.ok();
    assert_eq!(fetched.invoice_id, invoice_id);
    assert_eq!(fetched.client_card_id, client_card_id);
    let repeat_id = repeat_step(&party, &token, &fetched.client_card_id).await;
    assert_ne!(repeat_id, invoice_id);

    let seen: Vec<PartyEvent> = std::iter::from_fn(|| events.try_recv().ok()).collect();
    let callback = |duplicate| PartyEvent::CallbackReceived {
        invoice_id: invoice_id.clone(),
        status: CallbackStatus::Approved,
        duplicate,
    };
    let expected = vec![
        PartyEvent::Initiated {
            invoice_id: invoice_id.clone(),
        },
        PartyEvent::Checked {
            invoice_id: invoice_id.clone(),
            accepted: true,
        },
        PartyEvent::CardMapped {
            invoice_id: invoice_id.clone(),
            client_card_id,
            server_card_id: "9876543".into(),
        },
        callback(false),
        callback(true),
        PartyEvent::Initiated {
            invoice_id: repeat_id.clone(),
        },
        PartyEvent::Checked {
            invoice_id: repeat_id,
            accepted: true,
        },
    ];
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn a_token_can_be_requested_with_a_get_query() {
    let party = Sandbox::new();
    let uri = format!("/auth/request-access-token?serialNumber={SERIAL}&email=buyer%40example.com");
    let token = party
        .get(&uri)
        .await
        .ok::<AccessTokenResponse>()
        .session
        .access_token;
    assert_eq!(token.as_str().len(), 64);
    let sale = party.initiate(&token, SERIAL).await;
    assert_eq!(sale.endpoint_id.as_str(), "1234");
}

#[tokio::test]
async fn a_numeric_server_card_id_is_accepted_and_a_notification_without_card_maps_nothing() {
    let party = Sandbox::new();
    let token = party.token(SERIAL, None).await;
    let sale = party.initiate(&token, SERIAL).await;
    party.check(&token, &sale).await.ok::<CheckSaleResponse>();
    let mut bare = notification_body(&token, GATEWAY_TOKEN);
    bare.as_object_mut().unwrap().remove("sourceCard");
    let reply = party.post("/sale/notification", &bare).await;
    reply.ok::<CardMappingResponse>();
    assert_eq!(party.stored(&sale.invoice_id).card_mapping, None);
    let mut numeric = notification_body(&token, GATEWAY_TOKEN);
    numeric["sourceCard"]["reference"]["serverCardId"] = json!(9876543);
    let reply = party.post("/sale/notification", &numeric).await;
    reply.ok::<CardMappingResponse>();
    let mapping = party.stored(&sale.invoice_id).card_mapping.unwrap();
    assert_eq!(mapping.server_card_id.as_str(), "9876543");
}
