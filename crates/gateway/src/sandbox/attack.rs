//! The attack pack ([`sandbox_api::attacks`]): what the gateway sends a Connecting Party server on purpose in one
//! sale, beside the sale's own messages, and what it keeps of the answer ([`AttackAnswer`], in the sale's record).
//!
//! The sale's own messages stay as the protocol makes them: a check sale attack is sent just before the real
//! check sale, a notification or callback attack just before the first attempt of the real delivery, and a
//! repeated callback just after the real one was delivered. So the sale ends as it would, and only the answer to
//! the attack is judged. An answer against the rule — an attack accepted (2xx), a repeated callback refused — is
//! also a contract violation seen by the gateway at the attack's step, naming the check the server is missing.

use crate::delivery::Message;
use crate::party_client::{Answer, CallError};
use crate::sale::CheckJob;
use crate::sale::violations::violation;
use crate::sandbox::tamper::with_wrong_control;
use crate::state::AppState;
use dapi::card::mask_card_numbers;
use dapi::messages::callback::Callback;
use dapi::signature::callback_control;
use dapi::{AccessToken, ErrorBody, InvoiceId, Nonce, SerialNumber, SessionToken, paths};
use sandbox_api::{Attack, AttackAnswer};
use uuid::Uuid;

/// The most characters of an answer an attack's record keeps.
const MAX_EXCERPT: usize = 200;

/// Sends the sale's check sale attack, if it has one, before its real check sale.
pub(crate) async fn before_check(state: &AppState, job: &CheckJob) {
    // A verification's check carries no attack: the attack pack is a sale's (docs/architecture.md).
    let (Some(attack), Some(sale_request)) = (attack_of(state, job), job.sale_check_request())
    else {
        return;
    };
    let mut request = sale_request.clone();
    let mut url = job.url.clone();
    match attack {
        Attack::CheckWrongNonce => request.session.nonce = other_nonce(&request.session.nonce),
        Attack::CheckWrongSerial => {
            let own = &request.consumer.device.serial_number;
            request.consumer.device.serial_number = other_serial(own);
        }
        Attack::CheckForeignToken => {
            let (serial, own) = (
                &request.consumer.device.serial_number,
                &request.session.access_token,
            );
            request.session.access_token = foreign_token(state, serial, own);
        }
        Attack::CheckUnknownInvoice => {
            let unknown = unknown_invoice();
            let Some(base) = url.strip_suffix(&paths::check_sale(&job.invoice_id)) else {
                return;
            };
            url = format!("{base}{}", paths::check_sale(&unknown));
        }
        _ => return,
    }
    let timeout = state.config().timings.check_timeout;
    let call = job.call_for_journal();
    let answer = state.party().post_json(call, &url, &request, timeout).await;
    keep(
        state,
        (&job.token, &job.endpoint_id, &job.invoice_id),
        attack,
        answer,
    );
}

/// The check sale attack of the sale `job` checks, if any.
fn attack_of(state: &AppState, job: &CheckJob) -> Option<Attack> {
    let misbehaviour = state
        .sandbox()
        .misbehaviour(&job.endpoint_id, &job.invoice_id);
    misbehaviour
        .attack
        .filter(|attack| attack.step() == dapi::steps::CHECK_SALE_RESPONSE)
}

