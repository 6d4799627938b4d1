//! Check sale answers wrong on purpose (`POST /sim/sales/{invoiceId}/misbehave` with `check`): each setting
//! gives exactly its wrong answer, only for its sale. Expected signatures are computed with `dapi::signature`
//! over the documented fields, with the wrong field where the misbehaviour puts one.

use crate::support::*;
use axum::http::StatusCode;
use dapi::messages::check::CheckSaleResponse;
use dapi::messages::initiate::InitiateSaleResponse;
use dapi::signature::{CheckSaleSigned, sign};
use dapi::{AccessToken, ClientCardId, PartyCause, ServerCardId};
use party::PartyEvent;
use serde_json::{Value, json};

/// The `checkSignature` over the documented fields, with the given endpoint id and serverCardId.
fn check_signature(
    party: &Sandbox,
    sale: &InitiateSaleResponse,
    endpoint_id: &str,
    server_card_id: Option<&str>,
) -> String {
    let signed = CheckSaleSigned {
        serial_number: SERIAL,
        nonce: sale.session.nonce.as_str(),
        endpoint_id,
        invoice_id: sale.invoice_id.as_str(),
        server_card_id,
    };
    sign(&party.key, &signed.string_to_sign()).to_string()
}

/// A first sale checked and mapped to serverCardId 9876543, then a repeat sale initiated with the same token.
async fn repeat_sale(party: &Sandbox) -> (AccessToken, ClientCardId, InitiateSaleResponse) {
    let (token, first) = party.initiated().await;
    party.check(&token, &first).await.ok::<CheckSaleResponse>();
    party.notify(&token, GATEWAY_TOKEN).await.ok::<Value>();
    let mapping = party.stored(&first.invoice_id).card_mapping;
    let client_card_id = mapping.unwrap().client_card_id;
    let repeat = party.initiate(&token, SERIAL).await;
    (token, client_card_id, repeat)
}

/// A repeat sale (see [`repeat_sale`]) set to misbehave with `settings`, and its check sale answer.
async fn repeat_check(party: &Sandbox, settings: Value) -> (InitiateSaleResponse, Reply) {
    let (token, client_card_id, repeat) = repeat_sale(party).await;
    party.set(&repeat.invoice_id, settings).await;
    let reply = party
        .check_card(&token, &repeat, client_card_id.as_str())
        .await;
    (repeat, reply)
}

#[tokio::test]
async fn a_wrong_check_signature_uses_a_wrong_endpoint_or_leaves_out_the_server_card_id() {
    let party = Sandbox::new();
    let (token, sale) = party
        .misbehaving(json!({"check": "wrong-check-signature"}))
        .await;
    let wrong: CheckSaleResponse = party.check(&token, &sale).await.ok();
    let expected = check_signature(&party, &sale, "12340", None);
    assert_eq!(wrong.session.check_signature.as_str(), expected);
    assert_ne!(expected, check_signature(&party, &sale, "1234", None));
    assert_eq!(wrong.session.nonce, sale.session.nonce);

    let settings = json!({"check": "wrong-check-signature"});
    let (repeat, reply) = repeat_check(&party, settings).await;
    let wrong: CheckSaleResponse = reply.ok();
    let without_card = check_signature(&party, &repeat, "1234", None);
    assert_eq!(wrong.session.check_signature.as_str(), without_card);
    let server_card_id = wrong.server_card_id().map(ServerCardId::as_str);
    assert_eq!(server_card_id, Some("9876543"));
}

#[tokio::test]
async fn a_wrong_nonce_is_another_64_character_nonce_with_the_right_signature() {
    let party = Sandbox::new();
    let (token, sale) = party.misbehaving(json!({"check": "wrong-nonce"})).await;
    let wrong: CheckSaleResponse = party.check(&token, &sale).await.ok();
    assert_ne!(wrong.session.nonce, sale.session.nonce);
    assert_eq!(wrong.session.nonce.as_str().len(), 64);
    let right = check_signature(&party, &sale, "1234", None);
    assert_eq!(wrong.session.check_signature.as_str(), right);
    assert_eq!(wrong.session.token.as_str(), GATEWAY_TOKEN);
}

#[tokio::test]
async fn a_missing_server_card_id_leaves_out_source_of_funds_and_signs_without_it() {
    let party = Sandbox::new();
    let settings = json!({"check": "missing-server-card-id"});
    let (repeat, reply) = repeat_check(&party, settings).await;
    let wrong: CheckSaleResponse = reply.ok();
    assert_eq!(wrong.source_of_funds, None);
    let without_card = check_signature(&party, &repeat, "1234", None);
    assert_eq!(wrong.session.check_signature.as_str(), without_card);
    assert_eq!(wrong.email().map(|email| email.as_str()), Some(EMAIL));

    // Without a clientCardId in the request there is nothing to leave out: the answer is the correct one.
    let (token, sale) = party
        .misbehaving(json!({"check": "missing-server-card-id"}))
        .await;
    let answer: CheckSaleResponse = party.check(&token, &sale).await.ok();
    let right = check_signature(&party, &sale, "1234", None);
    assert_eq!(answer.session.check_signature.as_str(), right);
}

