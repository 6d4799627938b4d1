//! [`Fifo`]: the insertion order of a map's keys, so the map holds at most a fixed number of entries and the
//! oldest is forgotten first (sales, gateway session tokens, access tokens, card mappings, the sandbox's per-sale
//! controls; see the crate's "Bounds").
//!
//! Lock order: the order's `std` mutex first, then one map shard at a time, each guard dropped before the next
//! is taken. No caller holds a shard guard of the map when it calls in, and nothing awaits under the mutex.

use dashmap::DashMap;
use std::collections::VecDeque;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The keys of one map, oldest first, and how many it may hold.
///
/// Every key a map holds is in the order; the order may also hold keys removed from the map elsewhere (an
/// expired token), which are dropped when they reach the front. Such a key is never inserted again: tokens,
/// invoice ids and client card ids are random.
#[derive(Debug)]
pub(crate) struct Fifo<K> {
    order: Mutex<VecDeque<K>>,
    cap: usize,
}

impl<K: Eq + Hash + Clone> Fifo<K> {
    /// An empty order for a map of at most `cap` entries (at least 1).
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            order: Mutex::new(VecDeque::new()),
            cap: cap.max(1),
        }
    }

    /// Inserts (or replaces) `key` in `map`, then forgets the oldest keys while more than the cap are
    /// remembered; returns the keys that removed from `map`.
    pub(crate) fn insert<V>(&self, map: &DashMap<K, V>, key: K, value: V) -> Vec<K> {
        let mut order = self.lock();
        if map.insert(key.clone(), value).is_none() {
            order.push_back(key);
        }
        self.evict_past_cap(&mut order, map)
    }

    /// Remembers keys already in `map`, oldest first (a restart's), then forgets the oldest past the cap.
    pub(crate) fn restore<V>(
        &self,
        map: &DashMap<K, V>,
        keys: impl IntoIterator<Item = K>,
    ) -> Vec<K> {
        let mut order = self.lock();
        order.extend(keys.into_iter().filter(|key| map.contains_key(key)));
        self.evict_past_cap(&mut order, map)
    }

    /// Changes the entry of `key` in `map`, inserting `V::default()` first when there is none (then forgetting the
    /// oldest keys past the cap); returns what `change` returns. `change` runs under the entry's shard guard.
    pub(crate) fn upsert<V: Default, R>(
        &self,
        map: &DashMap<K, V>,
        key: K,
        change: impl FnOnce(&mut V) -> R,
    ) -> R {
        // An existing entry needs no order: one shard guard, taken and released here.
        if let Some(mut entry) = map.get_mut(&key) {
            return change(entry.value_mut());
        }
        let mut order = self.lock();
        let mut inserted = false;
        let changed = {
            let mut entry = map.entry(key.clone()).or_insert_with(|| {
                inserted = true;
                V::default()
            });
            change(entry.value_mut())
        }; // the shard guard is released before evicting, which may lock the same shard
        if inserted {
            order.push_back(key);
            self.evict_past_cap(&mut order, map);
        }
        changed
    }

    /// Forgets the oldest keys while more than the cap are remembered; the keys that removed from `map`.
    fn evict_past_cap<V>(&self, order: &mut VecDeque<K>, map: &DashMap<K, V>) -> Vec<K> {
        let mut evicted = Vec::new();
        while order.len() > self.cap {
            let Some(oldest) = order.pop_front() else {
                break;
            };
            if map.remove(&oldest).is_some() {
                evicted.push(oldest);
            }
        }
        evicted
    }

    /// Forgets keys from the front while their entry is gone or `stale`, removing the stale entries; stops at
    /// the first live one. With one lifetime for every entry, the stale ones are all at the front. Returns the
    /// keys it removed from `map`.
    pub(crate) fn prune_front<V>(&self, map: &DashMap<K, V>, stale: impl Fn(&V) -> bool) -> Vec<K> {
        let mut order = self.lock();
        let mut removed = Vec::new();
        while let Some(front) = order.front() {
            // The read guard is a temporary, gone before `remove_if` locks the same shard.
            let gone_or_stale = map.get(front).is_none_or(|entry| stale(entry.value()));
            if !gone_or_stale {
                break;
            }
            if map.remove_if(front, |_, value| stale(value)).is_some() {
                removed.push(front.clone());
            }
            order.pop_front();
        }
        removed
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<K>> {
        self.order.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_entries_are_evicted_first_and_a_replaced_key_keeps_its_place() {
        let (map, fifo) = (DashMap::new(), Fifo::new(3));
        for key in 1..=3 {
            assert!(fifo.insert(&map, key, "v").is_empty());
        }
        assert!(fifo.insert(&map, 1, "again").is_empty());
        assert_eq!(fifo.insert(&map, 4, "v"), [1]);
        let mut keys: Vec<i32> = map.iter().map(|entry| *entry.key()).collect();
        keys.sort_unstable();
        assert_eq!(keys, [2, 3, 4]);
    }

    #[test]
    fn pruning_stops_at_the_first_live_entry() {
        let (map, fifo) = (DashMap::new(), Fifo::new(10));
        for (key, live) in [(1, false), (2, false), (3, true), (4, false)] {
            fifo.insert(&map, key, live);
        }
        map.remove(&2);
        fifo.prune_front(&map, |live| !live);
        assert!(!map.contains_key(&1) && map.contains_key(&3) && map.contains_key(&4));
        assert_eq!(fifo.lock().len(), 2);
    }

    #[test]
    fn upsert_changes_an_entry_in_place_and_a_new_one_counts_towards_the_cap() {
        let (map, fifo) = (DashMap::new(), Fifo::new(2));
        fifo.upsert(&map, 1, |n: &mut u32| *n += 1);
        fifo.upsert(&map, 1, |n| *n += 1);
        fifo.upsert(&map, 2, |n| *n += 5);
        assert_eq!(fifo.upsert(&map, 1, |n| *n), 2);
        fifo.upsert(&map, 3, |n| *n += 1);
        assert!(!map.contains_key(&1), "the oldest key went past the cap");
        assert_eq!(
            (map.get(&2).map(|n| *n), map.get(&3).map(|n| *n)),
            (Some(5), Some(1))
        );
    }

    #[test]
    fn a_zero_cap_keeps_one_entry() {
        let (map, fifo) = (DashMap::new(), Fifo::new(0));
        fifo.insert(&map, 1, ());
        fifo.insert(&map, 2, ());
        assert_eq!(map.len(), 1);
        assert!(map.contains_key(&2));
    }
}
