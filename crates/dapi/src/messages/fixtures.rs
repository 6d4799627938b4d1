//! Every sample of the spec's messages (`crate::samples`) decodes, validates, round-trips and, where signed,
//! verifies with the sandbox key.
#![allow(clippy::panic, reason = "a test fails loudly")]

use super::callback::Callback;
use super::check::{
    CardMappingNotification, CardMappingResponse, CheckSaleRequest, CheckSaleResponse,
};
use super::initiate::{
    AccessTokenRequest, AccessTokenResponse, ClientCardIdRequest, ClientCardIdResponse,
    InitiateSaleRequest, InitiateSaleResponse,
};
use super::perform::{PerformSaleRequest, PerformSaleResponse};
use super::status::{SaleStatusRequest, SaleStatusResponse};
use crate::error::{ErrorBody, PartyCause, PerformSaleCause, StatusCause};
use crate::samples::{self, Sample};
use crate::signature::{
    CheckSaleSigned, ControlKey, NotificationSigned, SaleSigned, sign, verify_callback_control,
};
use crate::validate::{Rule, Validate, decode, parse};
use crate::{SANDBOX_CONTROL_KEY, SANDBOX_ENDPOINT_ID};
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

#[test]
fn initiate_sale_samples_round_trip() {
    round_trip::<AccessTokenRequest>(&samples::access_token_request());
    round_trip::<AccessTokenResponse>(&samples::access_token_response());
    round_trip::<InitiateSaleRequest>(&samples::initiate_sale_request());
    round_trip::<InitiateSaleResponse>(&samples::initiate_sale_response());
    round_trip::<ClientCardIdRequest>(&samples::client_card_id_request());
    round_trip::<ClientCardIdResponse>(&samples::client_card_id_response());
}

#[test]
fn check_sale_and_notification_samples_round_trip() {
    round_trip::<CheckSaleRequest>(&samples::check_sale_request());
    round_trip::<CheckSaleResponse>(&samples::check_sale_response());
    let repeat = round_trip::<CheckSaleRequest>(&samples::check_sale_repeat_request());
    assert!(repeat.client_card_id().is_some());
    let mapped = round_trip::<CheckSaleResponse>(&samples::check_sale_repeat_response());
    assert_eq!(
        mapped.server_card_id().map(|id| id.as_str()),
        Some("9876543")
    );
    let notification = round_trip::<CardMappingNotification>(&samples::card_mapping_notification());
    assert_eq!(
        notification.server_card_id().map(|id| id.as_str()),
        Some("9876543")
    );
    round_trip::<CardMappingResponse>(&samples::card_mapping_response());
}

#[test]
fn check_response_accepts_a_numeric_server_card_id() {
    let mut body = samples::check_sale_repeat_response().value;
    body["sourceOfFunds"]["reference"]["serverCardId"] = json!(9_876_543);
    let response: CheckSaleResponse = decode(&serde_json::to_vec(&body).unwrap()).unwrap();
    assert_eq!(
        response.server_card_id().map(|id| id.as_str()),
        Some("9876543")
    );
}

#[test]
fn perform_and_status_samples_round_trip() {
    round_trip::<PerformSaleRequest>(&samples::perform_sale_request());
    round_trip::<PerformSaleRequest>(&samples::perform_sale_repeat_request());
    round_trip::<PerformSaleRequest>(&samples::perform_sale_full_request());
    round_trip::<PerformSaleResponse>(&samples::perform_sale_response());
    round_trip::<SaleStatusRequest>(&samples::sale_status_request());
    let statuses: Vec<SaleStatusResponse> = samples::sale_status_responses()
        .iter()
        .map(round_trip)
        .collect();
    assert!(
        statuses
            .iter()
            .any(|status| status.secure_3d_auth_status.is_some())
    );
}

#[test]
fn error_samples_decode_with_their_message_causes() {
    let decodes = |sample: Sample| serde_json::to_vec(&sample.value).unwrap();
    parse::<ErrorBody<PartyCause>>(&decodes(samples::party_error())).unwrap();
    parse::<ErrorBody<PerformSaleCause>>(&decodes(samples::perform_sale_error())).unwrap();
    parse::<ErrorBody<StatusCause>>(&decodes(samples::sale_status_error())).unwrap();
}

