//! The writer task: it takes every change journaled since its last commit, writes them in one redb write
//! transaction, commits (fsync) and publishes the last sequence number committed. A failed commit is retried
//! every second with the same changes, so none is dropped and none acknowledged before it is on disk.

use super::Shared;
use redb::{Database, ReadableTable, TableDefinition};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// The pause before a failed commit is tried again.
const RETRY: Duration = Duration::from_secs(1);

/// Every table holds JSON records by text key.
pub(crate) fn table(name: &str) -> TableDefinition<'_, &'static str, &'static [u8]> {
    TableDefinition::new(name)
}

/// One journaled change.
#[derive(Debug)]
pub(crate) struct Op {
    pub(crate) seq: u64,
    pub(crate) table: &'static str,
    pub(crate) key: String,
    pub(crate) change: Change,
}

/// What a change does to its record.
#[derive(Debug)]
pub(crate) enum Change {
    /// Sets the record to these JSON bytes.
    Put(Vec<u8>),
    /// Removes the record.
    Delete,
    /// Sets a counter record to this value unless it holds a larger one.
    Raise(u64),
}

/// Commits what is journaled whenever woken, until the journal closes or every handle is gone; then releases
/// the file.
pub(crate) async fn run(shared: Arc<Shared>, mut woken: mpsc::Receiver<()>, database: Database) {
    let database = Arc::new(database);
    loop {
        let awake = woken.recv().await.is_some();
        loop {
            let batch = std::mem::take(&mut shared.lock().ops);
            let Some(last) = batch.last().map(|op| op.seq) else {
                break;
            };
            commit_until_done(&shared, &database, batch).await;
            shared.committed.send_replace(last);
        }
        if !awake || shared.lock().closing {
            break;
        }
    }
    // The last blocking commit has returned: this is the only handle left, and dropping it unlocks the file.
    drop(database);
    shared.closed.send_replace(true);
}

async fn commit_until_done(shared: &Shared, database: &Arc<Database>, batch: Vec<Op>) {
    let batch = Arc::new(batch);
    let mut failures = 0_u32;
    loop {
        let (database, ops) = (Arc::clone(database), Arc::clone(&batch));
        let committed = tokio::task::spawn_blocking(move || write(&database, &ops)).await;
        let error = match committed {
            Ok(Ok(())) => {
                if failures > 0 {
                    tracing::info!(path = %shared.path.display(), failures, "the data file is written again");
                }
                return;
            }
            Ok(Err(error)) => error.to_string(),
            Err(join) => join.to_string(),
        };
        failures = failures.saturating_add(1);
        let (path, changes) = (shared.path.display(), batch.len());
        tracing::error!(%path, %error, changes, "cannot write the data file; the changes wait, retried every second");
        tokio::time::sleep(RETRY).await;
    }
}

/// A redb error, boxed: its variants are large and it is only ever logged or shown.
pub(crate) type Failure = Box<redb::Error>;

pub(crate) fn boxed(error: impl Into<redb::Error>) -> Failure {
    Box::new(error.into())
}

/// One write transaction with every change of the batch, in order.
fn write(database: &Database, ops: &[Op]) -> Result<(), Failure> {
    let transaction = database.begin_write().map_err(boxed)?;
    {
        let mut tables = HashMap::new();
        for op in ops {
            if !tables.contains_key(op.table) {
                let records = transaction.open_table(table(op.table)).map_err(boxed)?;
                tables.insert(op.table, records);
            }
            let Some(records) = tables.get_mut(op.table) else {
                continue;
            };
            let key = op.key.as_str();
            match &op.change {
                Change::Put(bytes) => {
                    records.insert(key, bytes.as_slice()).map_err(boxed)?;
                }
                Change::Delete => {
                    records.remove(key).map_err(boxed)?;
                }
                Change::Raise(value) => {
                    let kept = records
                        .get(key)
                        .map_err(boxed)?
                        .and_then(|record| serde_json::from_slice::<u64>(record.value()).ok());
                    let highest = kept.map_or(*value, |kept| kept.max(*value));
                    records
                        .insert(key, highest.to_string().as_bytes())
                        .map_err(boxed)?;
                }
            }
        }
    } // the tables borrow the transaction: closed before it commits
    transaction.commit().map_err(boxed)
}
