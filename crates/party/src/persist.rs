//! The server's state in its data directory (`--data-dir`, file `party.redb`): the tables, the records as kept,
//! [`Restored`] (what the maps start from after a restart) and [`durable_answers`], the layer that lets a
//! protocol answer leave only once every change made so far is on disk.
//!
//! Kept: access tokens with their device binding and expiry (expired ones are dropped at load), sales (terms,
//! checks, card mapping, received callback, violations), the gateway session tokens learned in check sale, and
//! the card mappings. Not kept: the sandbox's per-sale misbehaviour settings and fault counters.

use crate::auth::{Binding, StoredBinding};
use crate::mapping::CardMapping;
use crate::sale::Sale;
use crate::store::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use dapi::{AccessToken, ClientCardId, InvoiceId, SessionToken};
use durable::{DataError, Snapshot};
use serde::{Deserialize, Serialize};
use std::time::{SystemTime, UNIX_EPOCH};

/// The server's file in the data directory.
pub(crate) const FILE: &str = "party.redb";
/// Access tokens by token.
pub(crate) const TOKENS: &str = "access-tokens";
/// Sales by invoice id.
pub(crate) const SALES: &str = "sales";
/// Gateway session tokens (learned in check sale) by token.
pub(crate) const SESSIONS: &str = "sessions";
/// Card mappings by `clientCardId`.
pub(crate) const CARDS: &str = "card-mappings";
/// Every table.
pub(crate) const TABLES: &[&str] = &[TOKENS, SALES, SESSIONS, CARDS];

/// Milliseconds since the Unix epoch, now.
pub(crate) fn unix_ms() -> u64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH);
    since.map_or(0, |elapsed| {
        u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
    })
}

/// A gateway session token as kept: its sale and when it was learned (for the order the cap forgets in).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct StoredSession {
    pub(crate) invoice_id: InvoiceId,
    pub(crate) created_ms: u64,
}

/// A card mapping as kept, with when it was made.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct StoredCard {
    pub(crate) mapping: CardMapping,
    pub(crate) created_ms: u64,
}

/// What the maps start from, each oldest first.
#[derive(Debug, Default)]
pub(crate) struct Restored {
    pub(crate) tokens: Vec<(AccessToken, Binding)>,
    pub(crate) sales: Vec<(InvoiceId, Sale)>,
    pub(crate) sessions: Vec<(SessionToken, InvoiceId)>,
    pub(crate) cards: Vec<(ClientCardId, CardMapping)>,
}

impl Restored {
    /// What the data file holds; access tokens that expired meanwhile are left out.
    ///
    /// # Errors
    /// A record that cannot be read, naming the file, the table and the key.
    pub(crate) fn load(snapshot: &Snapshot) -> Result<Self, DataError> {
        let now_ms = unix_ms();
        let mut tokens: Vec<(u64, AccessToken, Binding)> = snapshot
            .records::<StoredBinding>(TOKENS)?
            .into_iter()
            .filter_map(|(token, kept)| {
                let order = kept.expires_ms.unwrap_or(u64::MAX);
                kept.restore(now_ms)
                    .map(|binding| (order, AccessToken::from(token), binding))
            })
            .collect();
        tokens.sort_by_key(|(order, _, _)| *order);
        let mut sales: Vec<(InvoiceId, Sale)> = snapshot
            .records::<Sale>(SALES)?
            .into_iter()
            .map(|(invoice, sale)| (InvoiceId::from(invoice), sale))
            .collect();
        sales.sort_by_key(|(_, sale)| sale.terms.created_ms);
        let mut sessions: Vec<(String, StoredSession)> = snapshot.records(SESSIONS)?;
        sessions.sort_by_key(|(_, kept)| kept.created_ms);
        let mut cards: Vec<(String, StoredCard)> = snapshot.records(CARDS)?;
        cards.sort_by_key(|(_, kept)| kept.created_ms);
        Ok(Self {
            tokens: tokens
                .into_iter()
                .map(|(_, token, binding)| (token, binding))
                .collect(),
            sales,
            sessions: sessions
                .into_iter()
                .map(|(token, kept)| (SessionToken::from(token), kept.invoice_id))
                .collect(),
            cards: cards
                .into_iter()
                .map(|(id, kept)| (ClientCardId::from(id), kept.mapping))
                .collect(),
        })
    }
}

/// Lets an answer leave only once every change made so far is durable (at once without a data directory), so
/// the gateway or the app never learns of a token, sale, mapping or callback a restart could take back. One
/// commit serves every request waiting at that moment.
pub(crate) async fn durable_answers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let answer = next.run(request).await;
    state.journal().flushed().await;
    answer
}
