//! The final-status callback (spec 3.8): `GET {callback_url}?status=…&control=…`, delivered by `delivery` until
//! the Connecting Party answers 2xx (retried, logged, dead-lettered); here is one attempt and how its answer is
//! judged.
//!
//! Misbehaviour `wrong-control` (set per sale, `misbehave`) makes the delivery's first attempt carry a `control`
//! over the wrong fields; later attempts (and replays) carry the right one, so the Connecting Party must refuse
//! the first and accept a retry (at-least-once delivery).

use crate::delivery::{Tried, Verdict};
use crate::party::CallError;
use crate::record::{self, violation};
use crate::sale::Sale;
use crate::state::AppState;
use dapi::messages::callback::{Callback, CallbackFields};
use dapi::signature::callback_control;
use dapi::steps;
use dapi::{ControlKey, EndpointId, SessionToken};
use sandbox_api::CallbackMisbehaviour;
use sandbox_api::ContractViolation;
use std::time::Duration;

/// One sale's callback, copied out of the state; kept in the delivery log for replays.
#[derive(Clone, Debug)]
pub(crate) struct CallbackJob {
    /// The endpoint's callback URL.
    pub(crate) url: String,
    /// The sale's endpoint.
    pub(crate) endpoint_id: EndpointId,
    /// The sale.
    pub(crate) token: SessionToken,
    /// The signed callback.
    pub(crate) callback: Callback,
    /// For misbehaviour `wrong-control`: what the first attempt carries instead.
    wrong_first: Option<Callback>,
}

impl CallbackJob {
    /// What attempt `number` of the delivery sends, and whether it is wrong on purpose.
    fn body(&self, number: u32) -> (&Callback, bool) {
        match &self.wrong_first {
            Some(wrong) if number == 1 => (wrong, true),
            _ => (&self.callback, false),
        }
    }

    /// One attempt: delivered on 2xx. A non-2xx answer (or none) to a correct callback is recorded (step 24),
    /// except the documented "try later" (503 `SERVER_UNAVAILABLE`, a fault); so is a 2xx to one wrong on
    /// purpose, whose refusal is expected.
    pub(crate) async fn attempt(&self, state: &AppState, number: u32) -> Tried {
        let (callback, wrong) = self.body(number);
        let timeout = state.config().timings.outbound_timeout;
        let answer = match state.party().get_query(&self.url, callback, timeout).await {
            Ok(answer) => answer,
            Err(error) => {
                if !wrong {
                    state.record_violations(&self.token, callback_violations(&error, timeout));
                }
                return Tried::unanswered(&error);
            }
        };
        match answer.accepted() {
            Ok(()) if wrong => {
                let accepted = violation(
                    steps::CALLBACK_RESPONSE,
                    "",
                    "accepted a callback with a wrong control",
                )
                .values("a refusal (non-2xx)", "HTTP 2xx");
                state.record_violations(&self.token, [accepted]);
                tracing::warn!("callback with a wrong control accepted");
                Tried::answered(&answer, Verdict::AnsweredWrong)
            }
            Ok(()) => {
                tracing::info!(status = %callback.status, "callback delivered");
                Tried::answered(&answer, Verdict::Acknowledged)
            }
            Err(error) if wrong => {
                tracing::info!(%error, "callback with a wrong control (on purpose) refused");
                Tried::answered(&answer, Verdict::Failed)
            }
            Err(error) if error.is_unavailable() => {
                tracing::warn!(%error, "callback: the Connecting Party is unavailable");
                Tried::answered(&answer, Verdict::Failed)
            }
            Err(error) => {
                state.record_violations(&self.token, callback_violations(&error, timeout));
                Tried::answered(&answer, Verdict::Failed)
            }
        }
    }

    /// A callback for sale `invoice`, for tests of the delivery log.
    #[cfg(test)]
    pub(crate) fn sample(invoice: &str) -> Self {
        let fields = CallbackFields {
            status: dapi::CallbackStatus::Approved,
            invoice_id: invoice.into(),
            order_id: "1".into(),
            amount_centis: 1050,
            currency: "EUR".into(),
            error_code: None,
            error_message: None,
        };
        let key = ControlKey::parse(dapi::SANDBOX_CONTROL_KEY).unwrap_or_else(|_| unreachable!());
        Self {
            url: "http://cp.test/callback".into(),
            endpoint_id: "1234".into(),
            token: invoice.into(),
            callback: Callback::sign(fields, &key),
            wrong_first: None,
        }
    }
}

/// The callback with `control` over the wrong fields (client_orderid and orderid swapped); should the two be
/// equal, over an empty status instead.
fn with_wrong_control(callback: &Callback, key: &ControlKey) -> Callback {
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

impl AppState {
    /// The callback of a final sale, if its endpoint has a callback URL; with the sale's misbehaviour applied.
    pub(crate) fn callback_job(&self, sale: &Sale) -> Option<CallbackJob> {
        let ending = sale.ending()?.clone();
        let order_id = sale.order_id()?.clone();
        let endpoint = self.endpoint(&sale.endpoint_id)?;
        let url = endpoint.callback_url?;
        let misbehaviour = self.misbehaviour(&sale.endpoint_id, &sale.invoice_id);
        let fields = CallbackFields {
            status: ending.status,
            invoice_id: sale.invoice_id.clone(),
            order_id,
            amount_centis: sale.amount_centis,
            currency: sale.currency.clone(),
            error_code: ending.error_code,
            error_message: ending.error_message,
        };
        let callback = Callback::sign(fields, &endpoint.control_key);
        let wrong_first = match misbehaviour.callback {
            Some(CallbackMisbehaviour::WrongControl) => {
                Some(with_wrong_control(&callback, &endpoint.control_key))
            }
            None => None,
        };
        Some(CallbackJob {
            url,
            endpoint_id: sale.endpoint_id.clone(),
            token: sale.token.clone(),
            callback,
            wrong_first,
        })
    }
}

/// What a failed callback breaks (step 24): spec 3.8 wants HTTP 200, error body or not.
fn callback_violations(error: &CallError, timeout: Duration) -> Vec<ContractViolation> {
    let step = steps::CALLBACK_RESPONSE;
    match error {
        CallError::Refused { status, .. } => vec![violation(
            step,
            "",
            format!("answered HTTP {status}, expected 200"),
        )],
        other => record::call_violations(step, other, timeout),
    }
}