#[tokio::test]
async fn filtered_server_failed_and_http_500_answer_only_their_sale_wrongly() {
    let party = Sandbox::new();
    let mut events = party.state.subscribe();
    let mut sales = Vec::new();
    for setting in ["filtered", "server-failed", "http-500"] {
        let (token, sale) = party.misbehaving(json!({ "check": setting })).await;
        sales.push((token, sale));
    }
    let (token, honest) = party.initiated().await;
    let (filtered, failed, boom) = (&sales[0], &sales[1], &sales[2]);
    let reply = party.check(&filtered.0, &filtered.1).await;
    let body = reply.failed(
        StatusCode::BAD_REQUEST,
        PartyCause::Filtered,
        "DAPI-400-FILTERED",
    );
    assert_eq!(body.invoice_id.as_ref(), Some(&filtered.1.invoice_id));
    let reply = party.check(&failed.0, &failed.1).await;
    let code = "DAPI-500-SERVER-FAILED";
    let body = reply.failed(
        StatusCode::INTERNAL_SERVER_ERROR,
        PartyCause::ServerFailed,
        code,
    );
    assert_eq!(body.invoice_id.as_ref(), Some(&failed.1.invoice_id));
    let reply = party.check(&boom.0, &boom.1).await;
    assert_eq!(
        (reply.status, reply.text()),
        (StatusCode::INTERNAL_SERVER_ERROR, "boom".into())
    );
    party.check(&token, &honest).await.ok::<CheckSaleResponse>();

    // Each request passed the checks, so each is counted, whatever the answer was.
    for (_, sale) in sales.iter().chain([&(token, honest)]) {
        assert_eq!(party.stored(&sale.invoice_id).checks, 1);
    }
    let accepted: Vec<bool> = std::iter::from_fn(|| events.try_recv().ok())
        .filter_map(|event| match event {
            PartyEvent::Checked { accepted, .. } => Some(accepted),
            _ => None,
        })
        .collect();
    assert_eq!(accepted, [false, false, false, true]);
}

#[tokio::test(start_paused = true)]
async fn a_slow_check_answers_correctly_after_its_delay_and_others_do_not_wait() {
    let party = Sandbox::new();
    let slow = party.misbehaving(json!({"check": "slow"})).await;
    let custom = party.initiated().await;
    party
        .set(
            &custom.1.invoice_id,
            json!({"check": "slow", "delayMs": 250}),
        )
        .await;
    let honest = party.initiated().await;
    let timed = |(token, sale): (AccessToken, InitiateSaleResponse)| {
        let party = &party;
        async move {
            let started = tokio::time::Instant::now();
            let answer: CheckSaleResponse = party.check(&token, &sale).await.ok();
            let right = check_signature(party, &sale, "1234", None);
            assert_eq!(answer.session.check_signature.as_str(), right);
            started.elapsed().as_millis()
        }
    };
    let (slow, custom, honest) = tokio::join!(timed(slow), timed(custom), timed(honest));
    assert!((3000..3100).contains(&slow), "default delay: {slow} ms");
    assert!((250..350).contains(&custom), "delayMs: {custom} ms");
    assert!(honest < 100, "no delay: {honest} ms");
}

#[tokio::test]
async fn a_wrong_token_invoice_or_currency_spoils_only_its_field() {
    let party = Sandbox::new();
    for (setting, token_ok, invoice_ok, currency_ok) in [
        ("wrong-token", false, true, true),
        ("wrong-invoice", true, false, true),
        ("wrong-currency", true, true, false),
    ] {
        let (token, sale) = party.misbehaving(json!({ "check": setting })).await;
        let wrong: CheckSaleResponse = party.check(&token, &sale).await.ok();
        let echoed = &wrong.session.token;
        assert_eq!(echoed.as_str() == GATEWAY_TOKEN, token_ok, "{setting}");
        assert_eq!(echoed.as_str().len(), 36, "{setting}: still a UUID");
        assert_eq!(wrong.invoice_id == sale.invoice_id, invoice_ok, "{setting}");
        assert!(wrong.invoice_id.as_str().starts_with("INV-"), "{setting}");
        let currency = wrong
            .transaction
            .and_then(|transaction| transaction.currency);
        let expected_currency = if currency_ok { "EUR" } else { "USD" };
        assert_eq!(currency.as_deref(), Some(expected_currency), "{setting}");
        // The signature covers the real invoice id and nonce, which stay the right ones.
        let right = check_signature(&party, &sale, "1234", None);
        assert_eq!(wrong.session.check_signature.as_str(), right, "{setting}");
        assert_eq!(wrong.session.nonce, sale.session.nonce, "{setting}");
    }
}

