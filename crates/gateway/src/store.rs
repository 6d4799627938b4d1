//! [`Store`]: every map the gateway keeps and the synchronous methods that touch them — sales (and card
//! verifications, sales of another flow) by session token (with their contract violations), the invoice index
//! (one namespace for both flows, addendum V16), the sales' age order, the card registry and the delivery log —
//! each bounded.
//!
//! # Lock order
//! The one rule for every guard here: the sale order's mutex is taken first and released last; under it, or
//! alone, one guard at a time of one map (sales, invoices, cards) or of the delivery log's mutex, each released
//! before the next is taken. [`Store::open_sale`] takes the order's mutex only to append (or, at the cap, to
//! forget the oldest settled sale), never around the whole perform, so performs run side by side; the card order's mutex is taken only by
//! [`Store::issue_card`], before the cards map. The journal's mutex is a leaf, taken under any of them (`get` then `get_mut` on one DashMap key
//! can deadlock). Every method is synchronous and returns owned values, so no guard can live across an `.await`
//! (STYLE section 2); closures passed in run under a guard and must not block or touch the same map.
//!
//! # Persistence
//! Every change is journaled (`durable`) where it is made, under the guard that makes it: a sale whole after
//! each change, a card, a delivery record, the counters' high-water marks. With no data directory the journal
//! keeps nothing. [`Store::restore`] rebuilds the maps from what the data directory held (`persist`).
//!
//! # Bounds
//! At most [`crate::Config::max_sales`] sales and as many cards; the delivery log at most twice as many settled
//! deliveries (and at most [`crate::DELIVERY_LOG_CAP`]). Past the cap a perform forgets the oldest *settled* sale:
//! final, its callback opened in the delivery log (`Sale::settled`) and no delivery of it pending. A sale still in
//! progress (check sale, 3-D Secure, the CVV 217 wait, the notification) or still being called back is never
//! forgotten; when every kept sale is, the perform is refused (503 `INTERNAL_ERROR`) rather than let memory grow.
//! Forgetting a sale drops its invoice index and its contract violations with it; its deliveries stay in the log
//! (with their own cap), so a dead letter can still be replayed. Cards go oldest first: a repeat sale with a
//! forgotten card is declined ("unknown serverCardId").

use crate::delivery::DeliveryLog;
use crate::persist::{self, CARDS, COUNTERS, Restored, SALES};
use crate::sale::{CardFacts, Sale};
use dapi::{
    AccessToken, Email, EndpointId, Flow, InvoiceId, OrderId, SerialNumber, ServerCardId,
    SessionToken,
};
use dashmap::DashMap;
use dashmap::mapref::entry::Entry;
use durable::Journal;
use journal::Changes;
use sandbox_api::{ContractViolation, GatewaySaleRecord};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The gateway's maps.
#[derive(Debug)]
pub(crate) struct Store {
    /// How many sales (and cards) are kept.
    max_sales: usize,
    sales: DashMap<SessionToken, Sale>,
    invoices: DashMap<(EndpointId, InvoiceId), SessionToken>,
    /// The kept sales' tokens, oldest first, for forgetting them past the cap.
    sale_order: Mutex<VecDeque<SessionToken>>,
    /// How many sales are kept or being opened: a perform reserves its place here, so the cap holds exactly
    /// without a lock around the perform.
    kept: AtomicUsize,
    cards: DashMap<ServerCardId, CardRecord>,
    /// The kept cards, oldest first.
    card_order: Mutex<VecDeque<ServerCardId>>,
    /// Every notification and callback with its attempts (`delivery`).
    delivery_log: Mutex<DeliveryLog>,
    /// `orderId` sequence.
    next_order: AtomicU64,
    /// `serverCardId` sequence.
    next_card: AtomicU64,
    /// Every change, on its way to the data directory (a no-op without one).
    journal: Journal,
    /// Bumped after every change of a sale, for the dashboard's live stream.
    changes: Changes,
}

/// Why [`Store::open_sale`] refused a sale.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// A sale exists for this invoice.
    AlreadyProcessed,
    /// `max_sales` sales are kept and none is settled.
    Full,
}

