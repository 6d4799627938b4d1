//! Misbehaviour on purpose, scoped to one sale (`POST /sim/sales/{endpointId}/{invoiceId}/misbehave`, see
//! `dapi::sim`): a scripted client sets it between initiate and perform sale (or later), and only that sale's
//! calls to the Connecting Party change, so negative paths of the Connecting Party server are tested, not assumed.
//!
//! Fault `latencyMs` holds back the gateway's own answers (perform sale, sale status) for that sale.
//!
//! Settings are kept per (endpointId, invoiceId) in a bounded map: past [`MAX_MISBEHAVIOURS`] the oldest is dropped,
//! so a client setting them for sales it never performs cannot grow the gateway without end.

use crate::state::AppState;
use dapi::{EndpointId, InvoiceId};
use sandbox_api::GatewayMisbehaviour;
use std::collections::{HashMap, VecDeque};
use std::sync::PoisonError;
use std::time::Duration;

/// Settings kept at most; the oldest goes first.
pub(crate) const MAX_MISBEHAVIOURS: usize = 10_000;

type Key = (EndpointId, InvoiceId);

/// The settings, oldest first.
#[derive(Debug)]
pub(crate) struct Misbehaviours {
    cap: usize,
    settings: HashMap<Key, GatewayMisbehaviour>,
    order: VecDeque<Key>,
}

impl Default for Misbehaviours {
    fn default() -> Self {
        Self::with_cap(MAX_MISBEHAVIOURS)
    }
}

impl Misbehaviours {
    fn with_cap(cap: usize) -> Self {
        Self {
            cap,
            settings: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Sets (or replaces) one sale's settings; a new sale past the cap drops the oldest.
    fn set(&mut self, key: Key, misbehaviour: GatewayMisbehaviour) {
        if let Some(setting) = self.settings.get_mut(&key) {
            *setting = misbehaviour;
            return;
        }
        while self.settings.len() >= self.cap {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.settings.remove(&oldest);
        }
        self.order.push_back(key.clone());
        self.settings.insert(key, misbehaviour);
    }

    fn get(&self, key: &Key) -> Option<&GatewayMisbehaviour> {
        self.settings.get(key)
    }
}

impl AppState {
    /// Sets how the gateway misbehaves towards the Connecting Party in one sale, performed or not yet.
    pub fn misbehave(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
        misbehaviour: GatewayMisbehaviour,
    ) {
        let key = (endpoint_id.clone(), invoice_id.clone());
        tracing::info!(%endpoint_id, %invoice_id, ?misbehaviour, "misbehaviour set for one sale");
        self.inner()
            .misbehaviours
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .set(key, misbehaviour);
    }

    /// How the gateway misbehaves in one sale; the default (correct behaviour) when nothing was set.
    pub fn misbehaviour(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> GatewayMisbehaviour {
        let key = (endpoint_id.clone(), invoice_id.clone());
        self.inner()
            .misbehaviours
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned()
            .unwrap_or_default()
    }
}

impl AppState {
    /// Sleeps for the sale's latency fault, if any (perform sale and sale status answers). The setting is copied
    /// out first: no guard is held while sleeping.
    pub(crate) async fn hold_back(&self, endpoint_id: &EndpointId, invoice_id: &InvoiceId) {
        let latency = self.misbehaviour(endpoint_id, invoice_id).latency_ms;
        if let Some(millis) = latency.filter(|millis| *millis > 0) {
            tracing::info!(latency_ms = millis, "answer held back (latency fault)");
            tokio::time::sleep(Duration::from_millis(millis)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sandbox_api::CallbackMisbehaviour;

    fn key(invoice: &str) -> Key {
        ("1234".into(), invoice.into())
    }

    fn wrong_control() -> GatewayMisbehaviour {
        GatewayMisbehaviour {
            callback: Some(CallbackMisbehaviour::WrongControl),
            ..GatewayMisbehaviour::default()
        }
    }

    #[test]
    fn settings_are_per_sale_replaced_in_place_and_the_oldest_dropped_past_the_cap() {
        let mut kept = Misbehaviours::with_cap(2);
        kept.set(key("INV-1"), wrong_control());
        kept.set(key("INV-2"), GatewayMisbehaviour::default());
        kept.set(key("INV-1"), GatewayMisbehaviour::default());
        assert_eq!(
            kept.get(&key("INV-1")),
            Some(&GatewayMisbehaviour::default())
        );
        kept.set(key("INV-3"), wrong_control());
        assert_eq!(kept.get(&key("INV-1")), None, "the oldest goes");
        assert!(kept.get(&key("INV-2")).is_some());
        assert_eq!(kept.get(&key("INV-3")), Some(&wrong_control()));
        assert_eq!((kept.settings.len(), kept.order.len()), (2, 2));
    }
}
