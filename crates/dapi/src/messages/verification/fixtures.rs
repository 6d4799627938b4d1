//! Every JSON example of the addendum (`crate::samples::verification`) decodes, validates and round-trips; the
//! rules that differ from the sale's are pinned by table.
#![allow(clippy::panic, reason = "a test fails loudly")]

use super::check::{CheckVerificationRequest, CheckVerificationResponse};
use super::initiate::{InitiateVerificationRequest, InitiateVerificationResponse};
use super::notification::{VerificationCardMappingNotification, VerificationCardMappingResponse};
use super::status::{VerificationStatusRequest, VerificationStatusResponse};
use super::validation::{PerformValidationRequest, PerformValidationResponse};
use crate::messages::check::CheckSaleResponse;
use crate::messages::initiate::{ClientCardIdRequest, ClientCardIdResponse};
use crate::messages::perform::PerformSaleRequest;
use crate::samples::{Sample, verification};
use crate::validate::{Rule, Validate, decode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn round_trip<T: DeserializeOwned + Serialize + Validate>(sample: &Sample) -> T {
    let bytes = serde_json::to_vec(&sample.value).unwrap();
    let message: T =
        decode(&bytes).unwrap_or_else(|violations| panic!("{}: {violations}", sample.name));
    assert_eq!(
        serde_json::to_value(&message).unwrap(),
        sample.value,
        "{}",
        sample.name
    );
    message
}

fn validation_sample() -> Value {
    verification::perform_validation_request().value
}

#[test]
fn initiate_verification_examples_round_trip() {
    round_trip::<InitiateVerificationRequest>(&verification::initiate_request());
    round_trip::<InitiateVerificationResponse>(&verification::initiate_response());
    // An amount sent anyway is ignored (addendum §2.2 decision).
    let mut with_amount = verification::initiate_request().value;
    with_amount["transaction"]["amountCentis"] = json!(100);
    assert!(
        decode::<InitiateVerificationRequest>(&serde_json::to_vec(&with_amount).unwrap()).is_ok()
    );
}

#[test]
fn perform_validation_and_status_examples_round_trip() {
    let request =
        round_trip::<PerformValidationRequest>(&verification::perform_validation_request());
    assert_eq!(request.currency(), Some("USD"));
    round_trip::<PerformValidationResponse>(&verification::perform_validation_response());
    round_trip::<VerificationStatusRequest>(&verification::status_request());
    let responses = verification::status_responses();
    for response in &responses {
        round_trip::<VerificationStatusResponse>(response);
    }
    let approved = round_trip::<VerificationStatusResponse>(&responses[1]);
    let as_sale = crate::messages::status::SaleStatusResponse::from(approved);
    assert_eq!((as_sale.order_id, as_sale.transaction), (None, None));
    let final_without_bank =
        json!({"invoiceId":"V","session":{"token":verification::TOKEN},"state":"DECLINED"});
    let error =
        decode::<VerificationStatusResponse>(&serde_json::to_vec(&final_without_bank).unwrap())
            .unwrap_err();
    assert_eq!(error.to_string(), "bankOrderId is required");
}

#[test]
fn check_and_notification_examples_round_trip() {
    round_trip::<CheckVerificationRequest>(&verification::check_request());
    let answer = round_trip::<CheckVerificationResponse>(&verification::check_response());
    assert_eq!(answer.currency(), Some("USD"));
    assert_eq!(
        answer.email().map(|e| e.as_str()),
        Some("jane.doe@example.com")
    );
    let notification = round_trip::<VerificationCardMappingNotification>(
        &verification::card_mapping_notification(),
    );
    assert_eq!(
        notification.server_card_id().map(|id| id.as_str()),
        Some("9876544")
    );
    assert_eq!(notification.bin(), Some(411_111));
    round_trip::<VerificationCardMappingResponse>(&verification::card_mapping_response());
    round_trip::<ClientCardIdRequest>(&verification::client_card_id_request());
    round_trip::<ClientCardIdResponse>(&verification::client_card_id_response());
    let sale = round_trip::<PerformSaleRequest>(&verification::perform_sale_by_verified_card());
    assert!(sale.source_of_funds.reference.is_some());
    let checked = round_trip::<CheckSaleResponse>(&verification::check_sale_by_verified_card());
    assert_eq!(
        checked.server_card_id().map(|id| id.as_str()),
        Some("9876544")
    );
}

fn validation_violations(edit: impl FnOnce(&mut Value)) -> Vec<(String, Rule)> {
    let mut sample = validation_sample();
    edit(&mut sample);
    match decode::<PerformValidationRequest>(&serde_json::to_vec(&sample).unwrap()) {
        Ok(_) => Vec::new(),
        Err(violations) => violations.into_iter().map(|v| (v.path, v.rule)).collect(),
    }
}

#[test]
fn perform_validation_validation_table() {
    let at = |path: &str, rule: Rule| vec![(path.to_owned(), rule)];
    assert_eq!(
        validation_violations(|s| s["sourceCard"]["number"] = json!("4111111111111112")),
        at("sourceCard.number", Rule::Luhn)
    );
    assert_eq!(
        validation_violations(|s| s["sourceCard"]["securityCode"] = json!("12345")),
        at("sourceCard.securityCode", Rule::Length { min: 3, max: 4 })
    );
    assert_eq!(
        validation_violations(|s| s["sourceCard"]["holder"] = json!({"lastName":"Doe"})),
        at(
            "sourceCard.holder",
            Rule::OneOfGroups("printedName, or firstName and lastName")
        )
    );
    assert!(
        validation_violations(|s| s["sourceCard"]["holder"] = json!({"printedName":"JANE DOE"}))
            .is_empty()
    );
    assert!(
        validation_violations(|s| drop(s.as_object_mut().unwrap().remove("transaction")))
            .is_empty()
    );
    assert_eq!(
        validation_violations(|s| drop(s["consumer"].as_object_mut().unwrap().remove("email"))),
        at("consumer.email", Rule::Missing)
    );
    assert_eq!(
        validation_violations(|s| s["consumer"]["email"] = json!("ab")),
        at("consumer.email", Rule::Length { min: 3, max: 128 })
    );
    assert_eq!(
        validation_violations(|s| s["transaction"]["currency"] = json!("usd")),
        at(
            "transaction.currency",
            Rule::Pattern("three upper-case letters (ISO 4217)")
        )
    );
    let reference = validation_violations(|s| {
        s["sourceOfFunds"] = json!({"reference":{"clientCardId":"cc_1","securityCode":"123"}});
    });
    assert_eq!(reference.len(), 1, "{reference:?}");
    assert_eq!(reference[0].0, "sourceOfFunds");
    assert!(matches!(reference[0].1, Rule::Forbidden(_)));
    assert_eq!(
        validation_violations(|s| {
            let body = s.as_object_mut().unwrap();
            let card = body.remove("sourceCard").unwrap();
            body.insert("sourceOfFunds".into(), json!({"card": card}));
        })[0],
        ("sourceCard".to_owned(), Rule::Missing)
    );
}