/// A card the gateway issued a `serverCardId` for (the registry used by repeat sales), by a sale or a
/// verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CardRecord {
    /// The endpoint of the sale that created it; other endpoints cannot use it.
    pub(crate) endpoint_id: EndpointId,
    /// Masked PAN, BIN, `uniqueReferenceCardId`.
    pub(crate) card: CardFacts,
    /// `consumer.email` of the sale that created it: repeat sales must bring the same (spec 2.2).
    pub(crate) email: Option<Email>,
    /// Whether the Connecting Party acknowledged the notification with a valid `checkSignature`.
    pub(crate) confirmed: bool,
    /// Made by an approved sale or an approved verification (addendum §4: one registry for both); a record kept
    /// before verifications existed was made by a sale.
    #[serde(default = "sale_origin")]
    pub(crate) origin: Flow,
}

/// The origin of a kept card that names none.
fn sale_origin() -> Flow {
    Flow::Sale
}

impl Store {
    /// An empty store keeping at most `max_sales` sales and cards and `delivery_cap` delivery records, in memory
    /// only.
    #[cfg(test)]
    pub(crate) fn new(max_sales: usize, delivery_cap: usize) -> Self {
        Self::restore(
            max_sales,
            delivery_cap,
            Journal::memory(),
            Restored::fresh(),
        )
    }

    /// A store holding what `restored` holds, journaling every change to `journal`.
    pub(crate) fn restore(
        max_sales: usize,
        delivery_cap: usize,
        journal: Journal,
        restored: Restored,
    ) -> Self {
        let store = Self {
            max_sales,
            sales: DashMap::new(),
            invoices: DashMap::new(),
            sale_order: Mutex::default(),
            kept: AtomicUsize::new(0),
            cards: DashMap::new(),
            card_order: Mutex::default(),
            delivery_log: Mutex::new(DeliveryLog::restore(
                delivery_cap,
                journal.clone(),
                restored.next_delivery,
                restored.deliveries,
            )),
            next_order: AtomicU64::new(restored.next_order),
            next_card: AtomicU64::new(restored.next_card),
            journal,
            changes: Changes::default(),
        };
        {
            let mut order = store.order();
            for sale in restored.sales {
                let key = (sale.endpoint_id.clone(), sale.invoice_id.clone());
                store.invoices.insert(key, sale.token.clone());
                order.push_back(sale.token.clone());
                store.sales.insert(sale.token.clone(), sale);
            }
            store.kept.store(order.len(), Ordering::Relaxed);
        }
        let mut cards = store.cards();
        for (server_card_id, record) in restored.cards {
            cards.push_back(server_card_id.clone());
            store.cards.insert(server_card_id, record);
        }
        drop(cards);
        store
    }

    /// The store, and its delivery log, bumping `changes` after each change (the dashboard's live stream).
    pub(crate) fn watched_by(mut self, changes: &Changes) -> Self {
        self.changes = changes.clone();
        self.delivery_log().watched_by(changes);
        self
    }

    /// The newest `limit` kept sales that `keep` accepts, newest first (the dashboard's list). Walks the age
    /// order from its newest end under its mutex, one sale guard at a time (the lock order above).
    pub(crate) fn recent_sales(&self, limit: usize, keep: impl Fn(&Sale) -> bool) -> Vec<Sale> {
        let order = self.order();
        order
            .iter()
            .rev()
            .filter_map(|token| {
                self.with_sale(token, |sale| keep(sale).then(|| sale.clone()))
                    .flatten()
            })
            .take(limit)
            .collect()
    }

    /// The journal of this store's changes.
    pub(crate) fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Every kept sale's token, oldest first.
    pub(crate) fn tokens(&self) -> Vec<SessionToken> {
        self.order().iter().cloned().collect()
    }

