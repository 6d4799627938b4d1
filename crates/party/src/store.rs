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
use crate::persist::{self, CARDS, Restored, SALES, SESSIONS, StoredCard, StoredSession};
use crate::sale::Sale;
use crate::sandbox::Controls;
use dapi::{ClientCardId, InvoiceId, SessionToken};
use dashmap::DashMap;
use durable::{DataError, Journal};
use std::path::Path;
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
    /// Every change, on its way to the data directory (a no-op without one).
    journal: Journal,
    /// The message journal (`crate::sandbox::journal`): every exchange the server answers; not to be confused
    /// with the durable journal above.
    messages: journal::Journal,
    /// Bumped by the message journal at every exchange: the dashboard's live stream.
    changes: journal::Changes,
    /// Which route is which diagram step, for the message journal.
    journal_routes: journal::RouteTable,
}

impl AppState {
    /// A server with no tokens, sales or card mappings yet, its state in memory only.
    pub fn new(config: Config) -> Self {
        Self::build(config, Journal::memory(), Restored::default())
    }

    /// A server whose state lives in `dir` (`party.redb`): the access tokens, sales, gateway session tokens,
    /// card mappings and received callbacks a previous run left there are loaded, and every change is made
    /// durable before its answer goes out. Call it inside a Tokio runtime.
    ///
    /// # Errors
    /// [`DataError`], naming the file: it cannot be created, read or locked, or holds a record that cannot be
    /// read. The file is then left as it is.
    pub fn with_data_dir(config: Config, dir: &Path) -> Result<Self, DataError> {
        let (journal, snapshot) = Journal::open(dir, persist::FILE, persist::TABLES)?;
        let restored = Restored::load(&snapshot)?;
        let (tokens, sales) = (restored.tokens.len(), restored.sales.len());
        let state = Self::build(config, journal, restored);
        tracing::info!(
            tokens,
            sales,
            cards = state.0.cards.len(),
            "state restored from the data directory"
        );
        Ok(state)
    }

    fn build(config: Config, journal: Journal, restored: Restored) -> Self {
        let changes = journal::Changes::default();
        // The message journal is part of the control plane: off with it.
        let messages = if config.control_plane.is_on() {
            journal::Journal::new(config.journal, changes.clone())
        } else {
            journal::Journal::off()
        };
        let mut inner = Inner {
            messages,
            changes,
            journal_routes: crate::sandbox::journal::routes(),
            tokens: Tokens::new(config.max_access_tokens, journal.clone(), restored.tokens),
            sales: DashMap::new(),
            sale_order: Fifo::new(config.max_sales),
            sessions: DashMap::new(),
            session_order: Fifo::new(config.max_sales),
            cards: DashMap::new(),
            card_order: Fifo::new(config.max_card_mappings),
            events: Events::new(),
            controls: Controls::new(&config),
            config,
            journal,
        };
        let (sales, sessions, cards) = (
            keys(&restored.sales),
            keys(&restored.sessions),
            keys(&restored.cards),
        );
        inner.sales.extend(restored.sales);
        inner.sessions.extend(restored.sessions);
        inner.cards.extend(restored.cards);
        let state = Self(Arc::new(inner));
        state.forget(SALES, state.0.sale_order.restore(&state.0.sales, sales));
        state.forget(
            SESSIONS,
            state.0.session_order.restore(&state.0.sessions, sessions),
        );
        state.forget(CARDS, state.0.card_order.restore(&state.0.cards, cards));
        state
    }

    /// Makes every change durable and releases the data file, if any (`serve` does it at shutdown); changes
    /// after it are not kept.
    pub async fn close(&self) {
        self.0.journal.close().await;
    }

    /// The journal of this server's changes.
    pub(crate) fn journal(&self) -> &Journal {
        &self.0.journal
    }

    /// Journals the removal of entries no longer kept.
    fn forget<K: std::fmt::Display>(&self, table: &'static str, keys: Vec<K>) {
        for key in keys {
            self.0.journal.delete(table, &key.to_string());
        }
    }

    /// The message journal (`GET /sim/journal`).
    pub fn messages(&self) -> &journal::Journal {
        &self.0.messages
    }

    /// What changed since a dashboard last looked: its live stream's source.
    pub fn changes(&self) -> &journal::Changes {
        &self.0.changes
    }

    pub(crate) fn journal_routes(&self) -> &journal::RouteTable {
        &self.0.journal_routes
    }

    /// What `view` makes of the newest sales it accepts (`Some`), at most `limit`, newest first (the
    /// dashboard). Each sale is read under its own guard, one at a time.
    pub(crate) fn recent_sales<R>(
        &self,
        limit: usize,
        view: impl Fn(&Sale) -> Option<R>,
    ) -> Vec<R> {
        let mut found: Vec<(u64, R)> = self
            .0
            .sales
            .iter()
            .filter_map(|sale| view(&sale).map(|shown| (sale.terms.created_ms, shown)))
            .collect();
        found.sort_by_key(|(created, _)| std::cmp::Reverse(*created));
        found
            .into_iter()
            .take(limit)
            .map(|(_, shown)| shown)
            .collect()
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

    /// The sandbox's per-sale settings and counters.
    pub(crate) fn controls(&self) -> &Controls {
        &self.0.controls
    }

    /// Stores a new sale, forgetting the oldest past `max_sales`.
    pub(crate) fn insert_sale(&self, invoice_id: InvoiceId, sale: Sale) {
        self.0.journal.put(SALES, invoice_id.as_str(), &sale);
        let evicted = self.0.sale_order.insert(&self.0.sales, invoice_id, sale);
        if !evicted.is_empty() {
            let (count, max) = (evicted.len(), self.0.config.max_sales);
            tracing::debug!(count, max, "oldest sale forgotten");
            self.forget(SALES, evicted);
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

    /// Changes the sale with `change`, under its guard (one step for whatever it reads and writes), and
    /// journals it under the same guard; `None` when the sale is unknown.
    pub(crate) fn update_sale<R>(
        &self,
        invoice_id: &InvoiceId,
        change: impl FnOnce(&mut Sale) -> R,
    ) -> Option<R> {
        self.0.sales.get_mut(invoice_id).map(|mut sale| {
            let changed = change(&mut sale);
            if self.0.journal.is_durable() {
                self.0.journal.put(SALES, invoice_id.as_str(), &*sale);
            }
            changed
        })
    }

    /// Remembers which sale a gateway token belongs to, forgetting the oldest past `max_sales`.
    pub(crate) fn insert_session(&self, token: SessionToken, invoice_id: InvoiceId) {
        let kept = StoredSession {
            invoice_id: invoice_id.clone(),
            created_ms: persist::unix_ms(),
        };
        self.0.journal.put(SESSIONS, token.as_str(), &kept);
        let evicted = self
            .0
            .session_order
            .insert(&self.0.sessions, token, invoice_id);
        self.forget(SESSIONS, evicted);
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
        let kept = StoredCard {
            mapping,
            created_ms: persist::unix_ms(),
        };
        self.0.journal.put(CARDS, client_card_id.as_str(), &kept);
        let evicted = self
            .0
            .card_order
            .insert(&self.0.cards, client_card_id, kept.mapping);
        if !evicted.is_empty() {
            let (count, max) = (evicted.len(), self.0.config.max_card_mappings);
            tracing::debug!(count, max, "oldest card mapping forgotten");
            self.forget(CARDS, evicted);
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

/// The keys of a restored map's entries, oldest first.
fn keys<K: Clone, V>(entries: &[(K, V)]) -> Vec<K> {
    entries.iter().map(|(key, _)| key.clone()).collect()
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
