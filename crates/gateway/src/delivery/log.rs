//! [`DeliveryLog`]: every delivery and its attempts, bounded. Past its cap the oldest delivered record goes first,
//! then the oldest dead letter (kept preferentially, for inspection and replay); a pending one never goes (the log
//! may then exceed its cap by the pending ones, which are bounded by the running jobs). Synchronous and behind a
//! `std` mutex: nothing awaits under it.

use super::Message;
use crate::sandbox::Tamper;
use dapi::{InvoiceId, SessionToken};
use journal::Changes;
use sandbox_api::{DeliveryAttempt, DeliveryRecord, DeliveryState};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use tokio::time::Instant;

/// Which deliveries `GET /sim/deliveries` (and [`crate::AppState::deliveries`]) lists; `None` matches any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
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

/// The log; ids are `dlv-{n}`, `n` counting from 1, so the map's order is creation order.
#[derive(Debug)]
pub(crate) struct DeliveryLog {
    cap: usize,
    next: u64,
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
    pub(crate) fn with_cap(cap: usize, changes: Changes) -> Self {
        Self {
            cap,
            next: 1,
            entries: BTreeMap::new(),
            delivered: BTreeSet::new(),
            dead: BTreeSet::new(),
            pending: HashMap::new(),
            changes,
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
        }
        let number = self.next;
        self.next += 1;
        let record = DeliveryRecord {
            id: format!("dlv-{number}"),
            kind: message.kind(),
            endpoint_id: message.endpoint_id().clone(),
            invoice_id: message.invoice_id().clone(),
            url: message.url(),
            state: DeliveryState::Pending,
            attempts: Vec::new(),
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
        self.changes.bump();
        number
    }

    /// What the next series of attempts of a pending delivery starts from.
    pub(crate) fn series(&self, number: u64) -> Option<Series> {
        let entry = self.entries.get(&number)?;
        let done = u32::try_from(entry.record.attempts.len()).unwrap_or(u32::MAX);
        Some(Series {
            message: entry.message.clone(),
            tamper: entry.tamper,
            created: entry.created,
            first_number: done.saturating_add(1),
        })
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
        self.changes.bump();
        Ok((number, entry.token.clone(), entry.record.clone()))
    }

    /// Appends an attempt.
    pub(crate) fn push_attempt(&mut self, number: u64, attempt: DeliveryAttempt) {
        if let Some(entry) = self.entries.get_mut(&number) {
            entry.record.attempts.push(attempt);
            self.changes.bump();
        }
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
        self.changes.bump();
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
    ) -> Vec<(InvoiceId, sandbox_api::DeliveryKind, DeliveryState)> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sale::CallbackJob;

    fn callback(invoice: &str) -> Message {
        Message::Callback(CallbackJob::sample(invoice))
    }

    fn open(log: &mut DeliveryLog, invoice: &str) -> u64 {
        let tamper = Tamper::default();
        log.open(callback(invoice), tamper, invoice.into(), Instant::now())
    }

    fn ids(log: &DeliveryLog) -> Vec<String> {
        let all = log.list(&DeliveryFilter::default());
        all.into_iter().map(|record| record.id).collect()
    }

    #[test]
    fn past_the_cap_delivered_records_go_before_dead_letters_and_pending_ones_stay() {
        let mut log = DeliveryLog::with_cap(3, Changes::default());
        let (first, second, third) = (
            open(&mut log, "INV-1"),
            open(&mut log, "INV-2"),
            open(&mut log, "INV-3"),
        );
        log.conclude(first, DeliveryState::DeadLettered);
        log.conclude(second, DeliveryState::Delivered);
        open(&mut log, "INV-4");
        assert_eq!(
            ids(&log),
            ["dlv-1", "dlv-3", "dlv-4"],
            "the delivered one went first"
        );
        open(&mut log, "INV-5");
        assert_eq!(
            ids(&log),
            ["dlv-3", "dlv-4", "dlv-5"],
            "then the dead letter"
        );
        open(&mut log, "INV-6");
        assert_eq!(ids(&log).len(), 4, "pending records are never forgotten");
        assert!(log.has_pending(&"INV-3".into()));
        log.conclude(third, DeliveryState::Delivered);
        assert!(!log.has_pending(&"INV-3".into()));
    }

    #[test]
    fn only_settled_deliveries_replay_and_attempt_numbers_keep_counting() {
        let mut log = DeliveryLog::with_cap(10, Changes::default());
        let number = open(&mut log, "INV-1");
        let pending = log.replay("dlv-1");
        assert_eq!(pending.unwrap_err(), ReplayError::Pending("dlv-1".into()));
        for unknown in ["dlv-9", "9", "dlv-x"] {
            assert_eq!(
                log.replay(unknown).unwrap_err(),
                ReplayError::Unknown(unknown.into())
            );
        }
        let attempt = DeliveryAttempt {
            number: 1,
            started_after_ms: 0,
            status: Some(503),
            latency_ms: 1,
            excerpt: String::new(),
            journal_entry: None,
        };
        log.push_attempt(number, attempt);
        log.conclude(number, DeliveryState::DeadLettered);
        let (again, token, record) = log.replay("dlv-1").unwrap();
        assert_eq!((again, token.as_str()), (number, "INV-1"));
        assert_eq!(
            (record.state, record.attempts.len()),
            (DeliveryState::Pending, 1)
        );
        assert_eq!(log.series(number).unwrap().first_number, 2);
        let filter = |state| DeliveryFilter {
            state: Some(state),
            ..DeliveryFilter::default()
        };
        assert_eq!(log.list(&filter(DeliveryState::Pending)).len(), 1);
        assert_eq!(log.list(&filter(DeliveryState::DeadLettered)).len(), 0);
        let other = DeliveryFilter {
            invoice_id: Some("INV-2".into()),
            state: None,
        };
        assert!(log.list(&other).is_empty());
    }
}
