//! [`AppState`]: the gateway's one shared handle — its configuration, the HTTP client towards the Connecting
//! Party, the [`Store`] of sales, cards and deliveries, the sandbox's controls, and the tracked jobs and timers
//! that shutdown drains. Its public methods are the library's view into a running gateway (a sale's record, the
//! delivery log, replay); the steps of a sale are in `sale`, the maps' methods in `store`.

use crate::config::{Config, EndpointConfig};
use crate::delivery::{self, DeliveryFilter, ReplayError};
use crate::party_client::PartyClient;
use crate::persist::{self, Restored};
use crate::sale::processing;
use crate::sandbox;
use crate::store::Store;
use crate::timers::Timers;
use dapi::{EndpointId, Flow, InvoiceId, SessionToken};
use durable::{DataError, Journal};
use journal::Changes;
use sandbox_api::DeliveryKind;
use sandbox_api::{ContractViolation, DeliveryList, DeliveryRecord, GatewaySaleRecord};
use server_kit::Tasks;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

/// The most delivery records the log keeps (pending ones are never forgotten, dead letters go after delivered
/// records); see docs/reliability.md.
pub const DELIVERY_LOG_CAP: usize = 20_000;

/// The gateway's state; a clone is a reference-count bump.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    config: Config,
    /// The message journal (`sandbox::journal`): every exchange, inbound and outbound. Not to be confused with
    /// the durable journal of the data directory, which keeps the store's changes.
    messages: journal::Journal,
    /// What the dashboard's live stream watches: bumped by the message journal, the store and the delivery log.
    changes: Changes,
    /// Which inbound route is which diagram step, for the message journal.
    journal_routes: journal::RouteTable,
    /// The scenarios a demo runner offers on the dashboard, once it registered them.
    playbook: std::sync::OnceLock<crate::Playbook>,
    party: PartyClient,
    store: Store,
    /// The sandbox control plane's settings per sale (`sandbox`).
    sandbox: sandbox::Controls,
    /// Outbound calls (check sale, notification, callback): drained at shutdown.
    outbound: Tasks,
    /// Sleeping timers (3-D Secure abandonment, CVV 217), one per sale at most: cancelled when the sale settles,
    /// is forgotten, or at shutdown.
    timers: Timers,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("endpoints", &self.0.config.endpoints.len())
            .field("sales", &self.0.store.sale_count())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// A gateway with no sales yet, its state in memory only (its ids still never repeat across restarts: see
    /// `persist`).
    pub fn new(config: Config) -> Self {
        Self::build(config, Journal::memory(), Restored::fresh())
    }

    /// A gateway whose state lives in `dir` (`gateway.redb`): what a previous run left there is loaded, the work
    /// of its unfinished sales picked up and its pending deliveries resumed; every change is made durable before
    /// it is acknowledged. Call it inside a Tokio runtime.
    ///
    /// # Errors
    /// [`DataError`], naming the file: it cannot be created, read or locked, or holds a record that cannot be
    /// read. The file is then left as it is.
    pub fn with_data_dir(config: Config, dir: &Path) -> Result<Self, DataError> {
        let (journal, snapshot) = Journal::open(dir, persist::FILE, persist::TABLES)?;
        let restored = Restored::load(&snapshot, &config)?;
        let state = Self::build(config, journal, restored);
        state.resume();
        Ok(state)
    }

    fn build(config: Config, journal: Journal, restored: Restored) -> Self {
        for endpoint in &config.endpoints {
            warn_about_callback_port(endpoint);
        }
        if config.public_url.chars().count() + "/sim/3ds/".len() + 36 > 128 {
            tracing::warn!(public_url = %config.public_url, "public_url too long: redirectUrl will exceed 128 characters");
        }
        // Two deliveries per approved sale, but never more than DELIVERY_LOG_CAP records: the log keeps each
        // message for replay, ~2.4 KB a record, and settled records are what it forgets first.
        let delivery_cap = config.max_sales.saturating_mul(2).min(DELIVERY_LOG_CAP);
        let changes = Changes::default();
        // The message journal is part of the control plane: off with it.
        let messages = if config.control_plane.is_on() {
            journal::Journal::new(config.journal, changes.clone())
        } else {
            journal::Journal::off()
        };
        let journal_routes =
            sandbox::journal::routes(&crate::routes::dapi_prefix(&config.dapi_prefix));
        let party = PartyClient::new(&config.party_trust, messages.clone());
        let store =
            Store::restore(config.max_sales, delivery_cap, journal, restored).watched_by(&changes);
        Self(Arc::new(Inner {
            messages,
            changes,
            journal_routes,
            playbook: std::sync::OnceLock::new(),
            store,
            config,
            party,
            sandbox: sandbox::Controls::default(),
            outbound: Tasks::default(),
            timers: Timers::default(),
        }))
    }

    /// Picks up what a previous run left unfinished: each sale's work where it stopped (`sale::processing`), and
    /// the pending deliveries — but a notification of a sale still authorising, which its approval resumes.
    fn resume(&self) {
        let store = self.store();
        let tokens = store.tokens();
        for token in &tokens {
            processing::resume(self, token);
        }
        let pending = store.delivery_log().pending_numbers();
        let mut resumed = 0_usize;
        for (number, kind, token) in pending {
            let authorising = store.with_sale(&token, |sale| sale.authorising().is_some());
            if kind == DeliveryKind::Notification && authorising == Some(true) {
                continue;
            }
            self.spawn_outbound(&token, delivery::deliver(self.clone(), number));
            resumed += 1;
        }
        let unfinished = store.unfinished_sales();
        tracing::info!(
            sales = tokens.len(),
            unfinished,
            deliveries_resumed = resumed,
            "state restored from the data directory"
        );
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The contract violations the gateway saw in one sale, oldest first; `None` for an unknown sale.
    pub fn violations(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> Option<Vec<ContractViolation>> {
        self.0.store.violations(endpoint_id, invoice_id)
    }

    /// The gateway's record of one sale or verification (state, violations, the answers to its attacks);
    /// `None` for an unknown invoice.
    pub fn sale_record(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> Option<GatewaySaleRecord> {
        self.record(None, endpoint_id, invoice_id)
    }

    /// The gateway's record of one sale or one verification, as `flow` says; `None` for an unknown invoice or
    /// one of the other flow.
    pub fn record_of(
        &self,
        flow: Flow,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> Option<GatewaySaleRecord> {
        self.record(Some(flow), endpoint_id, invoice_id)
    }

    /// The store's record with the answers to the transaction's attacks (a verification has none).
    fn record(
        &self,
        flow: Option<Flow>,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> Option<GatewaySaleRecord> {
        let mut record = self.0.store.sale_record(flow, endpoint_id, invoice_id)?;
        record.attacks = self.0.sandbox.attack_answers(endpoint_id, invoice_id);
        Some(record)
    }

    /// The deliveries that match `filter`, oldest first (sandbox inspection, `GET /sim/deliveries`).
    pub fn deliveries(&self, filter: &DeliveryFilter) -> Vec<DeliveryRecord> {
        self.0.store.delivery_log().list(filter)
    }

    /// One page of the deliveries that match `filter`, oldest first: at most `limit`, after the delivery numbered
    /// `after` (`GET /sim/deliveries?cursor=dlv-N&limit=…`).
    pub fn delivery_page(
        &self,
        filter: &DeliveryFilter,
        after: Option<u64>,
        limit: usize,
    ) -> DeliveryList {
        let (deliveries, next) = self.0.store.delivery_log().page(filter, after, limit);
        DeliveryList {
            deliveries,
            next_cursor: next.map(|number| format!("dlv-{number}")),
        }
    }

    /// Sends a delivered or dead-lettered delivery again, now, in a tracked job (`POST
    /// /sim/deliveries/{id}/replay`): a fresh series of attempts on its schedule, appended to the same record. The
    /// record as it is when the series starts (`pending`).
    ///
    /// # Errors
    /// [`ReplayError`]: unknown id, or a delivery still pending.
    pub fn replay(&self, id: &str) -> Result<DeliveryRecord, ReplayError> {
        delivery::replay(self, id)
    }

    /// The message journal (`GET /sim/journal`).
    pub fn messages(&self) -> &journal::Journal {
        &self.0.messages
    }

    /// What changed since a dashboard last looked: its live stream's source.
    pub fn changes(&self) -> &Changes {
        &self.0.changes
    }

    /// Lets the dashboard offer `playbook`'s scenarios (a demo runner's; see [`crate::Playbook`]); `false` when
    /// one was registered already.
    pub fn offer_playbook(&self, playbook: crate::Playbook) -> bool {
        self.0.playbook.set(playbook).is_ok()
    }

    pub(crate) fn playbook(&self) -> Option<&crate::Playbook> {
        self.0.playbook.get()
    }

    pub(crate) fn journal_routes(&self) -> &journal::RouteTable {
        &self.0.journal_routes
    }

    pub(crate) fn party(&self) -> &PartyClient {
        &self.0.party
    }

    pub(crate) fn store(&self) -> &Store {
        &self.0.store
    }

    pub(crate) fn sandbox(&self) -> &sandbox::Controls {
        &self.0.sandbox
    }

    pub(crate) fn endpoint(&self, id: &EndpointId) -> Option<EndpointConfig> {
        self.0.config.endpoint(id).cloned()
    }

    /// Runs an outbound job of a sale (check sale, notification, callback) that shutdown waits for.
    pub(crate) fn spawn_outbound(
        &self,
        token: &SessionToken,
        job: impl Future<Output = ()> + Send + 'static,
    ) {
        // Its own current message-journal entry: the violations an answer shows name the call they were seen in.
        let job = journal::scoped(job);
        self.0.outbound.spawn(job.instrument(self.job_span(token)));
    }

    /// Arms the sale's timer: runs `job` after `delay`, unless the sale settled or was forgotten by then (which
    /// cancels it), the gateway is gone or shutting down. The timer holds only a weak handle, so a dropped gateway
    /// is not kept alive by its timers; arming again replaces the sale's earlier timer. The sale's span is made
    /// when the timer fires, not while it sleeps: a span kept for the minutes a 3-D Secure page may stay open
    /// held several hundred bytes per waiting sale (BENCHMARKS.md).
    pub(crate) fn after(
        &self,
        delay: Duration,
        token: &SessionToken,
        job: impl FnOnce(&Self) + Send + 'static,
    ) {
        let weak = Arc::downgrade(&self.0);
        let owner = token.clone();
        let timer = async move {
            tokio::time::sleep(delay).await;
            if let Some(inner) = weak.upgrade() {
                let state = Self(inner);
                state.job_span(&owner).in_scope(|| {
                    state.0.timers.fired(&owner);
                    job(&state);
                });
            }
        };
        self.0.timers.arm(token.clone(), timer);
    }

    /// Cancels the sale's timer, if any: the sale settled or is forgotten.
    pub(crate) fn cancel_timer(&self, token: &SessionToken) {
        self.0.timers.cancel(token);
    }

    /// How many sale timers (3-D Secure abandonment, CVV 217) are armed: at most one per retained sale that is
    /// not final. For monitoring and tests.
    pub fn live_timers(&self) -> usize {
        self.0.timers.armed()
    }

    /// How many timer tasks are alive: the armed ones, plus cancelled ones the runtime has not dropped yet (an
    /// aborted task ends at its next poll). For monitoring and tests.
    pub fn live_timer_tasks(&self) -> usize {
        self.0.timers.live_tasks()
    }

    /// A root span per sale job: it outlives the request that started it, so it is not the request's child.
    fn job_span(&self, token: &SessionToken) -> tracing::Span {
        let invoice_id = self
            .0
            .store
            .with_sale(token, |sale| sale.invoice_id.clone());
        tracing::info_span!(parent: None, "sale", party = "gateway", invoice_id = invoice_id.as_ref().map(InvoiceId::as_str), %token)
    }

    /// Waits up to `grace` for outbound jobs (check sale, notification, callback, replays), then cancels the
    /// timers; logs each delivery cut off (id, kind, invoiceId, attempts so far) and returns them.
    pub(crate) async fn shutdown(&self, grace: Duration) -> Vec<DeliveryRecord> {
        let mut cut_off = self.0.outbound.drain(grace).await;
        // A firing timer may have started one more delivery before it was cancelled.
        self.0.timers.cancel_all();
        cut_off += self.0.outbound.drain(Duration::ZERO).await;
        let undelivered = delivery::report_cut_off(self);
        let unfinished = self.0.store.unfinished_sales();
        if unfinished > 0 {
            tracing::warn!(
                unfinished,
                "shutdown left sales unfinished (check sale, 3-D Secure or CVV 217 pending): no final status or callback will follow"
            );
        }
        if cut_off > 0 {
            tracing::error!(
                cut_off,
                undelivered = undelivered.len(),
                "shutdown cut off outbound jobs (check sale, notification or callback)"
            );
        } else {
            tracing::info!("shutdown: every outbound job finished");
        }
        // Every change made so far, the last attempts' included, is on disk before the file is released.
        self.0.store.journal().close().await;
        undelivered
    }
}

fn warn_about_callback_port(endpoint: &EndpointConfig) {
    let Some(url) = endpoint.callback_url.as_deref() else {
        return;
    };
    let Ok(parsed) = url::Url::parse(url) else {
        return;
    };
    if matches!(parsed.port_or_known_default(), Some(80 | 443 | 8080 | 8443)) {
        return;
    }
    const WHY: &str = "callback URL uses a port a real gateway refuses (spec 3.8: 80, 8080, 443, 8443); the sandbox sends anyway";
    // On loopback this is a local test set-up, where any port is expected: say it, but quietly.
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if loopback {
        tracing::info!(endpoint = %endpoint.id, url, "{WHY}");
    } else {
        tracing::warn!(endpoint = %endpoint.id, url, "{WHY}");
    }
}
