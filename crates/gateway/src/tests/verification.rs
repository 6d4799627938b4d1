//! Card verifications against the reference party (addendum §2, §5): the life of one — checked, approved without
//! or with 3-D Secure, declined by CVV or by a failed check — its messages and callback, and a repeat sale by the
//! card it mapped (the e-mail rule included). Its bad input is `verification_bad_input`'s.

use super::reference_party::ReferenceParty;
use super::support::*;
use crate::AppState;
use crate::sale::approval::NotificationBody;
use axum::http::StatusCode;
use dapi::CallbackStatus;
use sandbox_api::DeliveryKind;
use serde_json::{Value, json};
use std::time::Duration;

pub(super) async fn start() -> (ReferenceParty, AppState) {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |_| {});
    (party, state)
}

pub(super) fn validation_uri(invoice: &str) -> String {
    format!("/paynet/dapi/v1/verification/{ENDPOINT}/{invoice}")
}

/// A perform validation body (addendum §2.3) for these terms, in USD.
pub(super) fn validation(terms: &Terms, cvv: &str) -> Value {
    json!({"consumer":{"device":{"serialNumber":SERIAL},"email":EMAIL},
        "session":{"accessToken":terms.access_token,"nonce":terms.nonce,"signature":terms.signature},
        "sourceCard":{"number":"4111111111111111","securityCode":cvv,"expiry":{"month":12,"year":2030},
            "holder":{"firstName":"Jane","lastName":"Doe"}},
        "transaction":{"currency":"USD"}})
}

pub(super) async fn perform_validation(state: &AppState, terms: &Terms, body: &Value) -> String {
    let (code, answer) = send(state, post_json(&validation_uri(&terms.invoice), body)).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["invoiceId"], terms.invoice.as_str());
    answer["session"]["token"].as_str().unwrap().to_owned()
}

/// One verification status poll, on the verification's path.
pub(super) async fn verification_status(
    state: &AppState,
    terms: &Terms,
    token: &str,
) -> (StatusCode, Value) {
    let body = json!({"session":{"accessToken":terms.access_token,"token":token}});
    let uri = format!("{}/status", validation_uri(&terms.invoice));
    send(state, post_json(&uri, &body)).await
}

