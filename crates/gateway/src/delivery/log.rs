//! [`DeliveryLog`]: every delivery and its attempts, bounded. Past its cap the oldest delivered record goes first,
//! then the oldest dead letter (kept preferentially, for inspection and replay); a pending one never goes (the log
//! may then exceed its cap by the pending ones, which are bounded by the running jobs). Each record keeps its
//! latest [`MAX_ATTEMPTS_KEPT`] attempts and counts the older ones. Listed a page at a time. Synchronous and behind
//! a `std` mutex: nothing awaits under it.

use super::Message;
use crate::persist::{COUNTERS, DELIVERIES, DELIVERY_COUNTER, RestoredDelivery, StoredDelivery};
use crate::sandbox::Tamper;
use dapi::{InvoiceId, SessionToken};
use durable::Journal;
use journal::Changes;
use sandbox_api::deliveries::MAX_ATTEMPTS_KEPT;
use sandbox_api::{DeliveryAttempt, DeliveryKind, DeliveryRecord, DeliveryState};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use tokio::time::Instant;

/// Which deliveries `GET /sim/deliveries` (and [`crate::AppState::deliveries`]) lists; `None` matches any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeliveryFilter {
    /// Only this sale's deliveries.
    pub invoice_id: Option<InvoiceId>,
    /// Only deliveries in this state (`pending`, `delivered`, `dead-lettered`).
    pub state: Option<DeliveryState>,
}

impl DeliveryFilter {
    fn matches(&self, record: &DeliveryRecord) -> bool {
        self.invoice_id
            .as_ref()
            .is_none_or(|id| *id == record.invoice_id)
            && self.state.is_none_or(|state| state == record.state)
    }
}

/// Why a delivery cannot be replayed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// No delivery has this id (or it was forgotten past the log's cap).
    #[error("no delivery {0}")]
    Unknown(String),
    /// Its attempts are still going on; replay it once delivered or dead-lettered.
    #[error("delivery {0} is still pending")]
    Pending(String),
}

/// What a series of attempts (the first, or a replay) starts from, copied out of the log.
#[derive(Debug)]
pub(crate) struct Series {
    /// What is sent.
    pub(crate) message: Message,
    /// The sandbox's plan for its attempts, chosen when the delivery opened.
    pub(crate) tamper: Tamper,
    /// When the delivery was created: attempts' `startedAfterMs` count from here.
    pub(crate) created: Instant,
    /// The number of the series' first attempt (numbers keep counting across replays).
    pub(crate) first_number: u32,
}

#[derive(Debug)]
struct Entry {
    record: DeliveryRecord,
    message: Message,
    tamper: Tamper,
    token: SessionToken,
    created: Instant,
}

/// The log; ids are `dlv-{n}`, `n` counting up, so the map's order is creation order.
#[derive(Debug)]
pub(crate) struct DeliveryLog {
    cap: usize,
    next: u64,
    /// Every change of a record goes to the data directory (a no-op without one).
    journal: Journal,
    entries: BTreeMap<u64, Entry>,
    /// Eviction candidates, oldest first: delivered ones go before dead letters.
    delivered: BTreeSet<u64>,
    dead: BTreeSet<u64>,
    /// Pending deliveries per sale: a sale with one is not forgotten (`store`).
    pending: HashMap<SessionToken, usize>,
    /// Bumped at every change (a new delivery, an attempt, its end), for the dashboard's live stream.
    changes: Changes,
}

/// The number inside a delivery id.
pub(crate) fn parse_id(id: &str) -> Option<u64> {
    id.strip_prefix("dlv-")?.parse().ok()
}

impl DeliveryLog {
    #[cfg(test)]
    pub(crate) fn with_cap(cap: usize) -> Self {
        Self::restore(cap, Journal::memory(), 1, Vec::new())
    }

