//! [`AppState`]: the server's one shared handle, and [`PartyEvent`], what it publishes for in-process tests.
//!
//! Maps are touched only in synchronous methods returning owned values (STYLE section 2), one guard at a
//! time, so no DashMap guard can live across an `.await`.

use crate::auth::Tokens;
use crate::bounded::Fifo;
use crate::config::Config;
use crate::fault::FaultState;
use crate::mapping::CardMapping;
use crate::sale::Sale;
use dapi::{CallbackStatus, ClientCardId, InvoiceId, ServerCardId, SessionToken};
use dashmap::DashMap;
use sandbox_api::PartySaleRecord;
use std::sync::Arc;
use tokio::sync::broadcast;

/// How many events a slow subscriber may lag behind before it misses some (the channel is bounded: a lagging
/// subscriber loses the oldest events, the server never waits).
const EVENT_CAPACITY: usize = 256;

/// Something the server did, published for in-process tests to await instead of sleeping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartyEvent {
    /// Initiate sale created a sale (spec 3.2).
    Initiated {
        /// The new sale.
        invoice_id: InvoiceId,
    },
    /// A check sale request for this invoice was handled (spec 3.4); `accepted` is true for a 200 answer (also
    /// a wrong one the sale was set to give, published before a `slow` answer's wait) and false otherwise.
    Checked {
        /// The invoice of the request path.
        invoice_id: InvoiceId,
        /// Whether the check was answered with 200.
        accepted: bool,
    },
    /// A card mapping notification created a card reference (spec 3.7); a repeated one publishes nothing.
    CardMapped {
        /// The sale the card was used in.
        invoice_id: InvoiceId,
        /// The alias the server created.
        client_card_id: ClientCardId,
        /// The gateway's reference.
        server_card_id: ServerCardId,
    },
    /// A final-status callback with a valid `control` arrived for a known sale (spec 3.8).
    CallbackReceived {
        /// `client_orderid`.
        invoice_id: InvoiceId,
        /// `status`.
        status: CallbackStatus,
        /// Whether the same (status, type, orderid, client_orderid) had arrived before.
        duplicate: bool,
    },
}

/// The server's shared state; cloning bumps a reference count.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) tokens: Tokens,
    /// invoiceId → sale; at most `max_sales`, in `sale_order`.
    pub(crate) sales: DashMap<InvoiceId, Sale>,
    sale_order: Fifo<InvoiceId>,
    /// Gateway `session.token` → invoiceId, learned in check sale, used by the notification (spec 3.7); at most
    /// `max_sales`, in `session_order`.
    pub(crate) sessions: DashMap<SessionToken, InvoiceId>,
    session_order: Fifo<SessionToken>,
    /// clientCardId → card mapping, for repeat sales (spec 2.2); at most `max_card_mappings`, in `card_order`.
    pub(crate) cards: DashMap<ClientCardId, CardMapping>,
    card_order: Fifo<ClientCardId>,
    /// Server-wide faults and the fault counters.
    pub(crate) faults: FaultState,
    events: broadcast::Sender<PartyEvent>,
}

impl AppState {
    /// A server with no tokens, sales or card mappings yet.
    pub fn new(config: Config) -> Self {
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        Self(Arc::new(Inner {
            tokens: Tokens::new(config.max_access_tokens),
            sales: DashMap::new(),
            sale_order: Fifo::new(config.max_sales),
            sessions: DashMap::new(),
            session_order: Fifo::new(config.max_sales),
            cards: DashMap::new(),
            card_order: Fifo::new(config.max_card_mappings),
            faults: FaultState::new(config.faults),
            events,
            config,
        }))
    }

    /// Receives every [`PartyEvent`] published after this call.
    pub fn subscribe(&self) -> broadcast::Receiver<PartyEvent> {
        self.0.events.subscribe()
    }

    /// What the server saw of a sale (also served at `GET /sim/sales/{invoiceId}`); `None` if unknown.
    pub fn record(&self, invoice_id: &InvoiceId) -> Option<PartySaleRecord> {
        self.0
            .sales
            .get(invoice_id)
            .map(|sale| sale.record(invoice_id))
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// Stores a new sale, forgetting the oldest past `max_sales`. No map guard may be held by the caller.
    pub(crate) fn insert_sale(&self, invoice_id: InvoiceId, sale: Sale) {
        let evicted = self.0.sale_order.insert(&self.0.sales, invoice_id, sale);
        if evicted > 0 {
            tracing::debug!(
                evicted,
                max = self.0.config.max_sales,
                "oldest sale forgotten"
            );
        }
    }

    /// Remembers which sale a gateway token belongs to, forgetting the oldest past `max_sales`.
    pub(crate) fn insert_session(&self, token: SessionToken, invoice_id: InvoiceId) {
        self.0
            .session_order
            .insert(&self.0.sessions, token, invoice_id);
    }

    /// Stores a card mapping, forgetting the oldest past `max_card_mappings`.
    pub(crate) fn insert_card(&self, client_card_id: ClientCardId, mapping: CardMapping) {
        let evicted = self
            .0
            .card_order
            .insert(&self.0.cards, client_card_id, mapping);
        if evicted > 0 {
            let max = self.0.config.max_card_mappings;
            tracing::debug!(evicted, max, "oldest card mapping forgotten");
        }
    }

    /// Publishes an event; having no subscriber is fine.
    pub(crate) fn publish(&self, event: PartyEvent) {
        let _ = self.0.events.send(event);
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("endpoint_id", &self.0.config.endpoint_id)
            .field("sales", &self.0.sales.len())
            .field("cards", &self.0.cards.len())
            .finish_non_exhaustive()
    }
}