    fn order(&self) -> MutexGuard<'_, VecDeque<SessionToken>> {
        self.sale_order
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn cards(&self) -> MutexGuard<'_, VecDeque<ServerCardId>> {
        self.card_order
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Refuses a second perform for the same invoice (spec 3.3 decision 4) and, at `max_sales`, one for which no
    /// settled sale can be forgotten. The invoice is claimed first with the entry API (check-and-insert is
    /// atomic), then a place among the kept sales is reserved; the order's mutex is taken only to forget and to
    /// append. Returns the token of the sale forgotten to make room, if any.
    pub(crate) fn open_sale(&self, sale: Sale) -> Result<Option<SessionToken>, OpenError> {
        let key = (sale.endpoint_id.clone(), sale.invoice_id.clone());
        match self.invoices.entry(key.clone()) {
            Entry::Occupied(_) => return Err(OpenError::AlreadyProcessed),
            Entry::Vacant(slot) => {
                slot.insert(sale.token.clone());
            }
        } // the invoices guard is gone before anything else is touched
        let forgotten = if self.kept.fetch_add(1, Ordering::Relaxed) >= self.max_sales {
            // Full: this sale takes the place of the oldest settled one (or of none), so one place is given back.
            let forgotten = self.forget_oldest_settled(&mut self.order());
            self.kept.fetch_sub(1, Ordering::Relaxed);
            if forgotten.is_none() {
                self.invoices.remove(&key);
                return Err(OpenError::Full);
            }
            forgotten
        } else {
            None
        };
        let token = sale.token.clone();
        let mut sale = sale;
        sale.durable_seq = self.journal.put(SALES, token.as_str(), &sale);
        self.sales.insert(token.clone(), sale);
        self.order().push_back(token);
        self.changes.bump();
        Ok(forgotten)
    }

    /// Forgets the oldest settled sale and returns its token; `None` when none is settled. Each check takes and
    /// releases one guard.
    fn forget_oldest_settled(&self, order: &mut VecDeque<SessionToken>) -> Option<SessionToken> {
        let settled = |token: &SessionToken| {
            self.with_sale(token, |sale| sale.settled).unwrap_or(true)
                && !self.delivery_log().has_pending(token)
        };
        let Some(oldest) = order.iter().position(settled) else {
            tracing::warn!(
                max_sales = self.max_sales,
                "sale refused: every kept sale is still in progress or being called back"
            );
            return None;
        };
        let token = order.remove(oldest)?;
        if let Some((_, sale)) = self.sales.remove(&token) {
            let key = (sale.endpoint_id.clone(), sale.invoice_id.clone());
            self.invoices.remove(&key);
            self.journal.delete(SALES, token.as_str());
            tracing::debug!(invoice_id = %sale.invoice_id, %token, "oldest settled sale forgotten (max_sales)");
        }
        Some(token)
    }

    /// Reads a sale; the closure runs under the map guard and must not block.
    pub(crate) fn with_sale<R>(
        &self,
        token: &SessionToken,
        read: impl FnOnce(&Sale) -> R,
    ) -> Option<R> {
        self.sales.get(token).map(|sale| read(&sale))
    }

    /// Changes a sale; the closure runs under the map guard and must not block or touch the sales map. The
    /// changed sale is journaled under the same guard, so its changes reach the data directory in order.
    pub(crate) fn update_sale<R>(
        &self,
        token: &SessionToken,
        change: impl FnOnce(&mut Sale) -> R,
    ) -> Option<R> {
        let changed = self.sales.get_mut(token).map(|mut sale| {
            let changed = change(&mut sale);
            if self.journal.is_durable() {
                sale.durable_seq = self.journal.put(SALES, token.as_str(), &*sale);
            }
            changed
        });
        self.changes.bump(); // after the guard is gone: a dashboard that refreshes now sees the change
        changed
    }

    /// Whether a sale has this token.
    pub(crate) fn knows(&self, token: &SessionToken) -> bool {
        self.sales.contains_key(token)
    }