/// Sends `attack` just before the first attempt of `message`'s real delivery: a notification for an unknown
/// session token, a callback with a forged `control`, a callback for an unknown invoice.
pub(crate) async fn before_delivery(state: &AppState, attack: Attack, message: &Message) {
    let timeout = state.config().timings.outbound_timeout;
    let answer = match (attack, message) {
        (Attack::NotificationUnknownToken, Message::Notification(job)) => {
            let unknown = SessionToken::from(Uuid::new_v4().to_string());
            let request = job.request.clone().with_token(unknown);
            state
                .party()
                .post_json(job.call(), &job.url, &request, timeout)
                .await
        }
        (Attack::CallbackForgedControl, Message::Callback(job)) => {
            let Some(endpoint) = state.endpoint(&job.endpoint_id) else {
                return;
            };
            let forged = with_wrong_control(&job.callback, &endpoint.control_key);
            state
                .party()
                .get_query(job.call(state), &job.url, &forged, timeout)
                .await
        }
        (Attack::CallbackUnknownInvoice, Message::Callback(job)) => {
            let Some(endpoint) = state.endpoint(&job.endpoint_id) else {
                return;
            };
            let unknown = for_invoice(&job.callback, unknown_invoice(), &endpoint.control_key);
            state
                .party()
                .get_query(job.call(state), &job.url, &unknown, timeout)
                .await
        }
        _ => return,
    };
    keep(state, ids_of(message), attack, answer);
}

/// Sends `attack` just after `message` was delivered: the same callback once more.
pub(crate) async fn after_delivery(state: &AppState, attack: Attack, message: &Message) {
    let (Attack::CallbackTwice, Message::Callback(job)) = (attack, message) else {
        return;
    };
    let timeout = state.config().timings.outbound_timeout;
    let answer = state
        .party()
        .get_query(job.call(state), &job.url, &job.callback, timeout)
        .await;
    keep(state, ids_of(message), attack, answer);
}

/// The sale a delivered message is about: token, endpoint, invoice.
fn ids_of(message: &Message) -> (&SessionToken, &dapi::EndpointId, &InvoiceId) {
    (message.token(), message.endpoint_id(), message.invoice_id())
}

/// Keeps what the server answered `attack` in the sale's record, and a contract violation when it answered
/// against the rule.
fn keep(
    state: &AppState,
    (token, endpoint_id, invoice_id): (&SessionToken, &dapi::EndpointId, &InvoiceId),
    attack: Attack,
    answer: Result<Answer, CallError>,
) {
    let kept = answer_of(attack, &answer);
    let against_rule = if attack.must_refuse() {
        kept.accepted()
            .then(|| format!("accepted {}", attack.sent()))
    } else {
        (!kept.accepted()).then(|| format!("did not accept {} ({})", attack.sent(), kept.excerpt))
    };
    match against_rule {
        Some(what) => {
            tracing::warn!(%attack, status = kept.status, "attack answered against the rule");
            let rule = format!("{what}: a Connecting Party server must {}", attack.check());
            state
                .store()
                .record_violations(token, [violation(attack.step(), "", rule)]);
        }
        None => tracing::info!(%attack, status = kept.status, "attack answered as required"),
    }
    state
        .sandbox()
        .keep_attack_answer(endpoint_id, invoice_id, kept);
}

/// The answer as the record keeps it: status, the documented error body's parts when there is one, an excerpt.
fn answer_of(attack: Attack, answer: &Result<Answer, CallError>) -> AttackAnswer {
    let step = attack.step().number;
    let answer = match answer {
        Ok(answer) => answer,
        Err(error) => {
            return AttackAnswer {
                attack,
                step,
                status: None,
                cause: None,
                code: None,
                message: None,
                excerpt: sandbox_api::text::excerpt(&error.to_string(), MAX_EXCERPT),
            };
        }
    };
    let body = serde_json::from_slice::<ErrorBody<String>>(answer.body()).ok();
    let error = body.map(|body| body.error);
    AttackAnswer {
        attack,
        step,
        status: Some(answer.status),
        cause: error.as_ref().map(|error| error.cause.clone()),
        code: error.as_ref().map(|error| error.code.clone()),
        message: error.map(|error| mask_card_numbers(&error.message)),
        excerpt: sandbox_api::text::excerpt(&answer.text(), MAX_EXCERPT),
    }
}