#[test]
fn the_callback_sample_is_signed_with_the_sandbox_key() {
    let key = ControlKey::parse(SANDBOX_CONTROL_KEY).unwrap();
    let pairs: Vec<(String, String)> = url_pairs(samples::CALLBACK_QUERY);
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_else(|| panic!("{name} in the callback sample"))
    };
    let control = value("control");
    assert_eq!(
        verify_callback_control(
            &key,
            &value("status"),
            &value("orderid"),
            &value("client_orderid"),
            &control
        ),
        Ok(())
    );
    let object: serde_json::Map<String, Value> = pairs
        .into_iter()
        .map(|(key, value)| (key, Value::String(value)))
        .collect();
    let callback: Callback = serde_json::from_value(Value::Object(object)).unwrap();
    assert_eq!(callback.amount, "10.50");
}

/// The sample query has no percent-encoding, so splitting is enough here.
fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

#[test]
fn signed_samples_verify_with_the_sandbox_key() {
    let key = ControlKey::parse(SANDBOX_CONTROL_KEY).unwrap();
    let initiate = samples::initiate_sale_response().value;
    let request = samples::initiate_sale_request().value;
    let text = |value: &Value, pointer: &str| {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap()
            .to_owned()
    };
    let (nonce, invoice) = (
        text(&initiate, "/session/nonce"),
        text(&initiate, "/invoiceId"),
    );
    let serial = text(&request, "/consumer/device/serialNumber");
    let sale = SaleSigned {
        access_token: &text(&request, "/session/accessToken"),
        serial_number: &serial,
        endpoint_id: SANDBOX_ENDPOINT_ID,
        nonce: &nonce,
        invoice_id: &invoice,
        amount_centis: 1050,
        currency: "EUR",
    };
    assert_eq!(
        sign(&key, &sale.string_to_sign()).to_string(),
        text(&initiate, "/session/signature")
    );
    for (response, server_card_id) in [
        (samples::check_sale_response().value, None),
        (samples::check_sale_repeat_response().value, Some("9876543")),
    ] {
        let check = CheckSaleSigned {
            serial_number: &serial,
            nonce: &nonce,
            endpoint_id: SANDBOX_ENDPOINT_ID,
            invoice_id: &invoice,
            server_card_id,
        };
        let expected = text(&response, "/session/checkSignature");
        assert_eq!(sign(&key, &check.string_to_sign()).to_string(), expected);
    }
    let notification = NotificationSigned {
        nonce: &nonce,
        endpoint_id: SANDBOX_ENDPOINT_ID,
        invoice_id: &invoice,
    };
    let expected = text(
        &samples::card_mapping_response().value,
        "/session/checkSignature",
    );
    assert_eq!(
        sign(&key, &notification.string_to_sign()).to_string(),
        expected
    );
}

fn perform_sample() -> Value {
    samples::perform_sale_request().value
}

const TOKEN: &str = "0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b";

fn perform_violations(edit: impl FnOnce(&mut Value)) -> Vec<(String, Rule)> {
    let mut sample = perform_sample();
    edit(&mut sample);
    match decode::<PerformSaleRequest>(&serde_json::to_vec(&sample).unwrap()) {
        Ok(_) => Vec::new(),
        Err(violations) => violations.into_iter().map(|v| (v.path, v.rule)).collect(),
    }
}

