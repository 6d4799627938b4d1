//! Bounded memory: the gateway keeps at most [`crate::Config::max_sales`] sales and as many cards, and its
//! delivery log (`delivery`) at most twice as many settled deliveries.
//!
//! Past the cap a perform forgets the oldest *settled* sale: final, its callback opened in the delivery log
//! (`Sale::settled`) and no delivery of it pending. A sale still in progress (check sale, 3-D Secure, the CVV 217
//! wait, the notification) or still being called back is never forgotten; when every kept sale is, the perform is
//! refused (503 `INTERNAL_ERROR`) rather than let memory grow. Forgetting a sale drops its invoice index and its
//! contract violations with it; its deliveries stay in the log (with their own cap), so a dead letter can still be
//! replayed. Cards go oldest first: a repeat sale with a forgotten card is declined ("unknown serverCardId").

use crate::flow::CardRecord;
use crate::state::AppState;
use dapi::{ServerCardId, SessionToken};
use std::collections::VecDeque;
use std::sync::{MutexGuard, PoisonError};

/// The kept sales' tokens, oldest first.
#[derive(Debug, Default)]
pub(crate) struct SaleOrder(VecDeque<SessionToken>);

impl SaleOrder {
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn push(&mut self, token: SessionToken) {
        self.0.push_back(token);
    }
}

impl AppState {
    pub(crate) fn sale_order(&self) -> MutexGuard<'_, SaleOrder> {
        self.inner()
            .sale_order
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets the oldest settled sale; `false` when none is. Each check takes and releases one guard.
    pub(crate) fn forget_oldest_settled(&self, order: &mut SaleOrder) -> bool {
        let settled = |token: &SessionToken| {
            self.with_sale(token, |sale| sale.settled).unwrap_or(true)
                && !self.has_pending_delivery(token)
        };
        let Some(oldest) = order.0.iter().position(settled) else {
            tracing::warn!(
                max_sales = self.config().max_sales,
                "sale refused: every kept sale is still in progress or being called back"
            );
            return false;
        };
        let Some(token) = order.0.remove(oldest) else {
            return false;
        };
        if let Some((_, sale)) = self.inner().sales.remove(&token) {
            self.inner()
                .invoices
                .remove(&(sale.endpoint_id.clone(), sale.invoice_id.clone()));
            tracing::debug!(invoice_id = %sale.invoice_id, %token, "oldest settled sale forgotten (max_sales)");
        }
        true
    }

    /// Registers card `number`; forgets the card issued `max_sales` numbers before (numbers are sequential).
    pub(crate) fn register_card(&self, number: u64, record: CardRecord) -> ServerCardId {
        let server_card_id = ServerCardId::from(number.to_string());
        self.inner().cards.insert(server_card_id.clone(), record);
        let cap = u64::try_from(self.config().max_sales).unwrap_or(u64::MAX);
        if let Some(oldest) = number.checked_sub(cap) {
            self.inner()
                .cards
                .remove(&ServerCardId::from(oldest.to_string()));
        }
        server_card_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::sale::CardFacts;

    #[test]
    fn cards_past_max_sales_go_oldest_first() {
        let mut config = Config::sandbox("http://gw.test", "http://cp.test");
        config.max_sales = 2;
        let state = AppState::new(config);
        let record = CardRecord {
            endpoint_id: "1234".into(),
            card: CardFacts::of(&"4111111111111111".into()),
            email: None,
            confirmed: false,
        };
        for number in 10..=12 {
            state.register_card(number, record.clone());
        }
        let kept = |number: u64| {
            state
                .card(&ServerCardId::from(number.to_string()))
                .is_some()
        };
        assert_eq!((kept(10), kept(11), kept(12)), (false, true, true));
        assert_eq!(state.inner().cards.len(), 2);
    }
}
