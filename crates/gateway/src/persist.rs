//! The gateway's state in its data directory (`--data-dir`, file `gateway.redb`): the tables, the records as
//! kept, and [`Restored`], what a store starts from — read from the file, or fresh. Without a data directory
//! the ids still never repeat across restarts: the `orderId` and `serverCardId` counters start from the boot
//! time in microseconds, so a later boot starts past every id an earlier one issued unless that one issued more
//! than one per microsecond of its life (or the clock went back).
//!
//! Kept: every sale as a whole (no CVV, no full PAN), the card registry, the delivery log (each message with
//! what its attempts need, never a control key: the key of a notification is taken from the configuration
//! again), and the counters' high-water marks. Not kept: the sandbox's per-sale misbehaviour settings (a
//! delivery's planned deviation is kept with it).

use crate::config::Config;
use crate::delivery::Message;
use crate::sale::approval::NotificationBody;
use crate::sale::{CallbackJob, NotificationJob, Sale};
use crate::sandbox::Tamper;
use crate::store::CardRecord;
use dapi::messages::callback::Callback;
use dapi::messages::check::CardMappingNotification;
use dapi::messages::verification::notification::VerificationCardMappingNotification;
use dapi::{EndpointId, InvoiceId, Nonce, ServerCardId, SessionToken};
use durable::{DataError, Snapshot};
use sandbox_api::DeliveryRecord;
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

/// The gateway's file in the data directory.
pub(crate) const FILE: &str = "gateway.redb";
/// Sales by session token.
pub(crate) const SALES: &str = "sales";
/// The card registry by `serverCardId`.
pub(crate) const CARDS: &str = "cards";
/// The delivery log by number.
pub(crate) const DELIVERIES: &str = "deliveries";
/// The counters' high-water marks.
pub(crate) const COUNTERS: &str = "counters";
/// Every table.
pub(crate) const TABLES: &[&str] = &[SALES, CARDS, DELIVERIES, COUNTERS];
/// The next `orderId`, in [`COUNTERS`].
pub(crate) const ORDER_COUNTER: &str = "orderId";
/// The next `serverCardId`.
pub(crate) const CARD_COUNTER: &str = "serverCardId";
/// The next delivery number.
pub(crate) const DELIVERY_COUNTER: &str = "delivery";

/// What a store starts from.
#[derive(Debug)]
pub(crate) struct Restored {
    /// Sales, oldest first.
    pub(crate) sales: Vec<Sale>,
    /// Cards, oldest first.
    pub(crate) cards: Vec<(ServerCardId, CardRecord)>,
    /// The delivery log, oldest first.
    pub(crate) deliveries: Vec<(u64, RestoredDelivery)>,
    pub(crate) next_order: u64,
    pub(crate) next_card: u64,
    pub(crate) next_delivery: u64,
}

/// One delivery of the log, as a restart finds it.
#[derive(Debug)]
pub(crate) struct RestoredDelivery {
    pub(crate) record: DeliveryRecord,
    pub(crate) message: Message,
    pub(crate) tamper: Tamper,
    pub(crate) token: SessionToken,
    pub(crate) created: Instant,
}

impl Restored {
    /// Nothing kept; the counters seeded from the boot time.
    pub(crate) fn fresh() -> Self {
        let seed = boot_seed();
        Self {
            sales: Vec::new(),
            cards: Vec::new(),
            deliveries: Vec::new(),
            next_order: seed,
            next_card: seed,
            next_delivery: 1,
        }
    }

    /// What the data file holds; counters never below the boot seed.
    ///
    /// # Errors
    /// A record that cannot be read, naming the file, the table and the key.
    pub(crate) fn load(snapshot: &Snapshot, config: &Config) -> Result<Self, DataError> {
        let mut sales: Vec<Sale> = snapshot
            .records(SALES)?
            .into_iter()
            .map(|(_, sale)| sale)
            .collect();
        sales.sort_by(|a, b| (a.received_at(), &a.token).cmp(&(b.received_at(), &b.token)));
        let mut cards: Vec<(ServerCardId, CardRecord)> = snapshot
            .records(CARDS)?
            .into_iter()
            .map(|(id, record)| (ServerCardId::from(id), record))
            .collect();
        cards.sort_by_key(|(id, _)| id.as_str().parse::<u64>().unwrap_or(u64::MAX));
        let mut deliveries = Vec::new();
        for (key, kept) in snapshot.records::<StoredDelivery>(DELIVERIES)? {
            let number = key
                .parse::<u64>()
                .map_err(|error| snapshot.corrupt(DELIVERIES, &key, &error))?;
            let why = "its endpoint is no longer configured";
            let restored = kept
                .restore(config)
                .ok_or_else(|| snapshot.corrupt(DELIVERIES, &key, &why))?;
            deliveries.push((number, restored));
        }
        deliveries.sort_by_key(|(number, _)| *number);
        let counter = |name| snapshot.counter(COUNTERS, name);
        let seed = boot_seed();
        Ok(Self {
            sales,
            cards,
            deliveries,
            next_order: counter(ORDER_COUNTER)?.unwrap_or(0).max(seed),
            next_card: counter(CARD_COUNTER)?.unwrap_or(0).max(seed),
            next_delivery: counter(DELIVERY_COUNTER)?.unwrap_or(1).max(1),
        })
    }
}

