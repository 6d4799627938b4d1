//! [`Controls`]: the sandbox's own state, apart from the sales: each sale's settings ([`PartyMisbehaviour`], set
//! with `POST /sim/sales/{invoiceId}/misbehave`) and the attempts counted for its faults, in a bounded map keyed
//! by invoice id, and the server-wide faults ([`FaultState`]).
//!
//! A sale gets an entry when its settings are first set, or at its first callback attempt while the server-wide
//! rate is on (its draws follow first attempts); attempts are counted from then on. At most `max_sales` entries
//! are kept, the oldest forgotten first; the settings of a sale the server has forgotten are ignored.

use super::faults::{Fault, FaultState};
use crate::bounded::Fifo;
use crate::config::Config;
use crate::error::LookupError;
use crate::store::AppState;
use dapi::{Flow, InvoiceId, Validate, Violations};
use dashmap::DashMap;
use sandbox_api::PartyMisbehaviour;
use serde::Deserialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The body of `POST /sim/sales/{invoiceId}/misbehave`: a [`PartyMisbehaviour`] (unknown fields refused), with
/// the shared ranges (`delayMs`, `latencyMs` at most 5 minutes; fail counts at most 1,000).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(super) struct MisbehaveRequest(pub(super) PartyMisbehaviour);

impl Validate for MisbehaveRequest {
    fn validate(&self, v: &mut Violations) {
        self.0.validate(v);
    }
}

/// One sale's settings and the attempts that reached it since it has an entry, refused ones included.
#[derive(Debug, Default)]
struct SaleControls {
    settings: PartyMisbehaviour,
    callbacks: u32,
    notifications: u32,
}

/// The per-sale settings and counters, and the server-wide faults. Every method takes and releases one entry's
/// guard (the generator's mutex, a leaf lock, is taken under it).
#[derive(Debug)]
pub(crate) struct Controls {
    sales: DashMap<InvoiceId, SaleControls>,
    order: Fifo<InvoiceId>,
    faults: FaultState,
    /// Whether any sale ever had settings: until then no request needs to be read twice.
    armed: AtomicBool,
}

impl Controls {
    pub(crate) fn new(config: &Config) -> Self {
        Self {
            sales: DashMap::new(),
            order: Fifo::new(config.max_sales),
            faults: FaultState::new(config.faults),
            armed: AtomicBool::new(false),
        }
    }

    /// Whether nothing can bend an answer: no sale ever had settings and the server-wide rate refuses nothing,
    /// so a request need not be read twice.
    pub(super) fn idle(&self) -> bool {
        !self.faults.draws() && !self.armed.load(Ordering::Relaxed)
    }

    /// The server-wide faults and their counters.
    pub(super) fn faults(&self) -> &FaultState {
        &self.faults
    }

    /// The sale's settings, if it has an entry.
    fn settings(&self, invoice_id: &InvoiceId) -> Option<PartyMisbehaviour> {
        let entry = self.sales.get(invoice_id)?;
        Some(entry.settings.clone())
    }

    /// Replaces the sale's settings, keeping its counters.
    fn set(&self, invoice_id: InvoiceId, settings: PartyMisbehaviour) {
        self.armed.store(true, Ordering::Relaxed);
        self.order
            .upsert(&self.sales, invoice_id, |entry| entry.settings = settings);
    }

    /// Counts a callback attempt of a known sale; the fault refusing it, if any, and its number. The rate is
    /// asked on the first attempt whatever the sale's settings, so its draws follow the arrival of first
    /// attempts.
    pub(super) fn callback_fault(&self, invoice_id: &InvoiceId) -> Option<(u32, Fault)> {
        let count = |entry: &mut SaleControls| {
            entry.callbacks = entry.callbacks.saturating_add(1);
            let attempt = entry.callbacks;
            let by_rate = attempt == 1 && self.faults.refuses_first_attempt();
            match (fails(entry.settings.callback_fail_first, attempt), by_rate) {
                (true, _) => Some((attempt, Fault::FailFirst)),
                (false, true) => Some((attempt, Fault::FailureRate)),
                (false, false) => None,
            }
        };
        if self.faults.draws() {
            return self.order.upsert(&self.sales, invoice_id.clone(), count);
        }
        self.sales
            .get_mut(invoice_id)
            .and_then(|mut entry| count(&mut entry))
    }