    /// A log of at most `cap` settled records holding `entries` (a restart's, oldest first), numbering new ones
    /// from `next`.
    pub(crate) fn restore(
        cap: usize,
        journal: Journal,
        next: u64,
        entries: Vec<(u64, RestoredDelivery)>,
    ) -> Self {
        let mut log = Self {
            cap,
            next,
            journal,
            entries: BTreeMap::new(),
            delivered: BTreeSet::new(),
            dead: BTreeSet::new(),
            pending: HashMap::new(),
            changes: Changes::default(),
        };
        for (number, restored) in entries {
            match restored.record.state {
                DeliveryState::Pending => {
                    *log.pending.entry(restored.token.clone()).or_default() += 1
                }
                DeliveryState::Delivered => _ = log.delivered.insert(number),
                DeliveryState::DeadLettered => _ = log.dead.insert(number),
            }
            log.next = log.next.max(number.saturating_add(1));
            let entry = Entry {
                record: restored.record,
                message: restored.message,
                tamper: restored.tamper,
                token: restored.token,
                created: restored.created,
            };
            log.entries.insert(number, entry);
        }
        log
    }

    /// The log, bumping `changes` after each change (the dashboard's live stream).
    pub(crate) fn watched_by(&mut self, changes: &Changes) {
        self.changes = changes.clone();
    }

    /// Journals the record numbered `number` as it is now, and tells the dashboard (every change ends here).
    fn save(&self, number: u64) {
        self.changes.bump();
        if !self.journal.is_durable() {
            return;
        }
        if let Some(entry) = self.entries.get(&number) {
            let kept = StoredDelivery::of(
                &entry.record,
                &entry.message,
                entry.tamper,
                &entry.token,
                entry.created,
            );
            self.journal.put(DELIVERIES, &number.to_string(), &kept);
        }
    }

    /// Adds a pending delivery and returns its number; past the cap, forgets the oldest settled one.
    pub(crate) fn open(
        &mut self,
        message: Message,
        tamper: Tamper,
        token: SessionToken,
        now: Instant,
    ) -> u64 {
        while self.entries.len() >= self.cap {
            let Some(oldest) = self.delivered.pop_first().or_else(|| self.dead.pop_first()) else {
                tracing::warn!(
                    cap = self.cap,
                    "delivery log over its cap: every record is pending"
                );
                break;
            };
            self.entries.remove(&oldest);
            self.journal.delete(DELIVERIES, &oldest.to_string());
        }
        let number = self.next;
        self.next += 1;
        self.journal.raise(COUNTERS, DELIVERY_COUNTER, self.next);
        let record = DeliveryRecord {
            id: format!("dlv-{number}"),
            kind: message.kind(),
            endpoint_id: message.endpoint_id().clone(),
            invoice_id: message.invoice_id().clone(),
            url: message.url(),
            state: DeliveryState::Pending,
            callback_status: match &message {
                Message::Callback(job) => Some(job.callback.status),
                Message::Notification(_) => None,
            },
            attempts: Vec::new(),
            earlier_attempts: 0,
        };
        *self.pending.entry(token.clone()).or_default() += 1;
        let entry = Entry {
            record,
            message,
            tamper,
            token,
            created: now,
        };
        self.entries.insert(number, entry);
        self.save(number);
        number
    }

    /// What the next series of attempts of a pending delivery starts from; `None` once it is delivered or
    /// dead-lettered (a resumed approval finds its notification already settled).
    pub(crate) fn series(&self, number: u64) -> Option<Series> {
        let entry = self
            .entries
            .get(&number)
            .filter(|entry| entry.record.state == DeliveryState::Pending)?;
        let done = entry.record.attempts_made();
        Some(Series {
            message: entry.message.clone(),
            tamper: entry.tamper,
            created: entry.created,
            first_number: done.saturating_add(1),
        })
    }

    /// The message a delivery sends, whatever its state: what the gateway's tests read of what went out.
    #[cfg(test)]
    pub(crate) fn message(&self, number: u64) -> Option<Message> {
        self.entries.get(&number).map(|entry| entry.message.clone())
    }

