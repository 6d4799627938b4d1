//! [`Controls`]: the sandbox's settings per sale, misbehaviour on purpose and faults
//! ([`sandbox_api::GatewayMisbehaviour`], set by `POST /sim/sales/{endpointId}/{invoiceId}/misbehave`): a scripted
//! client sets them between initiate and perform sale (or later), and only that sale changes, so negative paths
//! of the Connecting Party server are tested, not assumed.
//!
//! With them it keeps what the Connecting Party answered each sale's attacks ([`AttackAnswer`], shown in the sale's
//! record). Settings are kept per (endpointId, invoiceId) in a bounded map: past [`MAX_MISBEHAVIOURS`] the oldest
//! is dropped with its answers,
//! so a client setting them for sales it never performs cannot grow the gateway without end. Behind a `std` mutex:
//! nothing awaits under it.

use dapi::{EndpointId, InvoiceId};
use sandbox_api::{AttackAnswer, GatewayMisbehaviour};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

/// Settings kept at most; the oldest goes first.
pub(crate) const MAX_MISBEHAVIOURS: usize = 10_000;

type Key = (EndpointId, InvoiceId);

/// The settings, oldest first.
#[derive(Debug)]
struct Misbehaviours {
    cap: usize,
    settings: HashMap<Key, GatewayMisbehaviour>,
    /// What the Connecting Party answered each sale's attacks; forgotten with the sale's settings.
    answers: HashMap<Key, Vec<AttackAnswer>>,
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
            answers: HashMap::new(),
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
            self.answers.remove(&oldest);
        }
        self.order.push_back(key.clone());
        self.settings.insert(key, misbehaviour);
    }

    fn get(&self, key: &Key) -> Option<&GatewayMisbehaviour> {
        self.settings.get(key)
    }

    /// Keeps an attack's answer for a sale with settings (an attack is one), at most
    /// [`MAX_ANSWERS_PER_SALE`].
    fn keep_answer(&mut self, key: &Key, answer: AttackAnswer) {
        if !self.settings.contains_key(key) {
            return;
        }
        let answers = self.answers.entry(key.clone()).or_default();
        if answers.len() < MAX_ANSWERS_PER_SALE {
            answers.push(answer);
        }
    }
}

/// Attack answers kept per sale (each attack is sent once, a replayed delivery aside).
const MAX_ANSWERS_PER_SALE: usize = 8;

/// The settings of every sale that has some.
#[derive(Debug, Default)]
pub(crate) struct Controls {
    settings: Mutex<Misbehaviours>,
    /// Whether any sale was ever given a latency: until then the latency layer looks nothing up, so the
    /// protocol's answers pay no lock for a fault nobody set.
    any_latency: AtomicBool,
}

impl Controls {
    /// Sets how the gateway misbehaves in one sale, performed or not yet.
    pub(crate) fn misbehave(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
        misbehaviour: GatewayMisbehaviour,
    ) {
        let key = (endpoint_id.clone(), invoice_id.clone());
        tracing::info!(%endpoint_id, %invoice_id, ?misbehaviour, "misbehaviour set for one sale");
        if misbehaviour.latency_ms.is_some_and(|millis| millis > 0) {
            self.any_latency.store(true, Ordering::Relaxed);
        }
        self.settings().set(key, misbehaviour);
    }

    /// How the gateway misbehaves in one sale; the default (correct behaviour) when nothing was set.
    pub(crate) fn misbehaviour(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> GatewayMisbehaviour {
        let key = (endpoint_id.clone(), invoice_id.clone());
        self.settings().get(&key).cloned().unwrap_or_default()
    }

    /// Keeps what the Connecting Party answered an attack of one sale.
    pub(crate) fn keep_attack_answer(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
        answer: AttackAnswer,
    ) {
        let key = (endpoint_id.clone(), invoice_id.clone());
        self.settings().keep_answer(&key, answer);
    }

    /// What the Connecting Party answered the attacks of one sale, in the order they were sent.
    pub(crate) fn attack_answers(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> Vec<AttackAnswer> {
        let key = (endpoint_id.clone(), invoice_id.clone());
        self.settings()
            .answers
            .get(&key)
            .cloned()
            .unwrap_or_default()
    }

    /// Whether any sale was ever given a latency (it may since have been replaced or forgotten).
    pub(crate) fn any_latency(&self) -> bool {
        self.any_latency.load(Ordering::Relaxed)
    }

    fn settings(&self) -> std::sync::MutexGuard<'_, Misbehaviours> {
        self.settings.lock().unwrap_or_else(PoisonError::into_inner)
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
        let answer = AttackAnswer {
            attack: sandbox_api::Attack::CallbackTwice,
            step: 24,
            status: Some(200),
            cause: None,
            code: None,
            message: None,
            excerpt: "OK".into(),
        };
        kept.keep_answer(&key("INV-9"), answer.clone());
        assert!(
            kept.answers.is_empty(),
            "no answer is kept for a sale without settings"
        );
        for _ in 0..10 {
            kept.keep_answer(&key("INV-2"), answer.clone());
        }
        assert_eq!(kept.answers[&key("INV-2")].len(), MAX_ANSWERS_PER_SALE);
        kept.set(key("INV-4"), wrong_control());
        assert!(
            !kept.answers.contains_key(&key("INV-2")),
            "forgotten with its settings"
        );
    }

    #[test]
    fn the_latency_layer_is_armed_only_once_a_sale_has_a_latency() {
        let controls = Controls::default();
        let (endpoint, invoice) = key("INV-1");
        controls.misbehave(&endpoint, &invoice, wrong_control());
        assert!(
            !controls.any_latency(),
            "a callback misbehaviour is no latency"
        );
        let zero = GatewayMisbehaviour {
            latency_ms: Some(0),
            ..GatewayMisbehaviour::default()
        };
        controls.misbehave(&endpoint, &invoice, zero);
        assert!(!controls.any_latency(), "0 ms holds nothing back");
        let slow = GatewayMisbehaviour {
            latency_ms: Some(5),
            ..GatewayMisbehaviour::default()
        };
        controls.misbehave(&endpoint, &invoice, slow.clone());
        assert!(controls.any_latency());
        assert_eq!(controls.misbehaviour(&endpoint, &invoice), slow);
    }
}