#[tokio::test]
async fn a_missing_check_signature_leaves_out_only_that_field() {
    let party = Sandbox::new();
    let setting = json!({"check": "missing-check-signature"});
    let (token, sale) = party.misbehaving(setting).await;
    let answer: Value = party.check(&token, &sale).await.ok();
    let session = &answer["session"];
    assert_eq!(session.get("checkSignature"), None, "{answer}");
    assert_eq!(session["nonce"], json!(sale.session.nonce));
    assert_eq!(session["token"], json!(GATEWAY_TOKEN));
    assert_eq!(answer["invoiceId"], json!(sale.invoice_id));
    let decoded = serde_json::from_value::<CheckSaleResponse>(answer);
    assert!(decoded.is_err(), "a required field is missing");
    assert_eq!(party.stored(&sale.invoice_id).checks, 1);
}

#[tokio::test]
async fn another_email_is_given_for_a_repeat_sale_only() {
    let party = Sandbox::new();
    let (repeat, reply) = repeat_check(&party, json!({"check": "other-email"})).await;
    let wrong: CheckSaleResponse = reply.ok();
    let email = wrong.email().map(|email| email.as_str());
    assert_eq!(email, Some("other@example.com"));
    assert_ne!(email, Some(EMAIL));
    let server_card_id = wrong.server_card_id().map(ServerCardId::as_str);
    assert_eq!(server_card_id, Some("9876543"));
    let signed = check_signature(&party, &repeat, "1234", Some("9876543"));
    assert_eq!(wrong.session.check_signature.as_str(), signed);

    // A first sale carries no e-mail: there is nothing to replace, the answer is the correct one.
    let (token, sale) = party.misbehaving(json!({"check": "other-email"})).await;
    let answer: CheckSaleResponse = party.check(&token, &sale).await.ok();
    assert_eq!(answer.consumer, None);
}

#[tokio::test]
async fn a_random_sum_setting_asks_for_a_random_sum_check_in_the_correct_answer() {
    let party = Sandbox::new();
    let (token, sale) = party.misbehaving(json!({"randomSumCentis": 37})).await;
    let answer: CheckSaleResponse = party.check(&token, &sale).await.ok();
    let transaction = answer.transaction.expect("a transaction");
    assert_eq!(transaction.random_sum_centis, Some(37));
    assert_eq!(
        transaction.currency.as_deref(),
        Some("EUR"),
        "the rest is the correct answer"
    );
    let right = check_signature(&party, &sale, "1234", None);
    assert_eq!(answer.session.check_signature.as_str(), right);
    let (other_token, other) = party.initiated().await;
    let plain: CheckSaleResponse = party.check(&other_token, &other).await.ok();
    assert_eq!(
        plain.transaction.and_then(|t| t.random_sum_centis),
        None,
        "other sales ask for none"
    );
    let both = json!({"randomSumCentis": 5, "check": "wrong-nonce"});
    let (token, sale) = party.misbehaving(both).await;
    let bent: CheckSaleResponse = party.check(&token, &sale).await.ok();
    assert_ne!(bent.session.nonce, sale.session.nonce);
    assert_eq!(bent.transaction.and_then(|t| t.random_sum_centis), Some(5));
}

#[tokio::test]
async fn a_card_data_setting_adds_the_card_beside_what_the_correct_answer_has() {
    let party = Sandbox::new();
    let (token, sale) = party.misbehaving(json!({"cardData": true})).await;
    let answer: CheckSaleResponse = party.check(&token, &sale).await.ok();
    let source = answer.source_of_funds.expect("sourceOfFunds");
    let card = source.card.expect("the card data");
    assert_eq!(card.number.masked(), "411111******1111");
    assert_eq!(source.reference, None, "a first sale has no reference");
    let right = check_signature(&party, &sale, "1234", None);
    assert_eq!(answer.session.check_signature.as_str(), right);

    let (_, reply) = repeat_check(&party, json!({"cardData": true})).await;
    let beside: CheckSaleResponse = reply.ok();
    let source = beside.source_of_funds.expect("sourceOfFunds");
    assert!(
        source.card.is_some() && source.reference.is_some(),
        "{source:?}"
    );
    let (other_token, other) = party.initiated().await;
    let plain: CheckSaleResponse = party.check(&other_token, &other).await.ok();
    assert_eq!(plain.source_of_funds, None, "other sales carry none");
}