#[test]
fn perform_sale_validation_table() {
    let at = |path: &str, rule: Rule| vec![(path.to_owned(), rule)];
    assert_eq!(
        perform_violations(|s| s["sourceOfFunds"]["card"]["number"] = json!("4111111111111112")),
        at("sourceOfFunds.card.number", Rule::Luhn)
    );
    assert_eq!(
        perform_violations(|s| s["sourceOfFunds"]["card"]["number"] = json!("4111-1111")),
        at("sourceOfFunds.card.number", Rule::Digits)
    );
    assert_eq!(
        perform_violations(|s| s["sourceOfFunds"]["card"]["securityCode"] = json!("12")),
        at(
            "sourceOfFunds.card.securityCode",
            Rule::Length { min: 3, max: 4 }
        )
    );
    assert_eq!(
        perform_violations(|s| s["sourceOfFunds"]["reference"] =
            json!({"clientCardId":"cc_1","securityCode":"123"})),
        at("sourceOfFunds", Rule::ExactlyOneOf(&["card", "reference"]))
    );
    assert_eq!(
        perform_violations(|s| s["sourceOfFunds"] = json!({})),
        at("sourceOfFunds", Rule::ExactlyOneOf(&["card", "reference"]))
    );
    assert_eq!(
        perform_violations(|s| s["sourceOfFunds"]["card"]["holder"] = json!({"firstName":"JANE"})),
        at(
            "sourceOfFunds.card.holder",
            Rule::OneOfGroups("printedName, or firstName and lastName")
        )
    );
    assert!(
        perform_violations(
            |s| s["sourceOfFunds"]["card"]["holder"] = json!({"firstName":"JANE","lastName":"DOE"})
        )
        .is_empty()
    );
    assert_eq!(
        perform_violations(|s| s["consumer"]["device"]["serialNumber"] = json!("x".repeat(51))),
        at(
            "consumer.device.serialNumber",
            Rule::Length { min: 1, max: 50 }
        )
    );
    assert_eq!(
        perform_violations(|s| s["session"]["nonce"] = json!("short")),
        at("session.nonce", Rule::Length { min: 32, max: 128 })
    );
    assert_eq!(
        perform_violations(|s| s["transaction"]["currency"] = json!("eur")),
        at(
            "transaction.currency",
            Rule::Pattern("three upper-case letters (ISO 4217)")
        )
    );
    assert_eq!(
        perform_violations(|s| s["sourceOfFunds"]["card"]["expiry"]["month"] = json!(13)),
        at(
            "sourceOfFunds.card.expiry.month",
            Rule::Range {
                min: "1".into(),
                max: "12".into()
            }
        )
    );
    assert_eq!(
        perform_violations(|s| s["location"] = json!({"lat": 91.0})),
        at(
            "location.lat",
            Rule::Range {
                min: "-90".into(),
                max: "90".into()
            }
        )
    );
    assert_eq!(
        perform_violations(|s| s["session"]
            .as_object_mut()
            .unwrap()
            .remove("signature")
            .map(drop)
            .unwrap_or_default()),
        at("session.signature", Rule::Missing)
    );
    let wrong_type = perform_violations(|s| s["transaction"]["amountCentis"] = json!("1050"));
    assert_eq!(wrong_type.len(), 1);
    assert_eq!(wrong_type[0].0, "transaction.amountCentis");
    let huge = perform_violations(|s| s["transaction"]["amountCentis"] = json!(1e30));
    assert_eq!(huge[0].0, "transaction.amountCentis");
}

#[test]
fn status_response_requires_conditional_fields() {
    let body = json!({"invoiceId":"INV-1","session":{"token":TOKEN},"state":"REDIRECT_REQUEST"});
    let error = decode::<SaleStatusResponse>(&serde_json::to_vec(&body).unwrap()).unwrap_err();
    assert_eq!(error.to_string(), "redirectUrl is required");
    let body = json!({"invoiceId":"INV-1","session":{"token":TOKEN},"state":"DECLINED"});
    let error = decode::<SaleStatusResponse>(&serde_json::to_vec(&body).unwrap()).unwrap_err();
    assert_eq!(error.to_string(), "bankOrderId is required");
}

fn check_answer_violations(edit: impl FnOnce(&mut Value)) -> Vec<(String, Rule)> {
    let mut answer = samples::check_sale_response().value;
    edit(&mut answer);
    match decode::<CheckSaleResponse>(&serde_json::to_vec(&answer).unwrap()) {
        Ok(_) => Vec::new(),
        Err(violations) => violations.into_iter().map(|v| (v.path, v.rule)).collect(),
    }
}

