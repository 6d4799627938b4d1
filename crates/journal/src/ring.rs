//! [`Journal`]: the bounded ring of entries. Past [`JournalLimits::max_entries`] entries or
//! [`JournalLimits::max_bytes`] bytes the oldest entries are dropped and counted, so the journal never grows
//! without bound and says how much it forgot.
//!
//! An entry is numbered when its exchange starts ([`Journal::reserve`]) and kept when it ends
//! ([`Journal::record`]), so entries are in the order their exchanges started. Masking happens before the
//! lock; under the `std` mutex only the map changes (nothing awaits under it).

use crate::changes::Changes;
use crate::entry::{Entry, Exchange};
use sandbox_api::JournalStats;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// How much a journal keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JournalLimits {
    /// The most entries kept; 0 switches the journal off.
    pub max_entries: usize,
    /// The most bytes their bodies, headers and paths may take (approximately).
    pub max_bytes: usize,
}

impl JournalLimits {
    /// Default of [`JournalLimits::max_entries`]: a day of manual testing (some 500 sales of ~20 exchanges
    /// each, status polls included) at a typical 1–2 KB an entry.
    pub const DEFAULT_MAX_ENTRIES: usize = 10_000;
    /// Default of [`JournalLimits::max_bytes`]: 32 MiB, the bound however large the bodies.
    pub const DEFAULT_MAX_BYTES: usize = 32 * 1024 * 1024;
}

impl Default for JournalLimits {
    fn default() -> Self {
        Self {
            max_entries: Self::DEFAULT_MAX_ENTRIES,
            max_bytes: Self::DEFAULT_MAX_BYTES,
        }
    }
}

/// A server's journal; a clone is a reference-count bump. Off, it records nothing and costs nothing.
#[derive(Clone, Debug)]
pub struct Journal(Option<Arc<Inner>>);

#[derive(Debug)]
struct Inner {
    limits: JournalLimits,
    next_id: AtomicU64,
    ring: Mutex<Ring>,
    changes: Changes,
}

#[derive(Debug, Default)]
struct Ring {
    entries: BTreeMap<u64, Arc<Entry>>,
    bytes: usize,
    recorded: u64,
    dropped: u64,
}

impl Journal {
    /// A journal keeping at most `limits`, bumping `changes` at each entry; off when `max_entries` is 0.
    pub fn new(limits: JournalLimits, changes: Changes) -> Self {
        if limits.max_entries == 0 {
            return Self::off();
        }
        Self(Some(Arc::new(Inner {
            limits,
            next_id: AtomicU64::new(1),
            ring: Mutex::default(),
            changes,
        })))
    }

    /// A journal that records nothing (the control plane is off, or the journal was sized 0).
    pub fn off() -> Self {
        Self(None)
    }