    /// Makes a delivered or dead-lettered delivery pending again, for a replay; the record as it is now.
    ///
    /// # Errors
    /// Unknown id, or a delivery still pending.
    pub(crate) fn replay(
        &mut self,
        id: &str,
    ) -> Result<(u64, SessionToken, DeliveryRecord), ReplayError> {
        let unknown = || ReplayError::Unknown(id.to_owned());
        let number = parse_id(id).ok_or_else(unknown)?;
        let entry = self.entries.get_mut(&number).ok_or_else(unknown)?;
        if entry.record.state == DeliveryState::Pending {
            return Err(ReplayError::Pending(id.to_owned()));
        }
        entry.record.state = DeliveryState::Pending;
        self.delivered.remove(&number);
        self.dead.remove(&number);
        *self.pending.entry(entry.token.clone()).or_default() += 1;
        let replayed = (number, entry.token.clone(), entry.record.clone());
        self.save(number);
        Ok(replayed)
    }

    /// Appends an attempt; past [`MAX_ATTEMPTS_KEPT`] the oldest kept one goes, counted in `earlierAttempts`.
    pub(crate) fn push_attempt(&mut self, number: u64, attempt: DeliveryAttempt) {
        if let Some(entry) = self.entries.get_mut(&number) {
            let record = &mut entry.record;
            if record.attempts.len() >= MAX_ATTEMPTS_KEPT {
                record.attempts.remove(0);
                record.earlier_attempts = record.earlier_attempts.saturating_add(1);
            }
            record.attempts.push(attempt);
        }
        self.save(number);
    }

    /// Ends a series: `Delivered` or `DeadLettered`.
    pub(crate) fn conclude(&mut self, number: u64, state: DeliveryState) {
        let Some(entry) = self.entries.get_mut(&number) else {
            return;
        };
        if entry.record.state != DeliveryState::Pending || state == DeliveryState::Pending {
            return;
        }
        entry.record.state = state;
        if state == DeliveryState::Delivered {
            self.delivered.insert(number);
        } else {
            self.dead.insert(number);
        }
        if let Some(count) = self.pending.get_mut(&entry.token) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.pending.remove(&entry.token);
            }
        }
        self.save(number);
    }

    /// The pending deliveries, oldest first: (number, kind, sale).
    pub(crate) fn pending_numbers(&self) -> Vec<(u64, DeliveryKind, SessionToken)> {
        self.entries
            .iter()
            .filter(|(_, entry)| entry.record.state == DeliveryState::Pending)
            .map(|(number, entry)| (*number, entry.record.kind, entry.token.clone()))
            .collect()
    }

    /// Whether a sale has a pending delivery.
    pub(crate) fn has_pending(&self, token: &SessionToken) -> bool {
        self.pending.contains_key(token)
    }

    /// Kind and state of every delivery of the sales `wanted` accepts, oldest first, without their attempts
    /// (the dashboard's list).
    pub(crate) fn states(
        &self,
        wanted: impl Fn(&InvoiceId) -> bool,
    ) -> Vec<(InvoiceId, DeliveryKind, DeliveryState)> {
        self.entries
            .values()
            .map(|entry| &entry.record)
            .filter(|record| wanted(&record.invoice_id))
            .map(|record| (record.invoice_id.clone(), record.kind, record.state))
            .collect()
    }

    /// The records that match, oldest first.
    pub(crate) fn list(&self, filter: &DeliveryFilter) -> Vec<DeliveryRecord> {
        self.entries
            .values()
            .map(|entry| &entry.record)
            .filter(|record| filter.matches(record))
            .cloned()
            .collect()
    }

    /// At most `limit` records that match, oldest first, after the one numbered `after`; and the number to pass
    /// as `after` for the next page, when more may match.
    pub(crate) fn page(
        &self,
        filter: &DeliveryFilter,
        after: Option<u64>,
        limit: usize,
    ) -> (Vec<DeliveryRecord>, Option<u64>) {
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut matching = self
            .entries
            .range((start, Bound::Unbounded))
            .filter(|(_, entry)| filter.matches(&entry.record));
        let page: Vec<(u64, DeliveryRecord)> = matching
            .by_ref()
            .take(limit)
            .map(|(number, entry)| (*number, entry.record.clone()))
            .collect();
        let more = matching.next().is_some();
        let next = page.last().map(|(number, _)| *number).filter(|_| more);
        (page.into_iter().map(|(_, record)| record).collect(), next)
    }
}

#[cfg(test)]
mod tests;
