//! The end of a sale or verification (spec 3.8; addendum §2.8: `type=account-verification`, `amount=0.00`, the
//! URL per endpoint and type): it becomes final — a final state never changes — and, when its endpoint has a
//! callback URL for its flow, the final-status callback `GET {callback_url}?status=…&control=…` is opened in the
//! delivery log and sent by `delivery` until the Connecting Party answers 2xx (retried, logged,
//! dead-lettered). Here is the callback, one attempt and how its answer is judged.

use super::violations::{call_violations, violation};
use super::{Ending, Sale};
use crate::delivery::{self, Message, Tried, Verdict};
use crate::party_client::{Call, CallError};
use crate::state::AppState;
use dapi::messages::callback::{Callback, CallbackFields};
use dapi::{EndpointId, SaleState, SessionToken, steps};
use sandbox_api::{ContractViolation, SaleRef};
use std::time::Duration;

/// Makes a sale final unless it already is, then sends its callback.
pub(crate) fn finish(state: &AppState, token: &SessionToken, ending: Ending) {
    conclude(state, token, ending, |_| true);
}

/// Makes a sale final only if it is still in `in_state` (a timer that lost the race does nothing).
pub(crate) fn finish_if(
    state: &AppState,
    token: &SessionToken,
    in_state: SaleState,
    ending: Ending,
) {
    conclude(state, token, ending, |sale| sale.state() == in_state);
}

/// Makes the sale final, opens its callback in the delivery log and only then marks it settled: a sale may be
/// forgotten (`store`) only once nothing it still owes is outside the log.
fn conclude(
    state: &AppState,
    token: &SessionToken,
    ending: Ending,
    applies: impl FnOnce(&Sale) -> bool,
) {
    let store = state.store();
    let concluded = store.update_sale(token, |sale| {
        let done = applies(sale) && sale.finish(ending, || store.next_order_id());
        done.then(|| sale.clone())
    });
    let Some(sale) = concluded.flatten() else {
        return;
    };
    // A final sale waits for nothing: its 3-D Secure or CVV 217 timer, if any, dies with it.
    state.cancel_timer(token);
    tracing::info!(
        state = %sale.state(),
        error_message = sale.ending().and_then(|ending| ending.error_message.as_deref()),
        "sale final"
    );
    if let Some(job) = CallbackJob::of(state, &sale) {
        let number = delivery::open(state, Message::Callback(job));
        state.spawn_outbound(token, delivery::deliver(state.clone(), number));
    }
    store.update_sale(token, |sale| sale.settled = true);
}

/// One sale's callback, copied out of the store; kept in the delivery log for replays.
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
}

impl CallbackJob {
    /// The callback of a final sale, signed with its endpoint's key; `None` without a callback URL.
    fn of(state: &AppState, sale: &Sale) -> Option<Self> {
        let ending = sale.ending()?.clone();
        let order_id = sale.order_id()?.clone();
        let endpoint = state.endpoint(&sale.endpoint_id)?;
        let url = endpoint.callback_url_of(sale.flow)?.to_owned();
        let fields = CallbackFields {
            status: ending.status,
            invoice_id: sale.invoice_id.clone(),
            order_id,
            kind: endpoint.callback_type_of(sale.flow).to_owned(),
            // 0 for a verification: `0.00` (addendum §5); its currency is known once it was checked.
            amount_centis: sale.amount_centis,
            currency: sale.currency.clone().unwrap_or_default(),
            error_code: ending.error_code,
            error_message: ending.error_message,
        };
        Some(Self {
            url,
            endpoint_id: sale.endpoint_id.clone(),
            token: sale.token.clone(),
            callback: Callback::sign(fields, &endpoint.control_key),
        })
    }

    /// One attempt: delivered on 2xx. A non-2xx answer (or none) is recorded (step 24), except the documented
    /// "try later" (503 `SERVER_UNAVAILABLE`), which breaks nothing.
    pub(crate) async fn attempt(&self, state: &AppState) -> Tried {
        let timeout = state.config().timings.outbound_timeout;
        let sent = state
            .party()
            .get_query(self.call(state), &self.url, &self.callback, timeout);
        let answer = match sent.await {
            Ok(answer) => answer,
            Err(error) => {
                let found = callback_violations(&error, timeout);
                state.store().record_violations(&self.token, found);
                return Tried::unanswered(&error);
            }
        };
        match answer.accepted() {
            Ok(()) => {
                tracing::info!(status = %self.callback.status, "callback delivered");
                Tried::answered(&answer, Verdict::Acknowledged)
            }
            Err(error) if error.is_unavailable() => {
                tracing::warn!(%error, "callback: the Connecting Party is unavailable");
                Tried::answered(&answer, Verdict::Failed)
            }
            Err(error) => {
                let found = callback_violations(&error, timeout);
                state.store().record_violations(&self.token, found);
                Tried::answered(&answer, Verdict::Failed)
            }
        }
    }

    /// What an attempt is, for the journal (steps 23–24).
    pub(crate) fn call(&self, state: &AppState) -> Call {
        let sale = state.store().with_sale(&self.token, Sale::sale_ref);
        Call {
            step: steps::CALLBACK,
            answer: steps::CALLBACK_RESPONSE,
            // A sale forgotten since (a replay of an old callback): what the callback itself names.
            sale: sale.unwrap_or_else(|| SaleRef {
                endpoint_id: Some(self.endpoint_id.clone()),
                invoice_id: Some(self.callback.client_orderid.clone()),
                serial_number: None,
            }),
        }
    }

    /// A callback for sale `invoice`, for tests of the delivery log.
    #[cfg(test)]
    pub(crate) fn sample(invoice: &str) -> Self {
        let fields = CallbackFields {
            status: dapi::CallbackStatus::Approved,
            invoice_id: invoice.into(),
            order_id: "1".into(),
            kind: dapi::Flow::Sale.callback_type().to_owned(),
            amount_centis: 1050,
            currency: "EUR".into(),
            error_code: None,
            error_message: None,
        };
        let key =
            dapi::ControlKey::parse(dapi::SANDBOX_CONTROL_KEY).unwrap_or_else(|_| unreachable!());
        Self {
            url: "http://cp.test/callback".into(),
            endpoint_id: "1234".into(),
            token: invoice.into(),
            callback: Callback::sign(fields, &key),
        }
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
        other => call_violations(step, other, timeout),
    }
}
