//! The final-status callback (spec 3.8): `GET {callback_url}?status=…&control=…`, retried until the Connecting
//! Party answers 2xx; after the last attempt the callback is dead-lettered: logged at error and kept.
//!
//! Misbehaviour `wrong-control` (set per sale, `misbehave`) makes the first attempt carry a `control` over the
//! wrong fields; later attempts carry the right one, so the Connecting Party must refuse the first and accept a
//! retry (at-least-once delivery).

use crate::party::CallError;
use crate::record::{self, violation};
use crate::state::AppState;
use dapi::contract::{ContractViolation, steps};
use dapi::messages::callback::{Callback, CallbackFields};
use dapi::signature::callback_control;
use dapi::sim::CallbackMisbehaviour;
use dapi::{ControlKey, InvoiceId, SessionToken};
use std::time::Duration;

/// A callback that exhausted its retries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    /// The sale.
    pub invoice_id: InvoiceId,
    /// Where it was sent.
    pub url: String,
    /// What was sent.
    pub callback: Callback,
    /// How many attempts were made.
    pub attempts: u32,
    /// The last attempt's error.
    pub last_error: String,
}

/// One sale's callback, copied out of the state.
#[derive(Debug)]
pub(crate) struct CallbackJob {
    /// The endpoint's callback URL.
    url: String,
    /// The signed callback.
    callback: Callback,
    /// For misbehaviour `wrong-control`: what the first attempt carries instead.
    wrong_first: Option<Callback>,
}

impl CallbackJob {
    /// What attempt `attempt` sends, and whether it is wrong on purpose.
    fn attempt(&self, attempt: u32) -> (&Callback, bool) {
        match &self.wrong_first {
            Some(wrong) if attempt == 1 => (wrong, true),
            _ => (&self.callback, false),
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
    /// The callback URL and the signed callback of a final sale, if the endpoint has a callback URL; with the
    /// sale's misbehaviour applied.
    pub(crate) fn callback_for(&self, token: &SessionToken) -> Option<CallbackJob> {
        let sale = self.with_sale(token, Clone::clone)?;
        let ending = sale.ending()?.clone();
        let order_id = sale.order_id()?.clone();
        let endpoint = self.endpoint(&sale.endpoint_id)?;
        let url = endpoint.callback_url?;
        let misbehaviour = self.misbehaviour(&sale.endpoint_id, &sale.invoice_id);
        let fields = CallbackFields {
            status: ending.status,
            invoice_id: sale.invoice_id,
            order_id,
            amount_centis: sale.amount_centis,
            currency: sale.currency,
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
            callback,
            wrong_first,
        })
    }
}

/// Delivers a sale's callback per the endpoint's `callback_retry`, or dead-letters it. A non-2xx answer to a
/// correct callback is recorded (step 24); so is a 2xx to one wrong on purpose.
pub(crate) async fn deliver(state: AppState, token: SessionToken) {
    let Some(job) = state.callback_for(&token) else {
        return;
    };
    let timings = state.config().timings;
    let retry = timings.callback_retry;
    let step = steps::CALLBACK_RESPONSE;
    let mut last_error = String::from("no attempt made");
    let invoice_id = &job.callback.client_orderid;
    for attempt in 1..=retry.attempts {
        tokio::time::sleep(retry.delay(attempt)).await;
        let (callback, wrong) = job.attempt(attempt);
        let sent = state
            .party()
            .send_callback(&job.url, callback, timings.outbound_timeout)
            .await;
        match sent {
            Ok(()) if wrong => {
                let accepted = violation(step, "", "accepted a callback with a wrong control")
                    .values("a refusal (non-2xx)", "HTTP 2xx");
                state.record_violations(&token, [accepted]);
                tracing::warn!(attempt, %invoice_id, "callback with a wrong control accepted");
                return;
            }
            Ok(()) => {
                tracing::info!(attempt, status = %callback.status, %invoice_id, "callback delivered");
                return;
            }
            Err(error) if wrong => {
                tracing::info!(%error, attempt, %invoice_id, "callback with a wrong control (on purpose) refused");
                last_error = error.to_string();
            }
            Err(error) => {
                tracing::warn!(%error, attempt, attempts = retry.attempts, %invoice_id, "callback refused");
                state.record_violations(
                    &token,
                    callback_violations(&error, timings.outbound_timeout),
                );
                last_error = error.to_string();
            }
        }
    }
    tracing::error!(attempts = retry.attempts, %last_error, %invoice_id, "callback dead-lettered");
    state.push_dead_letter(DeadLetter {
        invoice_id: invoice_id.clone(),
        url: job.url,
        callback: job.callback,
        attempts: retry.attempts,
        last_error,
    });
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