    /// Counts a notification attempt of a known sale; its number when `notificationFailFirst` refuses it.
    pub(super) fn notification_fault(&self, invoice_id: &InvoiceId) -> Option<u32> {
        let mut entry = self.sales.get_mut(invoice_id)?;
        entry.notifications = entry.notifications.saturating_add(1);
        let attempt = entry.notifications;
        fails(entry.settings.notification_fail_first, attempt).then_some(attempt)
    }
}

/// Whether `fail_first` refuses this attempt (counted from 1).
fn fails(fail_first: Option<u32>, attempt: u32) -> bool {
    fail_first.is_some_and(|first| attempt <= first)
}

/// The extra latency of every answer about a sale (`latencyMs`).
pub(super) fn latency_of(settings: &PartyMisbehaviour) -> Duration {
    settings
        .latency_ms
        .map_or(Duration::ZERO, Duration::from_millis)
}

impl AppState {
    /// The settings of a known sale; `None` for a sale without settings or one the server has forgotten.
    pub(super) fn controls_of(&self, invoice_id: &InvoiceId) -> Option<PartyMisbehaviour> {
        let settings = self.controls().settings(invoice_id)?;
        self.knows_sale(invoice_id).then_some(settings)
    }

    /// Sets how the server misbehaves for this sale (or verification) only, replacing earlier settings (`{}`
    /// resets them); an invoice of the other flow is unknown.
    pub(super) fn set_misbehaviour(
        &self,
        flow: Flow,
        invoice_id: &InvoiceId,
        settings: PartyMisbehaviour,
    ) -> Result<PartyMisbehaviour, LookupError> {
        let known = self
            .sale_terms(invoice_id)
            .is_some_and(|terms| terms.flow == flow);
        if !known {
            return Err(LookupError::UnknownInvoice);
        }
        tracing::info!(%invoice_id, ?settings, "sale set to misbehave");
        self.controls().set(invoice_id.clone(), settings.clone());
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_first_counts_attempts_from_one() {
        assert!(fails(Some(2), 1) && fails(Some(2), 2));
        assert!(!fails(Some(2), 3) && !fails(Some(0), 1) && !fails(None, 1));
    }

    #[test]
    fn delays_and_latencies_longer_than_five_minutes_are_refused() {
        use sandbox_api::misbehaviour::MAX_DELAY_MS;
        let request = |ms| {
            MisbehaveRequest(PartyMisbehaviour {
                delay_ms: Some(ms),
                latency_ms: Some(ms),
                ..PartyMisbehaviour::default()
            })
        };
        let mut ok = Violations::default();
        request(MAX_DELAY_MS).validate(&mut ok);
        assert!(ok.is_empty());
        let mut too_long = Violations::default();
        request(MAX_DELAY_MS + 1).validate(&mut too_long);
        let shown = too_long.to_string();
        assert!(
            shown.contains("delayMs must be between 0 and 300000"),
            "{shown}"
        );
        assert!(
            shown.contains("latencyMs must be between 0 and 300000"),
            "{shown}"
        );
    }

    #[test]
    fn settings_are_replaced_but_their_counters_kept() {
        let controls = Controls::new(&Config::sandbox());
        let invoice_id = InvoiceId::from("INV-1");
        assert!(controls.idle());
        let fail_first = |n| PartyMisbehaviour {
            notification_fail_first: Some(n),
            ..PartyMisbehaviour::default()
        };
        controls.set(invoice_id.clone(), fail_first(1));
        assert!(!controls.idle());
        assert_eq!(controls.notification_fault(&invoice_id), Some(1));
        controls.set(invoice_id.clone(), fail_first(2));
        assert_eq!(controls.notification_fault(&invoice_id), Some(2));
        assert_eq!(controls.notification_fault(&invoice_id), None);
        let unknown = InvoiceId::from("INV-2");
        assert_eq!(controls.notification_fault(&unknown), None);
        assert!(controls.callback_fault(&unknown).is_none());
    }
}
