//! The final-status callback (spec 3.8): verified with `control`, recorded once per
//! (status, type, orderid, client_orderid), every further delivery counted. What a callback breaks (its
//! `control`, amount, currency, `merchant_order`) is recorded on the sale, without changing the answer.
//!
//! The record's `deliveries` counts accepted deliveries only (answered 200): a callback refused for a wrong
//! `control`, or refused before it reaches this file, is no delivery.

use crate::error::CallbackError;
use crate::events::PartyEvent;
use crate::sale::Sale;
use crate::sandbox::observe;
use crate::store::AppState;
use dapi::messages::callback::Callback;
use dapi::steps;
use dapi::{CallbackStatus, OrderId, Validate, Violations};
use sandbox_api::CallbackRecord;
use server_kit::InvalidInput;

/// The callback recorded for a sale and the key duplicates are recognised by (`client_orderid` is the sale).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct ReceivedCallback {
    key: (CallbackStatus, String, OrderId),
    pub(crate) record: CallbackRecord,
}

impl Sale {
    /// Records the callback, or counts it when it repeats the recorded one; returns (duplicate, deliveries).
    fn note_callback(&mut self, callback: &Callback) -> (bool, u32) {
        let key = (
            callback.status,
            callback.kind.clone(),
            callback.orderid.clone(),
        );
        if let Some(received) = self.callback.as_mut().filter(|r| r.key == key) {
            received.record.deliveries = received.record.deliveries.saturating_add(1);
            return (true, received.record.deliveries);
        }
        if let Some(previous) = &self.callback {
            // Final statuses are final; a different one means the gateway changed its mind: keep the latest.
            let previous = previous.record.status;
            let invoice_id = &self.terms.invoice_id;
            tracing::warn!(%invoice_id, %previous, "a different callback replaces the recorded one");
        }
        let record = CallbackRecord {
            status: callback.status,
            order_id: callback.orderid.clone(),
            error_code: callback.error_code,
            deliveries: 1,
            // Duplicates are counted as deliveries, never booked again (spec 3.8).
            bookings: 1,
        };
        self.callback = Some(ReceivedCallback { key, record });
        (false, 1)
    }
}

impl AppState {
    /// Checks a callback against the rules of spec 3.8, then verifies and records it; the answer is `OK`.
    pub(crate) fn accept_callback(
        &self,
        callback: &Callback,
    ) -> Result<&'static str, CallbackError> {
        let mut violations = Violations::default();
        callback.validate(&mut violations);
        violations
            .into_result()
            .map_err(|violations| self.refuse_callback(callback, violations))?;
        self.receive_callback(callback)?;
        Ok("OK")
    }

    /// Verifies and records a callback, and its violations; returns whether it is a duplicate delivery.
    fn receive_callback(&self, callback: &Callback) -> Result<bool, CallbackError> {
        let verified = callback.verify(&self.config().control_key).is_ok();
        let invoice_id = &callback.client_orderid;
        let noted = self.update_sale(invoice_id, |sale| {
            let seen = observe::callback(&sale.terms, callback, verified);
            sale.observe(seen);
            let noted = verified.then(|| sale.note_callback(callback));
            let age_ms = crate::persist::unix_ms().saturating_sub(sale.terms.created_ms);
            noted.map(|noted| (noted, age_ms))
        });
        // The answer does not change: a wrong `control` is refused before an unknown invoice.
        if !verified {
            return Err(CallbackError::ControlMismatch);
        }
        let ((duplicate, deliveries), age_ms) =
            noted.flatten().ok_or(CallbackError::UnknownInvoice)?;
        tracing::info!(%invoice_id, status = %callback.status, deliveries, age_ms, "callback received");
        self.publish(PartyEvent::CallbackReceived {
            invoice_id: invoice_id.clone(),
            status: callback.status,
            duplicate,
        });
        Ok(duplicate)
    }

    /// Records the schema violations of a callback for a known sale, and refuses it.
    fn refuse_callback(&self, callback: &Callback, violations: Violations) -> CallbackError {
        let seen = observe::schema(steps::CALLBACK, &violations);
        self.observe(&callback.client_orderid, seen);
        CallbackError::invalid(violations)
    }
}
