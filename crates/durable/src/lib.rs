//! State that survives a restart, for both sandbox servers: a [`Journal`] of changes to named tables, made
//! durable in one embedded [redb](https://www.redb.org) file by one writer task, and the [`Snapshot`] a server
//! rebuilds its in-memory maps from at start. Without a data directory the journal is [`Journal::memory`]: every
//! call is a no-op and nothing is serialised, so the in-memory sandbox pays nothing for it.
//!
//! The in-memory maps stay the primary store, for every read. A change is journaled where it is made, under the
//! same guard (so two changes to one key are journaled in the order they were made) and returns a sequence
//! number; the code that acknowledges the change awaits [`Journal::durable`] for it before the answer goes
//! out. The writer takes everything journaled since its last commit and writes it in one transaction (group
//! commit: concurrent requests share one fsync). redb's copy-on-write commits are atomic, so a `kill -9` loses
//! at most the changes not yet committed — none of which has been acknowledged.
//!
//! A write that fails (disk full, file gone) is retried every second and logged at error; the changes waiting
//! for it wait too, so nothing unsaved is ever acknowledged, while reads go on.
//!
//! # Layout
//! - this file: [`Journal`], the handle the servers journal changes through.
//! - `snapshot`: opening the file, [`Snapshot`] (what it held at start) and [`DataError`].
//! - `writer`: the writer task and its transactions.

mod snapshot;
mod writer;

pub use snapshot::{DataError, Snapshot};

use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use writer::{Change, Op};

/// How long [`Journal::close`] waits for the last commit.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// The changes of one server, on their way to its file; a clone shares the journal.
#[derive(Clone, Debug)]
pub struct Journal(Option<Arc<Shared>>);

#[derive(Debug)]
struct Shared {
    path: PathBuf,
    pending: Mutex<Pending>,
    /// Wakes the writer; capacity 1, a full channel means it is already awake.
    wake: mpsc::Sender<()>,
    /// The highest sequence number committed.
    committed: watch::Sender<u64>,
    /// Set when the writer has made everything durable and released the file.
    closed: watch::Sender<bool>,
}

#[derive(Debug, Default)]
struct Pending {
    ops: Vec<Op>,
    /// The sequence number of the last change journaled.
    last: u64,
    closing: bool,
}

impl Journal {
    /// A journal that keeps nothing: the sandbox without a data directory.
    pub fn memory() -> Self {
        Self(None)
    }

    /// Opens (or creates) `file_name` in `dir` (created if missing) with `tables`, reads what it holds and starts
    /// the writer task; call it inside a Tokio runtime.
    ///
    /// # Errors
    /// [`DataError`], naming the file: it cannot be created or read, is not a redb file, is already in use by
    /// another process, or is corrupt.
    pub fn open(
        dir: &Path,
        file_name: &str,
        tables: &[&'static str],
    ) -> Result<(Self, Snapshot), DataError> {
        let (database, snapshot) = snapshot::open(dir, file_name, tables)?;
        let (wake, woken) = mpsc::channel(1);
        let shared = Arc::new(Shared {
            path: snapshot.path().to_owned(),
            pending: Mutex::default(),
            wake,
            committed: watch::Sender::new(0),
            closed: watch::Sender::new(false),
        });
        tokio::spawn(writer::run(Arc::clone(&shared), woken, database));
        Ok((Self(Some(shared)), snapshot))
    }

    /// Whether changes are kept (a data directory was given).
    pub fn is_durable(&self) -> bool {
        self.0.is_some()
    }

    /// Journals `value` as the record `key` of `table`; its sequence number (0 in memory).
    pub fn put(&self, table: &'static str, key: &str, value: &impl Serialize) -> u64 {
        let Some(shared) = &self.0 else { return 0 };
        match serde_json::to_vec(value) {
            Ok(bytes) => shared.push(table, key, Change::Put(bytes)),
            Err(error) => {
                // Our own types always serialise; should one not, say so rather than pretend it is kept.
                tracing::error!(%error, table, key, "a record cannot be serialised: not kept");
                shared.lock().last
            }
        }
    }

    /// Journals the removal of the record `key` of `table`.
    pub fn delete(&self, table: &'static str, key: &str) -> u64 {
        let Some(shared) = &self.0 else { return 0 };
        shared.push(table, key, Change::Delete)
    }

    /// Journals a counter's high-water mark: the record keeps the largest value ever raised to, whatever order
    /// concurrent raises commit in.
    pub fn raise(&self, table: &'static str, key: &str, value: u64) -> u64 {
        let Some(shared) = &self.0 else { return 0 };
        shared.push(table, key, Change::Raise(value))
    }

    /// The sequence number of the last change journaled so far.
    pub fn last(&self) -> u64 {
        self.0.as_ref().map_or(0, |shared| shared.lock().last)
    }

    /// Waits until the change numbered `seq` (and every one before it) is committed; at once in memory.
    pub async fn durable(&self, seq: u64) {
        let Some(shared) = &self.0 else { return };
        let mut committed = shared.committed.subscribe();
        // The sender lives in `Shared`, which this handle keeps: the wait ends only by the condition.
        let _ = committed.wait_for(|done| *done >= seq).await;
    }

    /// Waits until everything journaled so far is committed.
    pub async fn flushed(&self) {
        self.durable(self.last()).await;
    }

    /// Commits what is pending, stops the writer and releases the file (waiting at most 5 s); later changes are
    /// not kept. Logged at error when the last commit does not finish in time.
    pub async fn close(&self) {
        let Some(shared) = &self.0 else { return };
        shared.lock().closing = true;
        let _ = shared.wake.try_send(());
        let mut closed = shared.closed.subscribe();
        let done = tokio::time::timeout(CLOSE_GRACE, closed.wait_for(|closed| *closed)).await;
        if done.is_err() {
            let unsaved = shared.lock().ops.len();
            let path = shared.path.display();
            tracing::error!(%path, unsaved, "the data file was not closed in time: the latest changes may be lost");
        }
    }
}

impl Shared {
    fn push(&self, table: &'static str, key: &str, change: Change) -> u64 {
        let seq = {
            let mut pending = self.lock();
            if pending.closing {
                tracing::warn!(
                    table,
                    key,
                    "a change after the data file was closed: not kept"
                );
                return pending.last;
            }
            pending.last += 1;
            let seq = pending.last;
            pending.ops.push(Op {
                seq,
                table,
                key: key.to_owned(),
                change,
            });
            seq
        };
        // Full: the writer is already awake and will take this change too.
        let _ = self.wake.try_send(());
        seq
    }

    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests;
