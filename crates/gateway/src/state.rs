//! [`AppState`]: the gateway's one shared handle — its configuration, the HTTP client towards the Connecting
//! Party, the [`Store`] of sales, cards and deliveries, the sandbox's controls, and the tracked jobs and timers
//! that shutdown drains. Its public methods are the library's view into a running gateway (a sale's record, the
//! delivery log, replay); the steps of a sale are in `sale`, the maps' methods in `store`.

use crate::config::{Config, EndpointConfig};
use crate::delivery::{self, DeliveryFilter, ReplayError};
use crate::party_client::PartyClient;
use crate::sandbox;
use crate::store::Store;
use dapi::{EndpointId, Flow, InvoiceId, SessionToken};
use sandbox_api::{ContractViolation, DeliveryRecord, GatewaySaleRecord};
use server_kit::Tasks;
use std::future::Future;
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
    party: PartyClient,
    store: Store,
    /// The sandbox control plane's settings per sale (`sandbox`).
    sandbox: sandbox::Controls,
    /// Outbound calls (check sale, notification, callback): drained at shutdown.
    outbound: Tasks,
    /// Sleeping timers (3-D Secure abandonment, CVV 217): cancelled at shutdown.
    timers: Tasks,
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
    /// A gateway with no sales yet.
    pub fn new(config: Config) -> Self {
        for endpoint in &config.endpoints {
            warn_about_callback_port(endpoint);
        }
        if config.public_url.chars().count() + "/sim/3ds/".len() + 36 > 128 {
            tracing::warn!(public_url = %config.public_url, "public_url too long: redirectUrl will exceed 128 characters");
        }
        // Two deliveries per approved sale, but never more than DELIVERY_LOG_CAP records: the log keeps each
        // message for replay, ~2.4 KB a record, and settled records are what it forgets first.
        let delivery_cap = config.max_sales.saturating_mul(2).min(DELIVERY_LOG_CAP);
        let party = PartyClient::new(&config.party_trust);
        Self(Arc::new(Inner {
            store: Store::new(config.max_sales, delivery_cap),
            config,
            party,
            sandbox: sandbox::Controls::default(),
            outbound: Tasks::default(),
            timers: Tasks::default(),
        }))
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

    /// The gateway's record of one sale or verification (state and violations); `None` for an unknown invoice.
    pub fn sale_record(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> Option<GatewaySaleRecord> {
        self.0.store.sale_record(None, endpoint_id, invoice_id)
    }

    /// The gateway's record of one sale or one verification, as `flow` says; `None` for an unknown invoice or
    /// one of the other flow.
    pub fn record_of(
        &self,
        flow: Flow,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> Option<GatewaySaleRecord> {
        self.0
            .store
            .sale_record(Some(flow), endpoint_id, invoice_id)
    }

    /// The deliveries that match `filter`, oldest first (sandbox inspection, `GET /sim/deliveries`).
    pub fn deliveries(&self, filter: &DeliveryFilter) -> Vec<DeliveryRecord> {
        self.0.store.delivery_log().list(filter)
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
        self.0.outbound.spawn(job.instrument(self.job_span(token)));
    }

    /// Runs `job` after `delay`, unless the gateway is gone or shutting down by then. The timer holds only a weak
    /// handle, so a dropped gateway is not kept alive by its timers.
    pub(crate) fn after(
        &self,
        delay: Duration,
        token: &SessionToken,
        job: impl FnOnce(&Self) + Send + 'static,
    ) {
        let weak = Arc::downgrade(&self.0);
        let timer = async move {
            tokio::time::sleep(delay).await;
            if let Some(inner) = weak.upgrade() {
                job(&Self(inner));
            }
        };
        self.0.timers.spawn(timer.instrument(self.job_span(token)));
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
        self.0.timers.drain(Duration::ZERO).await;
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
