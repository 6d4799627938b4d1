//! Card mapping notification and callback answers wrong on purpose (`POST /sim/sales/{invoiceId}/misbehave`
//! with `notification` or `callback`): each setting gives exactly its wrong answer, only for its sale, and
//! whether the card is mapped or the callback recorded is asserted too.

use crate::support::*;
use axum::http::StatusCode;
use dapi::messages::check::{CardMappingResponse, CheckSaleResponse};
use dapi::messages::initiate::InitiateSaleResponse;
use dapi::signature::{NotificationSigned, sign};
use dapi::{CallbackStatus, InvoiceId};
use party::{FaultStats, PartyEvent};
use serde_json::{Value, json};

/// The notification `checkSignature` over the documented fields, with the given endpoint id.
fn notification_signature(
    party: &Sandbox,
    sale: &InitiateSaleResponse,
    endpoint_id: &str,
) -> String {
    let signed = NotificationSigned {
        nonce: sale.session.nonce.as_str(),
        endpoint_id,
        invoice_id: sale.invoice_id.as_str(),
    };
    sign(&party.key, &signed.string_to_sign()).to_string()
}

/// A sale set to misbehave with `settings`, checked with `gateway_token`, then notified; the answer.
async fn notified(
    party: &Sandbox,
    settings: Value,
    gateway_token: &str,
) -> (InitiateSaleResponse, Reply) {
    let (token, sale) = party.misbehaving(settings).await;
    let checked = party.check_as(&token, &sale, gateway_token).await;
    checked.ok::<CheckSaleResponse>();
    (sale, party.notify(&token, gateway_token).await)
}

#[tokio::test]
async fn a_refused_notification_maps_nothing_and_a_wrongly_signed_one_maps_the_card() {
    let party = Sandbox::new();
    let mut sales = Vec::new();
    for (setting, gateway_token) in [
        ("refuse", "11111111-1111-4111-8111-111111111111"),
        (
            "wrong-check-signature",
            "22222222-2222-4222-8222-222222222222",
        ),
        ("", "33333333-3333-4333-8333-333333333333"),
    ] {
        let (token, sale) = party.initiated().await;
        if !setting.is_empty() {
            party
                .set(&sale.invoice_id, json!({ "notification": setting }))
                .await;
        }
        let checked = party.check_as(&token, &sale, gateway_token).await;
        checked.ok::<CheckSaleResponse>();
        sales.push((sale, party.notify(&token, gateway_token).await));
    }
    let [(refused, refusal), (wrong, wrongly), (honest, answer)] = sales.as_slice() else {
        panic!("three sales");
    };
    refusal.refused(StatusCode::BAD_REQUEST, "DAPI-400-REFUSED");
    assert_eq!(party.stored(&refused.invoice_id).card_mapping, None);
    let wrongly: CardMappingResponse = wrongly.ok();
    let expected = notification_signature(&party, wrong, "12340");
    assert_eq!(wrongly.session.check_signature.as_str(), expected);
    assert!(party.stored(&wrong.invoice_id).card_mapping.is_some());
    let answer: CardMappingResponse = answer.ok();
    let expected = notification_signature(&party, honest, "1234");
    assert_eq!(answer.session.check_signature.as_str(), expected);
}

#[tokio::test]
async fn a_bare_500_notification_answer_still_maps_the_card() {
    let party = Sandbox::new();
    let mut events = party.state.subscribe();
    let settings = json!({"notification": "http-500"});
    let (sale, reply) = notified(&party, settings, GATEWAY_TOKEN).await;
    assert_eq!(
        (reply.status, reply.text()),
        (StatusCode::INTERNAL_SERVER_ERROR, "boom".into())
    );
    assert!(party.stored(&sale.invoice_id).card_mapping.is_some());
    let mapped = std::iter::from_fn(|| events.try_recv().ok())
        .any(|event| matches!(event, PartyEvent::CardMapped { invoice_id, .. } if invoice_id == sale.invoice_id));
    assert!(mapped, "the card was mapped before the answer was replaced");
}

#[tokio::test]
async fn a_wrong_nonce_or_a_missing_token_spoils_only_its_field() {
    let party = Sandbox::new();
    let settings = json!({"notification": "wrong-nonce"});
    let (sale, reply) = notified(&party, settings, GATEWAY_TOKEN).await;
    let wrong: CardMappingResponse = reply.ok();
    assert_ne!(wrong.session.nonce, sale.session.nonce);
    assert_eq!(wrong.session.nonce.as_str().len(), 64);
    let right = notification_signature(&party, &sale, "1234");
    assert_eq!(wrong.session.check_signature.as_str(), right);
    assert_eq!(wrong.session.token.as_str(), GATEWAY_TOKEN);
    assert_eq!(wrong.invoice_id, sale.invoice_id);

    let other_gateway_token = "22222222-2222-4222-8222-222222222222";
    let settings = json!({"notification": "missing-token"});
    let (sale, reply) = notified(&party, settings, other_gateway_token).await;
    let answer: Value = reply.ok();
    let session = &answer["session"];
    assert_eq!(session.get("token"), None, "{answer}");
    assert_eq!(session["nonce"], json!(sale.session.nonce));
    let right = notification_signature(&party, &sale, "1234");
    assert_eq!(session["checkSignature"], json!(right));
    assert!(serde_json::from_value::<CardMappingResponse>(answer).is_err());
    assert!(party.stored(&sale.invoice_id).card_mapping.is_some());
}

#[tokio::test]
async fn a_bare_500_callback_answer_is_never_a_delivery() {
    let party = Sandbox::new();
    let mut events = party.state.subscribe();
    let settings = json!({"callback": "http-500", "callbackFailFirst": 1});
    let (_, broken) = party.misbehaving(settings).await;
    let (_, honest) = party.initiated().await;
    let refused = party
        .callback(&broken.invoice_id, CallbackStatus::Approved)
        .await;
    let code = "DAPI-503-UNAVAILABLE";
    let cause = dapi::PartyCause::ServerUnavailable;
    refused.failed(StatusCode::SERVICE_UNAVAILABLE, cause, code);
    for _ in 0..3 {
        let reply = party
            .callback(&broken.invoice_id, CallbackStatus::Approved)
            .await;
        assert_eq!(
            (reply.status, reply.text()),
            (StatusCode::INTERNAL_SERVER_ERROR, "boom".into())
        );
    }
    let record = party.stored(&broken.invoice_id);
    assert_eq!((record.callback, record.violations), (None, Vec::new()));
    party
        .callback(&honest.invoice_id, CallbackStatus::Approved)
        .await
        .assert_ok();
    let received: Vec<InvoiceId> = std::iter::from_fn(|| events.try_recv().ok())
        .filter_map(|event| match event {
            PartyEvent::CallbackReceived { invoice_id, .. } => Some(invoice_id),
            _ => None,
        })
        .collect();
    assert_eq!(received, [honest.invoice_id]);
    let expected = FaultStats {
        callbacks_refused: 1,
        ..FaultStats::default()
    };
    assert_eq!(
        party.state.fault_stats(),
        expected,
        "a bare 500 is no fault"
    );
}
