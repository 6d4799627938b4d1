//! [`Store`]: every map the gateway keeps and the synchronous methods that touch them — sales (and card
//! verifications, sales of another flow) by session token (with their contract violations), the invoice index
//! (one namespace for both flows, addendum V16), the sales' age order, the card registry and the delivery log —
//! each bounded.
//!
//! # Lock order
//! The one rule for every guard here: the sale order's mutex is taken first (only by [`Store::open_sale`], which it
//! serialises) and released last; under it, or alone, one guard at a time of one map (sales, invoices, cards) or
//! of the delivery log's mutex, each released before the next is taken (`get` then `get_mut` on one DashMap key
//! can deadlock). Every method is synchronous and returns owned values, so no guard can live across an `.await`
//! (STYLE section 2); closures passed in run under a guard and must not block or touch the same map.
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
use crate::sale::{CardFacts, Sale};
use dapi::{Email, EndpointId, Flow, InvoiceId, OrderId, ServerCardId, SessionToken};
use dashmap::DashMap;
use dashmap::mapref::entry::Entry;
use sandbox_api::{ContractViolation, GatewaySaleRecord};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The first `orderId` issued.
const FIRST_ORDER_ID: u64 = 5_021_334;
/// The first `serverCardId` issued.
const FIRST_SERVER_CARD_ID: u64 = 9_876_543;

/// The gateway's maps.
#[derive(Debug)]
pub(crate) struct Store {
    /// How many sales (and cards) are kept.
    max_sales: usize,
    sales: DashMap<SessionToken, Sale>,
    invoices: DashMap<(EndpointId, InvoiceId), SessionToken>,
    /// The kept sales' tokens, oldest first, for forgetting them past the cap.
    sale_order: Mutex<VecDeque<SessionToken>>,
    cards: DashMap<ServerCardId, CardRecord>,
    /// Every notification and callback with its attempts (`delivery`).
    delivery_log: Mutex<DeliveryLog>,
    /// `orderId` sequence.
    next_order: AtomicU64,
    /// `serverCardId` sequence.
    next_card: AtomicU64,
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CardRecord {
    /// The endpoint of the sale that created it; other endpoints cannot use it.
    pub(crate) endpoint_id: EndpointId,
    /// Masked PAN, BIN, `uniqueReferenceCardId`.
    pub(crate) card: CardFacts,
    /// `consumer.email` of the sale that created it: repeat sales must bring the same (spec 2.2).
    pub(crate) email: Option<Email>,
    /// Whether the Connecting Party acknowledged the notification with a valid `checkSignature`.
    pub(crate) confirmed: bool,
    /// Made by an approved sale or an approved verification (addendum §4: one registry for both).
    pub(crate) origin: Flow,
}

impl Store {
    /// An empty store keeping at most `max_sales` sales and cards and `delivery_cap` delivery records.
    pub(crate) fn new(max_sales: usize, delivery_cap: usize) -> Self {
        Self {
            max_sales,
            sales: DashMap::new(),
            invoices: DashMap::new(),
            sale_order: Mutex::default(),
            cards: DashMap::new(),
            delivery_log: Mutex::new(DeliveryLog::with_cap(delivery_cap)),
            next_order: AtomicU64::new(FIRST_ORDER_ID),
            next_card: AtomicU64::new(FIRST_SERVER_CARD_ID),
        }
    }

    /// Refuses a second perform for the same invoice (spec 3.3 decision 4) and, at `max_sales`, one for which no
    /// settled sale can be forgotten. Opens are serialised by the sale order's mutex; the entry API makes
    /// check-and-insert atomic anyway.
    pub(crate) fn open_sale(&self, sale: Sale) -> Result<(), OpenError> {
        let key = (sale.endpoint_id.clone(), sale.invoice_id.clone());
        let mut order = self
            .sale_order
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if self.invoices.contains_key(&key) {
            return Err(OpenError::AlreadyProcessed);
        }
        if order.len() >= self.max_sales && !self.forget_oldest_settled(&mut order) {
            return Err(OpenError::Full);
        }
        match self.invoices.entry(key) {
            Entry::Occupied(_) => return Err(OpenError::AlreadyProcessed),
            Entry::Vacant(slot) => {
                slot.insert(sale.token.clone());
            }
        } // the invoices guard is gone before the sales map is touched
        order.push_back(sale.token.clone());
        self.sales.insert(sale.token.clone(), sale);
        Ok(())
    }

