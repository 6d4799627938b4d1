//! The journal against a real file in a temporary directory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use super::*;
use std::sync::atomic::{AtomicU32, Ordering};

const TABLES: &[&str] = &["sales", "counters"];

/// A fresh directory under the system's temporary one, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("durable-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn changes_survive_a_reopen_and_counters_keep_their_highest_value() {
    let dir = TempDir::new();
    let (journal, snapshot) = Journal::open(&dir.0, "test.redb", TABLES).unwrap();
    assert!(snapshot.records::<String>("sales").unwrap().is_empty());
    journal.put("sales", "a", &"first");
    journal.put("sales", "b", &"kept");
    journal.put("sales", "a", &"second");
    journal.delete("sales", "b");
    journal.raise("counters", "orderId", 7);
    let seq = journal.raise("counters", "orderId", 5);
    journal.durable(seq).await;
    journal.close().await;
    let (again, snapshot) = Journal::open(&dir.0, "test.redb", TABLES).unwrap();
    let sales: Vec<(String, String)> = snapshot.records("sales").unwrap();
    assert_eq!(sales, [("a".to_owned(), "second".to_owned())]);
    assert_eq!(snapshot.counter("counters", "orderId").unwrap(), Some(7));
    again.close().await;
}

#[tokio::test]
async fn concurrent_changes_share_commits_and_each_waits_for_its_own() {
    let dir = TempDir::new();
    let (journal, _) = Journal::open(&dir.0, "test.redb", TABLES).unwrap();
    let writers = (0..200).map(|n| {
        let journal = journal.clone();
        tokio::spawn(async move {
            let seq = journal.put("sales", &format!("s{n}"), &n);
            journal.durable(seq).await;
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.unwrap();
    }
    journal.close().await;
    let (_, snapshot) = Journal::open(&dir.0, "test.redb", TABLES).unwrap();
    assert_eq!(snapshot.records::<u32>("sales").unwrap().len(), 200);
}

#[tokio::test]
async fn a_file_in_use_or_corrupt_is_a_clear_error_naming_it_and_is_left_as_it_was() {
    let dir = TempDir::new();
    let (journal, _) = Journal::open(&dir.0, "test.redb", TABLES).unwrap();
    let in_use = Journal::open(&dir.0, "test.redb", TABLES)
        .unwrap_err()
        .to_string();
    assert!(
        in_use.contains("test.redb") && in_use.contains("in use"),
        "{in_use}"
    );
    journal.close().await;

    let garbage = b"this is not a database, just some bytes written over it".repeat(100);
    std::fs::write(dir.0.join("broken.redb"), &garbage).unwrap();
    let broken = Journal::open(&dir.0, "broken.redb", TABLES)
        .unwrap_err()
        .to_string();
    assert!(broken.contains("broken.redb"), "{broken}");
    assert_eq!(
        std::fs::read(dir.0.join("broken.redb")).unwrap(),
        garbage,
        "never emptied"
    );

    let (journal, _) = Journal::open(&dir.0, "record.redb", TABLES).unwrap();
    journal.durable(journal.put("sales", "x", &"text")).await;
    journal.close().await;
    let (_, snapshot) = Journal::open(&dir.0, "record.redb", TABLES).unwrap();
    let wrong = snapshot.records::<u64>("sales").unwrap_err().to_string();
    assert!(
        wrong.contains("record.redb") && wrong.contains("\"x\""),
        "{wrong}"
    );
}

#[tokio::test]
async fn the_memory_journal_keeps_nothing_and_never_waits() {
    let journal = Journal::memory();
    assert!(!journal.is_durable());
    assert_eq!(journal.put("sales", "a", &1), 0);
    journal.flushed().await;
    journal.close().await;
}