pub(super) async fn wait_for_verification(
    state: &AppState,
    terms: &Terms,
    token: &str,
    wanted: &[&str],
) -> Value {
    let poll = async {
        loop {
            let (code, answer) = verification_status(state, terms, token).await;
            assert_eq!(code, StatusCode::OK, "{answer}");
            if wanted.iter().any(|wanted| answer["state"] == *wanted) {
                return answer;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), poll)
        .await
        .expect("the verification should reach the wanted state within 10 s")
}

#[tokio::test]
async fn a_verification_is_checked_mapped_approved_and_called_back_without_an_amount() {
    let (mut party, state) = start().await;
    let verification = party.verification().await;
    let token = perform_validation(&state, &verification, &validation(&verification, "123")).await;
    assert!(party.checked(&verification.invoice).await);
    let (_, server_card_id) = party.card_mapped(&verification.invoice).await;
    let NotificationBody::Verification(notification) =
        sent_notification_body(&state, &verification.invoice)
    else {
        panic!("a verification sends the verification card mapping notification")
    };
    let reference = notification.reference.as_ref().unwrap();
    assert_eq!(reference.server_card_id, server_card_id);
    assert_eq!(
        reference.unique_reference_card_id,
        Some(1_999_300_904_542_682_277)
    );
    assert_eq!(notification.bin(), Some(411_111));

    let answer =
        wait_for_verification(&state, &verification, &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(
        (&answer["state"], &answer["secure3DAuthStatus"]),
        (&"APPROVED".into(), &"AUTHENTICATED".into())
    );
    assert!(answer["bankOrderId"].is_string());
    assert!(
        answer.get("orderId").is_none() && answer.get("transaction").is_none(),
        "V11: {answer}"
    );
    assert!(state.store().card(&server_card_id).unwrap().confirmed);

    assert_eq!(
        party.callback(&verification.invoice).await.0,
        CallbackStatus::Approved
    );
    let callback = sent_callback(&state, &verification.invoice);
    assert_eq!(
        (
            callback.kind.as_str(),
            callback.amount.as_str(),
            callback.currency.as_str()
        ),
        ("account-verification", "0.00", "USD")
    );
    assert_eq!(party.record(&verification.invoice).violations, []);
    assert_eq!(violations(&state, &verification.invoice), []);
    let record = format!("/sim/verifications/{ENDPOINT}/{}", verification.invoice);
    let (code, body) = send(
        &state,
        axum::http::Request::get(&record)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!((code, &body["state"]), (StatusCode::OK, &json!("APPROVED")));
    let as_sale = format!("/sim/sales/{ENDPOINT}/{}", verification.invoice);
    let (code, _) = send(
        &state,
        axum::http::Request::get(&as_sale)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        code,
        StatusCode::NOT_FOUND,
        "a verification's record is under /sim/verifications/"
    );
}

#[tokio::test]
async fn a_verified_card_pays_a_sale_by_reference_and_its_e_mail_must_come_with_it() {
    let (party, state) = start().await;
    let verification = party.verification().await;
    let token = perform_validation(&state, &verification, &validation(&verification, "111")).await;
    let answer =
        wait_for_verification(&state, &verification, &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(answer["secure3DAuthStatus"], "UNSUPPORTED");
    let client_card_id = party.verified_card(&verification).await;

    let sale = party.sale_with(&verification).await;
    let body = reference_perform(&sale, client_card_id.as_str(), Some(&EMAIL.to_uppercase()));
    let token = perform(&state, &sale.invoice, &body).await;
    let answer = wait_for_state(&state, &sale, &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(answer["state"], "APPROVED", "{answer}");
    assert_eq!(
        kinds_sent(&state, &sale.invoice),
        [DeliveryKind::Callback],
        "no notification (A11)"
    );

    let other = party.sale_with(&verification).await;
    let body = reference_perform(&other, client_card_id.as_str(), None);
    let token = perform(&state, &other.invoice, &body).await;
    let answer = wait_for_state(&state, &other, &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(
        answer["errorMessage"], "check sale failed: consumer.email mismatch",
        "{answer}"
    );
    let found = violations(&state, &other.invoice);
    assert_eq!(
        (found[0].step, found[0].path.as_str()),
        (6, "consumer.email")
    );
}

#[tokio::test]
async fn three_ds_verifies_with_the_password_and_a_wrong_one_maps_nothing() {
    let (mut party, state) = start().await;
    let form = "application/x-www-form-urlencoded";
    for (password, state_wanted, secure_3d) in [
        ("hint", "APPROVED", "AUTHENTICATED"),
        ("wrong", "DECLINED", "NOT_AUTHENTICATED"),
    ] {
        let verification = party.verification().await;
        let token =
            perform_validation(&state, &verification, &validation(&verification, "321")).await;
        let answer =
            wait_for_verification(&state, &verification, &token, &["REDIRECT_REQUEST"]).await;
        assert_eq!(
            answer["redirectUrl"],
            format!("http://gw.test/sim/3ds/{token}")
        );
        let page = format!("/sim/3ds/{token}");
        let (code, _, html) = send_full(
            &state,
            axum::http::Request::get(&page)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
        assert!(
            code == StatusCode::OK && html.contains("0.00 USD"),
            "{html}"
        );
        let answered = format!("password={password}&action=submit");
        let (code, _, _) = send_full(&state, post_raw(&page, form, answered)).await;
        assert_eq!(code, StatusCode::SEE_OTHER);
        let answer =
            wait_for_verification(&state, &verification, &token, &["APPROVED", "DECLINED"]).await;
        assert_eq!(
            (&answer["state"], &answer["secure3DAuthStatus"]),
            (&state_wanted.into(), &secure_3d.into())
        );
        let callback = party.callback(&verification.invoice).await.0;
        let mapped =
            kinds_sent(&state, &verification.invoice).contains(&DeliveryKind::Notification);
        assert_eq!(
            (callback == CallbackStatus::Approved, mapped),
            (password == "hint", password == "hint")
        );
    }
}

#[tokio::test]
async fn decline_cvvs_and_a_wrong_check_signature_decline_without_a_mapping() {
    let (mut party, state) = start().await;
    let verification = party.verification().await;
    let token = perform_validation(&state, &verification, &validation(&verification, "116")).await;
    let answer =
        wait_for_verification(&state, &verification, &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(
        (&answer["state"], &answer["errorCode"]),
        (&"DECLINED".into(), &116.into())
    );
    assert_eq!(
        party.callback(&verification.invoice).await.0,
        CallbackStatus::Declined
    );
    assert_eq!(
        kinds_sent(&state, &verification.invoice),
        [DeliveryKind::Callback]
    );

    let verification = party.verification().await;
    party
        .misbehave_verification(
            &verification.invoice,
            json!({"check":"wrong-check-signature"}),
        )
        .await;
    let token = perform_validation(&state, &verification, &validation(&verification, "123")).await;
    let answer =
        wait_for_verification(&state, &verification, &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(
        answer["errorMessage"], "check verification failed: bad checkSignature",
        "{answer}"
    );
    let (observer, step, path, _) = only_violation(&state, &verification.invoice);
    assert_eq!(
        (observer, step, path.as_str()),
        (sandbox_api::Observer::Gateway, 9, "session.checkSignature")
    );
    assert_eq!(
        violations(&state, &verification.invoice)[0].message,
        "Check verification response"
    );
    assert_eq!(
        party.callback(&verification.invoice).await.0,
        CallbackStatus::Declined
    );
}

#[tokio::test]
async fn without_a_currency_the_signature_waits_for_the_check_which_names_it() {
    let (mut party, state) = start().await;
    let verification = party.verification().await;
    let mut body = validation(&verification, "123");
    body.as_object_mut().unwrap().remove("transaction");
    body["session"]["signature"] = json!("0".repeat(40));
    let token = perform_validation(&state, &verification, &body).await;
    let answer =
        wait_for_verification(&state, &verification, &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(
        answer["state"], "DECLINED",
        "the party refuses the wrong signature: {answer}"
    );
    assert_eq!(
        party.callback(&verification.invoice).await.0,
        CallbackStatus::Declined
    );

    let verification = party.verification().await;
    let mut body = validation(&verification, "123");
    body.as_object_mut().unwrap().remove("transaction");
    let token = perform_validation(&state, &verification, &body).await;
    let answer =
        wait_for_verification(&state, &verification, &token, &["APPROVED", "DECLINED"]).await;
    assert_eq!(answer["state"], "APPROVED", "{answer}");
    party.callback(&verification.invoice).await;
    assert_eq!(
        sent_callback(&state, &verification.invoice).currency,
        "USD",
        "learned from the check"
    );
}
