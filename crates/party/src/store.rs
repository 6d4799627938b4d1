//! [`AppState`]: the server's one shared handle, and the maps of sales, gateway session tokens and card mappings,
//! touched only here, in synchronous methods returning owned values (STYLE section 2).
//!
//! Lock order, for the whole crate: one map guard at a time, taken and released inside one method of this file
//! (or of [`crate::auth::Tokens`], [`crate::sandbox::Controls`]), so no DashMap guard can live across an `.await`.
//! A closure given to [`AppState::read_sale`] or [`AppState::update_sale`] runs under the sale's shard guard: it
//! touches that one sale and calls no other method of `AppState`. Leaf locks taken under a guard, and nothing
//! else under them: a [`Fifo`]'s order mutex (it then locks shards of its own map only) and the sandbox's
//! generator mutex.

use crate::auth::Tokens;
use crate::bounded::Fifo;
use crate::config::Config;
use crate::events::Events;
use crate::mapping::CardMapping;
use crate::sale::Sale;
use crate::sandbox::Controls;
use dapi::{ClientCardId, InvoiceId, SessionToken};
use dashmap::DashMap;
use std::sync::Arc;

/// The server's shared state; cloning bumps a reference count.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    config: Config,
    tokens: Tokens,
    /// invoiceId → sale; at most `max_sales`, in `sale_order`.
    sales: DashMap<InvoiceId, Sale>,
    sale_order: Fifo<InvoiceId>,
    /// Gateway `session.token` → invoiceId, learned in check sale, used by the notification (spec 3.7); at most
    /// `max_sales`, in `session_order`.
    sessions: DashMap<SessionToken, InvoiceId>,
    session_order: Fifo<SessionToken>,
    /// clientCardId → card mapping, for repeat sales (spec 2.2); at most `max_card_mappings`, in `card_order`.
    cards: DashMap<ClientCardId, CardMapping>,
    card_order: Fifo<ClientCardId>,
    events: Events,
    /// The sandbox's own per-sale settings and counters, apart from the sales.
    controls: Controls,
    /// The message journal (`crate::sandbox::journal`): every exchange the server answers.
    journal: journal::Journal,
    /// Bumped by the journal at every exchange: the dashboard's live stream.
    changes: journal::Changes,
    /// Which route is which diagram step, for the journal.
    journal_routes: journal::RouteTable,
}

impl AppState {
    /// A server with no tokens, sales or card mappings yet.
    pub fn new(config: Config) -> Self {
        let changes = journal::Changes::default();
        Self(Arc::new(Inner {
            journal: journal::Journal::new(config.journal, changes.clone()),
            changes,
            journal_routes: crate::sandbox::journal::routes(),
            tokens: Tokens::new(config.max_access_tokens),
            sales: DashMap::new(),
            sale_order: Fifo::new(config.max_sales),
            sessions: DashMap::new(),
            session_order: Fifo::new(config.max_sales),
            cards: DashMap::new(),
            card_order: Fifo::new(config.max_card_mappings),
            events: Events::new(),
            controls: Controls::new(&config),
            config,
        }))
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The access tokens and their device bindings.
    pub(crate) fn tokens(&self) -> &Tokens {
        &self.0.tokens
    }

    /// The event channel.
    pub(crate) fn events(&self) -> &Events {
        &self.0.events
    }

    /// The message journal.
    pub fn journal(&self) -> &journal::Journal {
        &self.0.journal
    }

    /// What changed since a dashboard last looked: its live stream's source.
    pub fn changes(&self) -> &journal::Changes {
        &self.0.changes
    }

    pub(crate) fn journal_routes(&self) -> &journal::RouteTable {
        &self.0.journal_routes
    }

    /// The sandbox's per-sale settings and counters.
    pub(crate) fn controls(&self) -> &Controls {
        &self.0.controls
    }

    /// Stores a new sale, forgetting the oldest past `max_sales`.
    pub(crate) fn insert_sale(&self, invoice_id: InvoiceId, sale: Sale) {
        let evicted = self.0.sale_order.insert(&self.0.sales, invoice_id, sale);
        if evicted > 0 {
            let max = self.0.config.max_sales;
            tracing::debug!(evicted, max, "oldest sale forgotten");
        }
    }

    /// Whether the sale is known (initiated and not forgotten).
    pub(crate) fn knows_sale(&self, invoice_id: &InvoiceId) -> bool {
        self.0.sales.contains_key(invoice_id)
    }

    /// What `read` makes of the sale, under its guard; `None` when the sale is unknown.
    pub(crate) fn read_sale<R>(
        &self,
        invoice_id: &InvoiceId,
        read: impl FnOnce(&Sale) -> R,
    ) -> Option<R> {
        self.0.sales.get(invoice_id).map(|sale| read(&sale))
    }

    /// Changes the sale with `change`, under its guard (one step for whatever it reads and writes); `None` when
    /// the sale is unknown.
    pub(crate) fn update_sale<R>(
        &self,
        invoice_id: &InvoiceId,
        change: impl FnOnce(&mut Sale) -> R,
    ) -> Option<R> {
        self.0
            .sales
            .get_mut(invoice_id)
            .map(|mut sale| change(&mut sale))
    }

    /// Remembers which sale a gateway token belongs to, forgetting the oldest past `max_sales`.
    pub(crate) fn insert_session(&self, token: SessionToken, invoice_id: InvoiceId) {
        self.0
            .session_order
            .insert(&self.0.sessions, token, invoice_id);
    }

    /// The sale a gateway token was learned for in check sale.
    pub(crate) fn session_invoice(&self, token: &SessionToken) -> Option<InvoiceId> {
        self.0
            .sessions
            .get(token)
            .map(|entry| entry.value().clone())
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

    /// The card mapping of a `clientCardId`, if kept.
    pub(crate) fn card(&self, client_card_id: &ClientCardId) -> Option<CardMapping> {
        self.0
            .cards
            .get(client_card_id)
            .map(|entry| entry.value().clone())
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
