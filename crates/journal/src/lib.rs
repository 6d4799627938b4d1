//! The sandbox's message journal, shared by its two servers: every exchange a server takes part in, inbound
//! and outbound, with its diagram step, its bodies (card numbers masked, CVVs, passwords and control values
//! removed, see [`mask`]) and the sale it belongs to, in a bounded ring that drops its oldest entries and
//! counts them. Queried and exported as NDJSON at `GET /sim/journal`; its [`Changes`] drive the dashboards'
//! live updates. The records' shape is `sandbox_api::journal`.
//!
//! Who writes it: each server's `sandbox` module installs [`record`] around its router (what it answers) and
//! gives its HTTP client the journal (what it calls); nothing in the protocol code records anything itself.
//!
//! Recording is cheap by design: bodies are shared [`bytes::Bytes`] (the request body is captured as the
//! handler reads it, chunk by chunk, without a copy), a body is parsed only when a scan finds something to
//! mask, and everything else happens only when someone reads the journal.
//!
//! # Layout
//! - [`ring`]: [`Journal`], the bounded ring and its [`JournalLimits`].
//! - [`entry`]: [`Exchange`] (what is recorded), [`Entry`] (what is kept), the wire form.
//! - [`mask`]: what is never kept, and the fast path that keeps a body as it is.
//! - [`routes`]: [`RouteTable`], a server's routes and their diagram steps, one line each.
//! - [`inbound`]: the [`record`] middleware and the task's current entry.
//! - [`query`]: the `GET /sim/journal` query, its checks, pages and the NDJSON export.
//! - [`changes`]: [`Changes`], the revision counter and its Server-Sent Events stream.
//! - [`gate`]: the dashboards' gate with a sandbox token (Bearer or cookie, a form asking for it).
//! - [`web`]: the dashboards' stylesheet and script, and the view of one entry.

pub mod changes;
pub mod entry;
pub mod gate;
pub mod inbound;
pub mod mask;
pub mod query;
pub mod ring;
pub mod routes;
pub mod web;

pub use changes::Changes;
pub use entry::{Entry, Exchange, Part};
pub use inbound::{
    Recorder, Seen, clear_current_entry, current_entry, record, record_every_exchange, scoped,
    set_current_entry,
};
pub use query::{Filter, JournalQuery, QueryError};
pub use ring::{Journal, JournalLimits};
pub use routes::{PathIds, Route, RouteTable, is_sandbox_path};

impl Journal {
    /// Records an outbound call under `id` (from [`Journal::reserve`]) and makes it the task's current entry,
    /// for the contract violations its answer shows.
    pub fn record_outbound(&self, id: u64, exchange: Exchange) {
        if self.is_on() {
            self.record(id, exchange);
            set_current_entry(id);
        }
    }
}