/// Spec A25: the spec page's check answer example carries `sourceOfFunds.card`; it is read, checked like a
/// perform's card number, and refused next to a reference.
#[test]
fn a_check_answer_may_carry_card_data_but_never_with_a_reference() {
    let card = json!({"number":"4111111111111111","expiry":{"month":12,"year":2030},
        "holder":{"firstName":"JANE","lastName":"DOE"}});
    let mut sample = samples::check_sale_response();
    sample.value["sourceOfFunds"] = json!({"card":card});
    let answer = round_trip::<CheckSaleResponse>(&sample);
    let read = answer
        .source_of_funds
        .and_then(|source| source.card)
        .unwrap();
    assert_eq!(read.number.masked(), "411111******1111");
    assert!(!format!("{read:?}").contains("4111111111111111"));
    let both = check_answer_violations(|a| {
        a["sourceOfFunds"] = json!({"card":card,"reference":{"serverCardId":"9876543"}});
    });
    assert_eq!(
        both,
        [(
            "sourceOfFunds".to_owned(),
            Rule::Pattern("a reference or a card, never both (spec A25)")
        )]
    );
    let bad = check_answer_violations(|a| {
        a["sourceOfFunds"] = json!({"card":{"number":"4111111111111112"}});
    });
    assert_eq!(bad, [("sourceOfFunds.card.number".to_owned(), Rule::Luhn)]);
}

#[test]
fn birth_day_country_and_ip_addresses_follow_their_formats() {
    let pattern = |path: &str, rule: &'static str| vec![(path.to_owned(), Rule::Pattern(rule))];
    let date = "a date written ddMMyyyy, e.g. 17051990";
    assert!(perform_violations(|s| s["consumer"]["birthDay"] = json!("17051990")).is_empty());
    assert_eq!(
        perform_violations(|s| s["consumer"]["birthDay"] = json!("19900517")),
        pattern("consumer.birthDay", date)
    );
    assert_eq!(
        perform_violations(|s| s["consumer"]["birthDay"] = json!("31021990")),
        pattern("consumer.birthDay", date)
    );
    let country = "three letters (ISO 3166-1 alpha-3)";
    assert!(perform_violations(|s| s["billing"] = json!({"address":{"country":"DEU"}})).is_empty());
    assert_eq!(
        perform_violations(|s| s["billing"] = json!({"address":{"country":"D1U"}})),
        pattern("billing.address.country", country)
    );
    let ip = "an IPv4 address, e.g. 10.0.0.7";
    assert!(perform_violations(|s| s["consumer"]["ipAddresses"] = json!(["10.0.0.7"])).is_empty());
    assert_eq!(
        perform_violations(|s| s["consumer"]["ipAddresses"] = json!(["10.0.0.7", "10.0.0.300"])),
        pattern("consumer.ipAddresses[1]", ip)
    );
    let initiate = json!({"consumer":{"device":{"serialNumber":"SN-1"},"ipAddresses":["not an ip"]},
        "session":{"accessToken":"a3f1c2d4e5b60718293a4b5c6d7e8f90"},
        "transaction":{"amountCentis":1050,"currency":"EUR"}});
    let error = decode::<InitiateSaleRequest>(&serde_json::to_vec(&initiate).unwrap()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("consumer.ipAddresses[0] must be {ip}")
    );
}

#[test]
fn a_callback_control_must_be_forty_hex_digits() {
    use super::callback::{Callback, CallbackFields};
    let key = crate::ControlKey::parse(crate::SANDBOX_CONTROL_KEY).unwrap();
    let fields = CallbackFields {
        kind: "sale".into(),
        status: crate::CallbackStatus::Approved,
        invoice_id: "INV-1".into(),
        order_id: "5021334".into(),
        amount_centis: 1050,
        currency: "EUR".into(),
        error_code: None,
        error_message: None,
    };
    let signed = Callback::sign(fields, &key);
    let check = |control: String| {
        let callback = Callback {
            control,
            ..signed.clone()
        };
        let mut violations = crate::Violations::default();
        callback.validate(&mut violations);
        violations.to_string()
    };
    assert_eq!(check(signed.control.clone()), "");
    assert_eq!(check(signed.control.to_uppercase()), "");
    let rule = "control must be 40 hexadecimal digits (a SHA-1)";
    assert_eq!(
        check(
            signed
                .control
                .replacen(|c: char| c.is_ascii_hexdigit(), "z", 1)
        ),
        rule
    );
    assert_eq!(check("07f460e2".to_owned()), rule);
}
