//! Every JSON example of the addendum decodes, validates and round-trips; the rules that differ from the sale's
//! are pinned by table.
#![allow(clippy::panic, reason = "a test fails loudly")]

use super::check::{CheckVerificationRequest, CheckVerificationResponse};
use super::initiate::{InitiateVerificationRequest, InitiateVerificationResponse};
use super::notification::{VerificationCardMappingNotification, VerificationCardMappingResponse};
use super::status::{VerificationStatusRequest, VerificationStatusResponse};
use super::validation::{PerformValidationRequest, PerformValidationResponse};
use crate::validate::{Rule, Validate, decode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const ACCESS_TOKEN: &str = "Zq7Rt2Wv9Xy4Ab6Cd8Ef0Gh1Ij3Kl5Mn7Op9Qr2St4Uv6Wx8Yz0AaBbCcDdEeFfG";
const NONCE: &str = "Nq4Lm8Pz2Rx6Tv0Wb3Yd7Fh1Jk5Ns9Qc";
const SIGNATURE: &str = "9435DB3B3B091721D5FD861E5FDBB192CD589EFD";
const TOKEN: &str = "5c7e2a90-1b3d-4f6a-9e8c-7d6b5a4f3e2d";

fn round_trip<T: DeserializeOwned + Serialize + Validate>(sample: &Value) -> T {
    let bytes = serde_json::to_vec(sample).unwrap();
    let message: T = decode(&bytes).unwrap_or_else(|violations| panic!("{violations}"));
    assert_eq!(&serde_json::to_value(&message).unwrap(), sample);
    message
}

fn validation_sample() -> Value {
    json!({"consumer":{"device":{"serialNumber":"SN-IOS-0042"},"email":"jane.doe@example.com"},
        "session":{"accessToken":ACCESS_TOKEN,"nonce":NONCE,"signature":SIGNATURE},
        "sourceCard":{"number":"4111111111111111","securityCode":"321","expiry":{"month":12,"year":2030},
            "holder":{"firstName":"Jane","lastName":"Doe"}},
        "transaction":{"currency":"USD"}})
}

#[test]
fn initiate_verification_examples_round_trip() {
    round_trip::<InitiateVerificationRequest>(
        &json!({"consumer":{"device":{"serialNumber":"SN-IOS-0042"},"ipAddresses":["10.0.0.9"]},
        "session":{"accessToken":ACCESS_TOKEN},"transaction":{"currency":"USD"}}),
    );
    round_trip::<InitiateVerificationResponse>(
        &json!({"endpointId":"5678","invoiceId":"VER-2024-000107",
        "session":{"nonce":NONCE,"signature":SIGNATURE}}),
    );
    // An amount sent anyway is ignored (addendum §2.2 decision).
    let with_amount = json!({"consumer":{"device":{"serialNumber":"SN-1"}},"session":{"accessToken":ACCESS_TOKEN},
        "transaction":{"currency":"USD","amountCentis":100}});
    assert!(
        decode::<InitiateVerificationRequest>(&serde_json::to_vec(&with_amount).unwrap()).is_ok()
    );
}

#[test]
fn perform_validation_and_status_examples_round_trip() {
    let request = round_trip::<PerformValidationRequest>(&validation_sample());
    assert_eq!(request.currency(), Some("USD"));
    round_trip::<PerformValidationResponse>(
        &json!({"invoiceId":"VER-2024-000107","session":{"token":TOKEN}}),
    );
    round_trip::<VerificationStatusRequest>(
        &json!({"session":{"accessToken":ACCESS_TOKEN,"token":TOKEN}}),
    );
    round_trip::<VerificationStatusResponse>(
        &json!({"invoiceId":"VER-2024-000107","session":{"token":TOKEN},"state":"REDIRECT_REQUEST",
        "redirectUrl":format!("http://127.0.0.1:8080/sim/3ds/{TOKEN}")}),
    );
    let approved = round_trip::<VerificationStatusResponse>(
        &json!({"invoiceId":"VER-2024-000107","session":{"token":TOKEN},"state":"APPROVED",
        "bankOrderId":"BNK-7741-0098901","secure3DAuthStatus":"AUTHENTICATED"}),
    );
    let as_sale = crate::messages::status::SaleStatusResponse::from(approved.clone());
    assert_eq!((as_sale.order_id, as_sale.transaction), (None, None));
    let final_without_bank = json!({"invoiceId":"V","session":{"token":TOKEN},"state":"DECLINED"});
    let error =
        decode::<VerificationStatusResponse>(&serde_json::to_vec(&final_without_bank).unwrap())
            .unwrap_err();
    assert_eq!(error.to_string(), "bankOrderId is required");
}

#[test]
fn check_and_notification_examples_round_trip() {
    round_trip::<CheckVerificationRequest>(
        &json!({"consumer":{"device":{"serialNumber":"SN-IOS-0042"}},
        "session":{"accessToken":ACCESS_TOKEN,"nonce":NONCE,"signature":SIGNATURE,"token":TOKEN}}),
    );
    let answer = round_trip::<CheckVerificationResponse>(&json!({"invoiceId":"VER-2024-000107",
        "session":{"checkSignature":"4B337C88ED3BCA0ABDB030CDB112E3443D70F9AD","nonce":NONCE,"token":TOKEN},
        "consumer":{"email":"jane.doe@example.com"},"transaction":{"currency":"USD"}}));
    assert_eq!(answer.currency(), Some("USD"));
    assert_eq!(
        answer.email().map(|e| e.as_str()),
        Some("jane.doe@example.com")
    );
    let notification = round_trip::<VerificationCardMappingNotification>(
        &json!({"consumer":{"device":{"serialNumber":"SN-IOS-0042"}},
        "reference":{"serverCardId":"9876544","uniqueReferenceCardId":1_999_300_904_542_682_277_u64},
        "session":{"accessToken":ACCESS_TOKEN,"token":TOKEN},"sourceCard":{"bin":411_111}}),
    );
    assert_eq!(
        notification.server_card_id().map(|id| id.as_str()),
        Some("9876544")
    );
    assert_eq!(notification.bin(), Some(411_111));
    round_trip::<VerificationCardMappingResponse>(&json!({"invoiceId":"VER-2024-000107",
        "session":{"checkSignature":"C2D1AE3D747E1D4C365A673B3AE885D4C5F7C188","nonce":NONCE,"token":TOKEN}}));
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