/// Microseconds since the Unix epoch, now: where a boot's counters start.
fn boot_seed() -> u64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH);
    since.map_or(1, |elapsed| {
        u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
    })
}

/// A delivery as kept: its record, its message, its planned deviation, its sale and when it was created.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredDelivery {
    record: DeliveryRecord,
    message: StoredMessage,
    tamper: Tamper,
    token: SessionToken,
    created_unix_ms: u64,
}

/// A message as kept: everything an attempt sends, no key.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum StoredMessage {
    Notification(StoredNotification<CardMappingNotification>),
    /// A verification's card mapping notification (addendum §2.7): its body has a shape of its own.
    VerificationNotification(StoredNotification<VerificationCardMappingNotification>),
    Callback {
        url: String,
        endpoint_id: EndpointId,
        token: SessionToken,
        callback: Callback,
    },
}

/// A card mapping notification as kept, whichever flow's body `B` it carries (its fields stand beside `kind`,
/// as a struct variant's would).
#[derive(Debug, Serialize, Deserialize)]
struct StoredNotification<B> {
    url: String,
    server_card_id: ServerCardId,
    request: B,
    endpoint_id: EndpointId,
    invoice_id: InvoiceId,
    nonce: Nonce,
    token: SessionToken,
}

impl<B: Clone> StoredNotification<B> {
    /// `job` as kept, with its body `request`.
    fn of(job: &NotificationJob, request: &B) -> Self {
        Self {
            url: job.url.clone(),
            server_card_id: job.server_card_id.clone(),
            request: request.clone(),
            endpoint_id: job.endpoint_id.clone(),
            invoice_id: job.invoice_id.clone(),
            nonce: job.nonce.clone(),
            token: job.token.clone(),
        }
    }

    /// The job again, its key from the configuration and its body made by `body`; `None` when its endpoint is
    /// gone.
    fn restore(self, config: &Config, body: fn(B) -> NotificationBody) -> Option<NotificationJob> {
        Some(NotificationJob {
            key: config.endpoint(&self.endpoint_id)?.control_key.clone(),
            url: self.url,
            server_card_id: self.server_card_id,
            request: body(self.request),
            endpoint_id: self.endpoint_id,
            invoice_id: self.invoice_id,
            nonce: self.nonce,
            token: self.token,
        })
    }
}

impl StoredDelivery {
    /// The record as it is now.
    pub(crate) fn of(
        record: &DeliveryRecord,
        message: &Message,
        tamper: Tamper,
        token: &SessionToken,
        created: Instant,
    ) -> Self {
        let message = match message {
            Message::Notification(job) => match &job.request {
                NotificationBody::Sale(request) => {
                    StoredMessage::Notification(StoredNotification::of(job, request))
                }
                NotificationBody::Verification(request) => {
                    StoredMessage::VerificationNotification(StoredNotification::of(job, request))
                }
            },
            Message::Callback(job) => StoredMessage::Callback {
                url: job.url.clone(),
                endpoint_id: job.endpoint_id.clone(),
                token: job.token.clone(),
                callback: job.callback.clone(),
            },
        };
        let age = u64::try_from(created.elapsed().as_millis()).unwrap_or(u64::MAX);
        Self {
            record: record.clone(),
            message,
            tamper,
            token: token.clone(),
            created_unix_ms: crate::sale::unix_ms().saturating_sub(age),
        }
    }

    /// The delivery again, its notification keyed from the configuration; `None` when its endpoint is gone.
    fn restore(self, config: &Config) -> Option<RestoredDelivery> {
        let message = match self.message {
            StoredMessage::Notification(stored) => {
                Message::Notification(stored.restore(config, NotificationBody::Sale)?)
            }
            StoredMessage::VerificationNotification(stored) => {
                Message::Notification(stored.restore(config, NotificationBody::Verification)?)
            }
            StoredMessage::Callback {
                url,
                endpoint_id,
                token,
                callback,
            } => Message::Callback(CallbackJob {
                url,
                endpoint_id,
                token,
                callback,
            }),
        };
        let age = crate::sale::unix_ms().saturating_sub(self.created_unix_ms);
        let now = Instant::now();
        Some(RestoredDelivery {
            record: self.record,
            message,
            tamper: self.tamper,
            token: self.token,
            created: now.checked_sub(Duration::from_millis(age)).unwrap_or(now),
        })
    }
}