    /// Whether it records.
    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// The id of an exchange that starts now; 0 when off.
    pub fn reserve(&self) -> u64 {
        self.0
            .as_ref()
            .map_or(0, |inner| inner.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Masks and keeps an exchange under the id [`Journal::reserve`] gave it, dropping the oldest entries past
    /// the limits.
    pub fn record(&self, id: u64, exchange: Exchange) {
        let Some(inner) = &self.0 else {
            return;
        };
        let entry = Arc::new(Entry::masked(id, exchange));
        {
            let mut ring = inner.ring();
            ring.bytes += entry.bytes;
            ring.recorded += 1;
            ring.entries.insert(id, entry);
            while ring.entries.len() > inner.limits.max_entries
                || ring.bytes > inner.limits.max_bytes
            {
                let Some((_, oldest)) = ring.entries.pop_first() else {
                    break;
                };
                ring.bytes = ring.bytes.saturating_sub(oldest.bytes);
                ring.dropped += 1;
            }
        } // the lock is released before anyone is woken
        inner.changes.bump();
    }

    /// The entries `keep` accepts with ids after `after`, oldest first, at most `limit` of them, and whether
    /// more follow.
    pub fn select(
        &self,
        after: u64,
        limit: usize,
        keep: impl Fn(&Entry) -> bool,
    ) -> (Vec<Arc<Entry>>, bool) {
        let Some(inner) = &self.0 else {
            return (Vec::new(), false);
        };
        let ring = inner.ring();
        let mut matching = ring
            .entries
            .range(after.saturating_add(1)..)
            .map(|(_, entry)| entry)
            .filter(|entry| keep(entry));
        let page: Vec<Arc<Entry>> = matching.by_ref().take(limit).cloned().collect();
        let more = matching.next().is_some();
        (page, more)
    }

    /// One entry.
    pub fn get(&self, id: u64) -> Option<Arc<Entry>> {
        self.0.as_ref()?.ring().entries.get(&id).cloned()
    }

    /// How full it is.
    pub fn stats(&self) -> JournalStats {
        let Some(inner) = &self.0 else {
            return JournalStats::default();
        };
        let ring = inner.ring();
        JournalStats {
            entries: ring.entries.len(),
            max_entries: inner.limits.max_entries,
            bytes: ring.bytes,
            max_bytes: inner.limits.max_bytes,
            recorded: ring.recorded,
            dropped: ring.dropped,
        }
    }
}

impl Inner {
    fn ring(&self) -> MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::tests::exchange;

    fn journal(max_entries: usize, max_bytes: usize) -> Journal {
        let limits = JournalLimits {
            max_entries,
            max_bytes,
        };
        Journal::new(limits, Changes::default())
    }

    fn keep(journal: &Journal, invoice: &str) -> u64 {
        let id = journal.reserve();
        journal.record(id, exchange(invoice, "{}"));
        id
    }

    fn ids(journal: &Journal) -> Vec<u64> {
        let (entries, _) = journal.select(0, 100, |_| true);
        entries.iter().map(|entry| entry.id).collect()
    }

    #[test]
    fn a_full_journal_drops_the_oldest_entries_and_counts_them() {
        let journal = journal(3, usize::MAX);
        for n in 1..=5 {
            keep(&journal, &format!("INV-{n}"));
        }
        assert_eq!(ids(&journal), [3, 4, 5]);
        let stats = journal.stats();
        assert_eq!((stats.entries, stats.recorded, stats.dropped), (3, 5, 2));
    }

    #[test]
    fn the_byte_bound_holds_whatever_the_entry_count() {
        let journal = journal(1_000, 2_000);
        for n in 0..50 {
            keep(&journal, &format!("INV-{n}"));
        }
        let stats = journal.stats();
        assert!(stats.bytes <= 2_000, "{stats:?}");
        assert!(stats.entries < 50 && stats.dropped == 50 - u64::try_from(stats.entries).unwrap());
    }

    #[test]
    fn entries_stay_in_the_order_their_exchanges_started() {
        let journal = journal(10, usize::MAX);
        let (slow, fast) = (journal.reserve(), journal.reserve());
        journal.record(fast, exchange("INV-fast", "{}"));
        journal.record(slow, exchange("INV-slow", "{}"));
        assert_eq!(ids(&journal), [slow, fast]);
        let (page, more) = journal.select(0, 1, |_| true);
        assert_eq!((page.len(), more), (1, true));
        let (after, more) = journal.select(slow, 10, |_| true);
        assert_eq!((after.len(), more), (1, false));
    }

    #[test]
    fn an_entry_wakes_the_dashboards_and_an_off_journal_records_nothing() {
        let changes = Changes::default();
        let journal = Journal::new(JournalLimits::default(), changes.clone());
        keep(&journal, "INV-1");
        assert_eq!(changes.revision(), 1);
        let off = Journal::new(
            JournalLimits {
                max_entries: 0,
                max_bytes: 1,
            },
            Changes::default(),
        );
        assert!(!off.is_on());
        keep(&off, "INV-1");
        assert_eq!(off.stats(), JournalStats::default());
        assert!(off.get(0).is_none());
    }
}
