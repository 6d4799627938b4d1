//! Opening a server's data file and reading it whole at start: [`Snapshot`], what the file held, decoded by
//! the server into its maps; [`DataError`], every reason the file cannot be used, naming it. A file that cannot
//! be read is an error, never silently replaced by an empty one.

use super::writer::{Failure, boxed, table};
use redb::{Database, DatabaseError, ReadableTable, TableError};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why a data directory cannot be used; the message starts with the file (or directory) concerned.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct DataError {
    path: PathBuf,
    reason: String,
}

impl DataError {
    /// A problem with `path`.
    pub fn new(path: &Path, reason: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Every record of every table, as the file held them at start.
#[derive(Debug)]
pub struct Snapshot {
    path: PathBuf,
    tables: HashMap<&'static str, Vec<(String, Vec<u8>)>>,
}

impl Snapshot {
    /// The data file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The records of `table`, in key order, decoded.
    ///
    /// # Errors
    /// A record that does not decode, named by table and key.
    pub fn records<T: DeserializeOwned>(&self, table: &str) -> Result<Vec<(String, T)>, DataError> {
        let records = self
            .tables
            .get(table)
            .map(Vec::as_slice)
            .unwrap_or_default();
        records
            .iter()
            .map(|(key, bytes)| {
                serde_json::from_slice(bytes)
                    .map(|value| (key.clone(), value))
                    .map_err(|error| self.corrupt(table, key, &error))
            })
            .collect()
    }

    /// A counter kept with [`crate::Journal::raise`].
    ///
    /// # Errors
    /// A record that is no number.
    pub fn counter(&self, table: &str, key: &str) -> Result<Option<u64>, DataError> {
        let found = self.records::<u64>(table)?.into_iter();
        Ok(found
            .filter(|(name, _)| name == key)
            .map(|(_, value)| value)
            .next())
    }

    /// A record that does not decode.
    pub fn corrupt(&self, table: &str, key: &str, why: &impl std::fmt::Display) -> DataError {
        DataError::new(
            &self.path,
            format!("record {key:?} of table {table} cannot be read: {why}"),
        )
    }
}

/// Opens (or creates) the file and its tables and reads them.
pub(crate) fn open(
    dir: &Path,
    file_name: &str,
    tables: &[&'static str],
) -> Result<(Database, Snapshot), DataError> {
    std::fs::create_dir_all(dir).map_err(|error| {
        DataError::new(dir, format!("cannot create the data directory: {error}"))
    })?;
    let path = dir.join(file_name);
    let database = Database::create(&path).map_err(|error| match error {
        DatabaseError::DatabaseAlreadyOpen => DataError::new(
            &path,
            "already in use by another process (another server with this --data-dir?)",
        ),
        other => DataError::new(&path, format!("cannot be opened as a data file: {other}")),
    })?;
    let failed = |error: Failure| DataError::new(&path, format!("cannot be read: {error}"));
    create_tables(&database, tables).map_err(failed)?;
    let mut read = HashMap::new();
    for name in tables {
        read.insert(*name, read_table(&database, name).map_err(failed)?);
    }
    Ok((database, Snapshot { path, tables: read }))
}

fn create_tables(database: &Database, tables: &[&'static str]) -> Result<(), Failure> {
    let transaction = database.begin_write().map_err(boxed)?;
    for name in tables {
        transaction.open_table(table(name)).map_err(boxed)?;
    }
    transaction.commit().map_err(boxed)
}

fn read_table(database: &Database, name: &str) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    let transaction = database.begin_read().map_err(boxed)?;
    let records = match transaction.open_table(table(name)) {
        Ok(records) => records,
        Err(TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(error) => return Err(boxed(error)),
    };
    let mut read = Vec::new();
    for record in records.iter().map_err(boxed)? {
        let (key, value) = record.map_err(boxed)?;
        read.push((key.value().to_owned(), value.value().to_vec()));
    }
    Ok(read)
}