    /// Forgets the oldest settled sale; `false` when none is. Each check takes and releases one guard.
    fn forget_oldest_settled(&self, order: &mut VecDeque<SessionToken>) -> bool {
        let settled = |token: &SessionToken| {
            self.with_sale(token, |sale| sale.settled).unwrap_or(true)
                && !self.delivery_log().has_pending(token)
        };
        let Some(oldest) = order.iter().position(settled) else {
            tracing::warn!(
                max_sales = self.max_sales,
                "sale refused: every kept sale is still in progress or being called back"
            );
            return false;
        };
        let Some(token) = order.remove(oldest) else {
            return false;
        };
        if let Some((_, sale)) = self.sales.remove(&token) {
            let key = (sale.endpoint_id.clone(), sale.invoice_id.clone());
            self.invoices.remove(&key);
            tracing::debug!(invoice_id = %sale.invoice_id, %token, "oldest settled sale forgotten (max_sales)");
        }
        true
    }

    /// Reads a sale; the closure runs under the map guard and must not block.
    pub(crate) fn with_sale<R>(
        &self,
        token: &SessionToken,
        read: impl FnOnce(&Sale) -> R,
    ) -> Option<R> {
        self.sales.get(token).map(|sale| read(&sale))
    }

    /// Changes a sale; the closure runs under the map guard and must not block or touch the sales map.
    pub(crate) fn update_sale<R>(
        &self,
        token: &SessionToken,
        change: impl FnOnce(&mut Sale) -> R,
    ) -> Option<R> {
        self.sales.get_mut(token).map(|mut sale| change(&mut sale))
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
        OrderId::from(self.next_order.fetch_add(1, Ordering::Relaxed).to_string())
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
        for violation in found {
            tracing::warn!(%violation, "contract violation");
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
                })
        })
        .flatten()
    }

    /// Issues the next `serverCardId` for a card and registers it; forgets the card issued `max_sales` numbers
    /// before (numbers are sequential).
    pub(crate) fn issue_card(&self, record: CardRecord) -> ServerCardId {
        let number = self.next_card.fetch_add(1, Ordering::Relaxed);
        let server_card_id = ServerCardId::from(number.to_string());
        self.cards.insert(server_card_id.clone(), record);
        let cap = u64::try_from(self.max_sales).unwrap_or(u64::MAX);
        if let Some(oldest) = number.checked_sub(cap) {
            self.cards.remove(&ServerCardId::from(oldest.to_string()));
        }
        server_card_id
    }

    /// A registered card.
    pub(crate) fn card(&self, server_card_id: &ServerCardId) -> Option<CardRecord> {
        self.cards.get(server_card_id).map(|record| record.clone())
    }

    /// Marks a mapping as acknowledged (or not).
    pub(crate) fn confirm_card(&self, server_card_id: &ServerCardId, confirmed: bool) {
        if let Some(mut record) = self.cards.get_mut(server_card_id) {
            record.confirmed = confirmed;
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
mod tests {
    use super::*;
    use crate::sale::MAX_VIOLATIONS_PER_SALE;
    use crate::sale::tests::sale;
    use crate::sale::violations::violation;
    use dapi::steps;

    #[test]
    fn cards_past_max_sales_go_oldest_first() {
        let store = Store::new(2, 4);
        let record = CardRecord {
            endpoint_id: "1234".into(),
            card: CardFacts::of(&"4111111111111111".into()),
            email: None,
            confirmed: false,
            origin: Flow::Sale,
        };
        let issued: Vec<ServerCardId> = (0..3).map(|_| store.issue_card(record.clone())).collect();
        assert_eq!(issued[0].as_str(), "9876543", "the first serverCardId");
        let kept = |n: usize| store.card(&issued[n]).is_some();
        assert_eq!((kept(0), kept(1), kept(2)), (false, true, true));
        assert_eq!(store.cards.len(), 2);
        store.confirm_card(&issued[2], true);
        assert!(store.card(&issued[2]).is_some_and(|card| card.confirmed));
    }

    #[test]
    fn a_sale_keeps_identical_violations_once_and_at_most_fifty() {
        let store = Store::new(10, 20);
        let token = SessionToken::from("0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b");
        let step = steps::CALLBACK_RESPONSE;
        store.record_violations(&token, [violation(step, "", "unknown sale")]);
        store.open_sale(sale("123")).unwrap();
        let kept = || store.violations(&"1234".into(), &"INV-1".into()).unwrap();
        assert_eq!(
            kept(),
            [],
            "nothing is kept for a sale the gateway does not know"
        );
        store.record_violations(&token, [violation(step, "", "a"), violation(step, "", "a")]);
        assert_eq!(kept().len(), 1);
        store.record_violations(
            &token,
            (0..100).map(|n| violation(step, "", format!("rule {n}"))),
        );
        assert_eq!(kept().len(), MAX_VIOLATIONS_PER_SALE);
        assert_eq!(kept()[0].rule, "a");
    }

    #[test]
    fn a_second_open_of_one_invoice_is_refused() {
        let store = Store::new(10, 20);
        store.open_sale(sale("123")).unwrap();
        assert_eq!(
            store.open_sale(sale("123")),
            Err(OpenError::AlreadyProcessed)
        );
        assert_eq!(store.sale_count(), 1);
    }
}