/// A 64-character nonce that is not `own`.
fn other_nonce(own: &Nonce) -> Nonce {
    let nonce = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    if nonce == own.as_str() {
        // Two UUIDs equal to the nonce the server issued: never, but a wrong nonce must be wrong.
        return Nonce::from(nonce.replace('0', "1").as_str());
    }
    Nonce::from(nonce.as_str())
}

/// A serial number that is not `own`: another device's.
fn other_serial(own: &SerialNumber) -> SerialNumber {
    let other = SerialNumber::from("SN-OTHER-DEVICE-0001");
    if other == *own {
        return SerialNumber::from("SN-OTHER-DEVICE-0002");
    }
    other
}

/// Another sale's access token, preferring one of the same device (so that only "this sale's token" can tell it
/// apart), else any other sale's, else a made-up one.
fn foreign_token(state: &AppState, serial: &SerialNumber, own: &AccessToken) -> AccessToken {
    state
        .store()
        .other_access_token(serial, own)
        .unwrap_or_else(|| AccessToken::from(Uuid::new_v4().simple().to_string().as_str()))
}

/// An invoice id no Connecting Party server issued.
fn unknown_invoice() -> InvoiceId {
    InvoiceId::from(format!("UNKNOWN-{}", Uuid::new_v4().simple()))
}

/// `callback` about `invoice_id` instead, its `control` signed again with `key`.
fn for_invoice(callback: &Callback, invoice_id: InvoiceId, key: &dapi::ControlKey) -> Callback {
    let control = callback_control(
        key,
        callback.status.as_str(),
        callback.orderid.as_str(),
        invoice_id.as_str(),
    );
    Callback {
        merchant_order: invoice_id.clone(),
        client_orderid: invoice_id,
        control,
        ..callback.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_values_are_never_the_right_ones() {
        let nonce = Nonce::from("7f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60");
        assert_ne!(other_nonce(&nonce), nonce);
        assert_eq!(other_nonce(&nonce).as_str().len(), 64);
        let serial = SerialNumber::from("SN-OTHER-DEVICE-0001");
        assert_ne!(other_serial(&serial), serial);
        assert!(unknown_invoice().as_str().starts_with("UNKNOWN-"));
    }

    #[test]
    fn a_callback_for_another_invoice_is_signed_for_it() {
        let key = dapi::ControlKey::parse(dapi::SANDBOX_CONTROL_KEY).unwrap();
        let callback = crate::sale::CallbackJob::sample("INV-1").callback;
        let moved = for_invoice(&callback, "UNKNOWN-1".into(), &key);
        assert!(moved.verify(&key).is_ok());
        assert_eq!(moved.merchant_order.as_str(), "UNKNOWN-1");
        assert_eq!(moved.client_orderid.as_str(), "UNKNOWN-1");
        assert_eq!(moved.status, callback.status);
    }

    #[test]
    fn an_answer_keeps_the_documented_error_body_and_no_answer_its_reason() {
        let none = answer_of(Attack::CheckWrongNonce, &Err(CallError::Timeout));
        assert_eq!(
            (none.status, none.excerpt.as_str(), none.step),
            (None, "timeout", 9)
        );
        let body = br#"{"error":{"cause":"INVALID_REQUEST","code":"DAPI-403-NONCE","message":"nonce 4111111111111111"}}"#;
        let refused = answer_of(Attack::CheckWrongNonce, &Ok(Answer::of(403, body)));
        assert_eq!(refused.status, Some(403));
        assert_eq!(refused.cause.as_deref(), Some("INVALID_REQUEST"));
        assert_eq!(refused.code.as_deref(), Some("DAPI-403-NONCE"));
        assert_eq!(refused.message.as_deref(), Some("nonce 411111******1111"));
        assert!(!refused.accepted() && !refused.excerpt.contains("4111111111111111"));
        let plain = answer_of(Attack::CallbackTwice, &Ok(Answer::of(200, b"OK")));
        assert!(plain.accepted() && plain.cause.is_none());
        assert_eq!(plain.excerpt, "OK");
    }
}