    /// The session token of a performed sale.
    pub(crate) fn token_of(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> Option<SessionToken> {
        let key = (endpoint_id.clone(), invoice_id.clone());
        self.invoices.get(&key).map(|token| token.clone())
    }

    /// The next `orderId`; an atomic counter, safe to call under a sale's guard.
    pub(crate) fn next_order_id(&self) -> OrderId {
        let number = self.next_order.fetch_add(1, Ordering::Relaxed);
        self.journal
            .raise(COUNTERS, persist::ORDER_COUNTER, number.saturating_add(1));
        OrderId::from(number.to_string())
    }

    /// How many sales are kept.
    pub(crate) fn sale_count(&self) -> usize {
        self.sales.len()
    }

    /// How many kept sales are not final.
    pub(crate) fn unfinished_sales(&self) -> usize {
        self.sales
            .iter()
            .filter(|sale| !sale.state().is_final())
            .count()
    }

    /// Records what a sale's peers broke; logged at warn. Identical repeats, anything past the sale's cap and
    /// anything about a sale no longer kept are only logged.
    pub(crate) fn record_violations(
        &self,
        token: &SessionToken,
        found: impl IntoIterator<Item = ContractViolation>,
    ) {
        for mut violation in found {
            tracing::warn!(%violation, "contract violation");
            // Seen in the exchange this job answered or called last (`journal::current_entry`).
            violation.journal_entry = journal::current_entry();
            let kept = self.update_sale(token, |sale| sale.keep_violation(violation));
            if kept == Some(false) {
                tracing::warn!(
                    max = crate::sale::MAX_VIOLATIONS_PER_SALE,
                    "violation not kept: the sale's record is full"
                );
            }
        } // each sale guard ends with its iteration
    }

    /// The contract violations seen in one sale, oldest first; `None` for an unknown sale.
    pub(crate) fn violations(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> Option<Vec<ContractViolation>> {
        let token = self.token_of(endpoint_id, invoice_id)?;
        self.with_sale(&token, |sale| sale.violations.clone())
    }

    /// The record of one sale or verification (state and violations); `None` for an unknown invoice, or one of
    /// another flow than `flow` when one is given.
    pub(crate) fn sale_record(
        &self,
        flow: Option<Flow>,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> Option<GatewaySaleRecord> {
        let token = self.token_of(endpoint_id, invoice_id)?;
        self.with_sale(&token, |sale| {
            flow.is_none_or(|flow| flow == sale.flow)
                .then(|| GatewaySaleRecord {
                    invoice_id: invoice_id.clone(),
                    state: sale.state(),
                    violations: sale.violations.clone(),
                    attacks: Vec::new(),
                })
        })
        .flatten()
    }

    /// The access token of another sale than the one `own` belongs to: newest first, of the same device when
    /// one is kept (the attack pack's "another sale's access token"), else of any device.
    pub(crate) fn other_access_token(
        &self,
        serial_number: &SerialNumber,
        own: &AccessToken,
    ) -> Option<AccessToken> {
        let order = self
            .sale_order
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut any_device = None;
        for token in order.iter().rev() {
            let found = self.with_sale(token, |sale| {
                (sale.access_token != *own).then(|| {
                    (
                        sale.access_token.clone(),
                        sale.serial_number == *serial_number,
                    )
                })
            });
            match found.flatten() {
                Some((token, true)) => return Some(token),
                Some((token, false)) => {
                    any_device.get_or_insert(token);
                }
                None => {}
            }
        } // each sale guard ends with its iteration; the order's mutex is released last
        any_device
    }

    /// Issues the next `serverCardId` for a card and registers it; past `max_sales` cards the oldest is
    /// forgotten.
    pub(crate) fn issue_card(&self, record: CardRecord) -> ServerCardId {
        let number = self.next_card.fetch_add(1, Ordering::Relaxed);
        self.journal
            .raise(COUNTERS, persist::CARD_COUNTER, number.saturating_add(1));
        let server_card_id = ServerCardId::from(number.to_string());
        let mut order = self.cards();
        self.journal.put(CARDS, server_card_id.as_str(), &record);
        self.cards.insert(server_card_id.clone(), record);
        order.push_back(server_card_id.clone());
        while order.len() > self.max_sales.max(1) {
            let Some(oldest) = order.pop_front() else {
                break;
            };
            self.cards.remove(&oldest);
            self.journal.delete(CARDS, oldest.as_str());
        }
        server_card_id
    }

    /// The registered cards' ids, oldest first.
    #[cfg(test)]
    pub(crate) fn card_ids(&self) -> Vec<ServerCardId> {
        self.cards().iter().cloned().collect()
    }

    /// A registered card.
    pub(crate) fn card(&self, server_card_id: &ServerCardId) -> Option<CardRecord> {
        self.cards.get(server_card_id).map(|record| record.clone())
    }

    /// Marks a mapping as acknowledged (or not).
    pub(crate) fn confirm_card(&self, server_card_id: &ServerCardId, confirmed: bool) {
        if let Some(mut record) = self.cards.get_mut(server_card_id) {
            record.confirmed = confirmed;
            self.journal.put(CARDS, server_card_id.as_str(), &*record);
        }
    }

    /// The delivery log, behind its `std` mutex: held only for one synchronous change or copy.
    pub(crate) fn delivery_log(&self) -> MutexGuard<'_, DeliveryLog> {
        self.delivery_log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests;
