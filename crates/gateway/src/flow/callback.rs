//! The final-status callback (spec 3.8): `GET {callback_url}?status=…&control=…`, retried until the Connecting
//! Party answers 2xx; after the last attempt the callback is dead-lettered: logged at error and kept.

use crate::state::AppState;
use dapi::messages::callback::{Callback, CallbackFields};
use dapi::{InvoiceId, SessionToken};

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

impl AppState {
    /// The callback URL and the signed callback of a final sale, if the endpoint has a callback URL.
    pub(crate) fn callback_for(&self, token: &SessionToken) -> Option<(String, Callback)> {
        let sale = self.with_sale(token, Clone::clone)?;
        let ending = sale.ending()?.clone();
        let order_id = sale.order_id()?.clone();
        let endpoint = self.endpoint(&sale.endpoint_id)?;
        let url = endpoint.callback_url?;
        let fields = CallbackFields {
            status: ending.status,
            invoice_id: sale.invoice_id,
            order_id,
            amount_centis: sale.amount_centis,
            currency: sale.currency,
            error_code: ending.error_code,
            error_message: ending.error_message,
        };
        Some((url, Callback::sign(fields, &endpoint.control_key)))
    }
}

/// Delivers a sale's callback per the endpoint's `callback_retry`, or dead-letters it.
pub(crate) async fn deliver(state: AppState, token: SessionToken) {
    let Some((url, callback)) = state.callback_for(&token) else {
        return;
    };
    let timings = state.config().timings;
    let retry = timings.callback_retry;
    let mut last_error = String::from("no attempt made");
    for attempt in 1..=retry.attempts {
        tokio::time::sleep(retry.delay(attempt)).await;
        let sent = state
            .party()
            .send_callback(&url, &callback, timings.outbound_timeout)
            .await;
        match sent {
            Ok(()) => {
                tracing::info!(attempt, status = %callback.status, invoice_id = %callback.client_orderid, "callback delivered");
                return;
            }
            Err(error) => {
                tracing::warn!(%error, attempt, attempts = retry.attempts, invoice_id = %callback.client_orderid, "callback refused");
                last_error = error.to_string();
            }
        }
    }
    tracing::error!(attempts = retry.attempts, %last_error, invoice_id = %callback.client_orderid, "callback dead-lettered");
    state.push_dead_letter(DeadLetter {
        invoice_id: callback.client_orderid.clone(),
        url,
        callback,
        attempts: retry.attempts,
        last_error,
    });
}
