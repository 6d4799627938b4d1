//! [`Tamper`]: what the sandbox does wrong on purpose to one delivery, planned once when the delivery opens from
//! the sale's misbehaviour, and the deviating attempts themselves. Every wrong `control` the gateway ever sends
//! is made here.
//!
//! An attack of the attack pack plans [`Tamper::Attack`]: the delivery's own attempts stay correct, and
//! `super::attack` sends the attack beside them (before the first attempt, or after the delivery).
//!
//! Misbehaviour `wrong-control` makes a callback's first attempt carry a `control` over the wrong fields; later
//! attempts (and replays, whose numbers continue) are the correct callback, so the Connecting Party must refuse
//! the first and accept a retry (at-least-once delivery). Its refusal is expected; a 2xx to it is a contract
//! violation (step 24).

use crate::delivery::{Message, Tried, Verdict};
use crate::sale::CallbackJob;
use crate::sale::violations::violation;
use crate::state::AppState;
use dapi::messages::callback::Callback;
use dapi::signature::callback_control;
use dapi::{ControlKey, steps};
use sandbox_api::{Attack, CallbackMisbehaviour};

/// A delivery's planned deviation; [`Tamper::None`] delivers every attempt as specified.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Tamper {
    /// Every attempt as specified.
    #[default]
    None,
    /// Misbehaviour `wrong-control`: attempt 1 of a callback carries a wrong `control`.
    WrongFirstControl,
    /// An attack of the attack pack, sent beside the delivery ([`super::attack`]): every attempt of the delivery
    /// itself is as specified.
    Attack(Attack),
}

/// One attempt bent on purpose, replacing the message's own.
#[derive(Debug)]
pub(crate) enum Deviation<'a> {
    /// The callback with a `control` over the wrong fields.
    WrongControl(&'a CallbackJob),
}

impl Tamper {
    /// The plan for a message about to be delivered, from its sale's misbehaviour as set now.
    pub(crate) fn plan(state: &AppState, message: &Message) -> Self {
        let misbehaviour = state
            .sandbox()
            .misbehaviour(message.endpoint_id(), message.invoice_id());
        let step = match message {
            Message::Notification(_) => steps::CARD_MAPPING_RESPONSE,
            Message::Callback(_) => steps::CALLBACK_RESPONSE,
        };
        if let Some(attack) = misbehaviour.attack.filter(|attack| attack.step() == step) {
            return Self::Attack(attack);
        }
        match (message, misbehaviour.callback) {
            (Message::Callback(_), Some(CallbackMisbehaviour::WrongControl)) => {
                Self::WrongFirstControl
            }
            _ => Self::None,
        }
    }

    /// Sends what is planned before the delivery's first attempt, if anything (an attack).
    pub(crate) async fn before_first_attempt(self, state: &AppState, message: &Message) {
        if let Self::Attack(attack) = self {
            super::attack::before_delivery(state, attack, message).await;
        }
    }

    /// Sends what is planned once the delivery was delivered, if anything (a repeated callback).
    pub(crate) async fn after_delivered(self, state: &AppState, message: &Message) {
        if let Self::Attack(attack) = self {
            super::attack::after_delivery(state, attack, message).await;
        }
    }

    /// The deviation planned for attempt `number` of `message`, if any.
    pub(crate) fn deviation(self, message: &Message, number: u32) -> Option<Deviation<'_>> {
        match (self, message) {
            (Self::WrongFirstControl, Message::Callback(job)) if number == 1 => {
                Some(Deviation::WrongControl(job))
            }
            _ => None,
        }
    }
}

impl Deviation<'_> {
    /// Sends the bent attempt and judges its answer: a refusal is what a correct Connecting Party does; a 2xx is
    /// recorded as a violation and ends the delivery (asking again would not make it right).
    pub(crate) async fn attempt(&self, state: &AppState) -> Tried {
        let Self::WrongControl(job) = self;
        let Some(endpoint) = state.endpoint(&job.endpoint_id) else {
            return job.attempt(state).await;
        };
        let wrong = with_wrong_control(&job.callback, &endpoint.control_key);
        let timeout = state.config().timings.outbound_timeout;
        let sent = state
            .party()
            .get_query(job.call(state), &job.url, &wrong, timeout);
        let answer = match sent.await {
            Ok(answer) => answer,
            Err(error) => return Tried::unanswered(&error),
        };
        match answer.accepted() {
            Ok(()) => {
                let accepted = violation(
                    steps::CALLBACK_RESPONSE,
                    "",
                    "accepted a callback with a wrong control",
                )
                .values("a refusal (non-2xx)", "HTTP 2xx");
                state.store().record_violations(&job.token, [accepted]);
                tracing::warn!("callback with a wrong control accepted");
                Tried::answered(&answer, Verdict::BadAnswer)
            }
            Err(error) => {
                tracing::info!(%error, "callback with a wrong control (on purpose) refused");
                Tried::answered(&answer, Verdict::Failed)
            }
        }
    }
}

/// The callback with `control` over the wrong fields (client_orderid and orderid swapped); should the two be
/// equal, over an empty status instead.
pub(crate) fn with_wrong_control(callback: &Callback, key: &ControlKey) -> Callback {
    let (status, orderid, invoice_id) = (
        callback.status.as_str(),
        callback.orderid.as_str(),
        callback.client_orderid.as_str(),
    );
    let mut control = callback_control(key, status, invoice_id, orderid);
    if control == callback.control {
        control = callback_control(key, "", orderid, invoice_id);
    }
    Callback {
        control,
        ..callback.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_attempt_of_a_callback_deviates() {
        let message = Message::Callback(CallbackJob::sample("INV-1"));
        let plan = Tamper::WrongFirstControl;
        assert!(plan.deviation(&message, 1).is_some());
        assert!(plan.deviation(&message, 2).is_none(), "retries are correct");
        assert!(Tamper::None.deviation(&message, 1).is_none());
    }

    #[test]
    fn the_wrong_control_does_not_verify_and_nothing_else_changes() {
        let key = ControlKey::parse(dapi::SANDBOX_CONTROL_KEY).unwrap();
        let right = CallbackJob::sample("INV-1").callback;
        let wrong = with_wrong_control(&right, &key);
        assert!(right.verify(&key).is_ok());
        assert!(wrong.verify(&key).is_err());
        assert_eq!(
            (
                &wrong.status,
                &wrong.orderid,
                &wrong.client_orderid,
                &wrong.amount
            ),
            (
                &right.status,
                &right.orderid,
                &right.client_orderid,
                &right.amount
            )
        );
        let same = CallbackJob::sample("1").callback;
        assert!(
            with_wrong_control(&same, &key).verify(&key).is_err(),
            "orderid = client_orderid"
        );
    }
}
