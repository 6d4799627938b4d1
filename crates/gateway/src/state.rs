//! [`AppState`]: the gateway's one shared handle. Maps are touched only in the synchronous methods here and in
//! `flow`, which return owned values, so no map guard can live across an `.await` (STYLE section 2).

use crate::config::{Config, EndpointConfig};
use crate::delivery::{self, DeliveryLog};
use crate::error::StatusError;
use crate::flow::CardRecord;
use crate::misbehave::Misbehaviours;
use crate::party::PartyClient;
use crate::retention::SaleOrder;
use crate::sale::Sale;
use dapi::messages::status::{SaleStatusRequest, SaleStatusResponse};
use dapi::{EndpointId, InvoiceId, OrderId, ServerCardId, SessionToken};
use dashmap::DashMap;
use sandbox_api::DeliveryRecord;
use server_kit::Tasks;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::Instrument;

/// The most delivery records the log keeps (pending ones are never forgotten, dead letters go after delivered
/// records); see docs/reliability.md.
pub const DELIVERY_LOG_CAP: usize = 20_000;

/// The gateway's state; a clone is a reference-count bump.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub(crate) struct Inner {
    config: Config,
    party: PartyClient,
    /// Outbound calls (check sale, notification, callback): drained at shutdown.
    deliveries: Tasks,
    /// Sleeping timers (3-D Secure abandonment, CVV 217): cancelled at shutdown.
    timers: Tasks,
    /// At most `max_sales` (`retention`), with their contract violations.
    pub(crate) sales: DashMap<SessionToken, Sale>,
    pub(crate) invoices: DashMap<(EndpointId, InvoiceId), SessionToken>,
    /// Sales oldest first, for forgetting them past the cap (`retention`).
    pub(crate) sale_order: Mutex<SaleOrder>,
    /// At most `max_sales` cards (`retention`).
    pub(crate) cards: DashMap<ServerCardId, CardRecord>,
    /// Every notification and callback with its attempts (`delivery`), at most 2 × `max_sales` settled ones.
    pub(crate) delivery_log: Mutex<DeliveryLog>,
    /// Misbehaviour on purpose per sale (`misbehave`); `std` mutex: nothing awaits under it.
    pub(crate) misbehaviours: Mutex<Misbehaviours>,
    /// `orderId` sequence.
    next_order: AtomicU64,
    /// `serverCardId` sequence.
    pub(crate) next_card: AtomicU64,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("endpoints", &self.0.config.endpoints.len())
            .field("sales", &self.0.sales.len())
            .finish_non_exhaustive()
    }
}

/// Why [`AppState::open_sale`] refused a sale.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// A sale exists for this invoice.
    AlreadyProcessed,
    /// `max_sales` sales are kept and none is settled.
    Full,
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
        Self(Arc::new(Inner {
            config,
            party: PartyClient::new(),
            deliveries: Tasks::default(),
            timers: Tasks::default(),
            sales: DashMap::new(),
            invoices: DashMap::new(),
            sale_order: Mutex::default(),
            cards: DashMap::new(),
            delivery_log: Mutex::new(DeliveryLog::with_cap(delivery_cap)),
            misbehaviours: Mutex::default(),
            next_order: AtomicU64::new(5_021_334),
            next_card: AtomicU64::new(9_876_543),
        }))
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.0
    }

    pub(crate) fn party(&self) -> &PartyClient {
        &self.0.party
    }

    pub(crate) fn endpoint(&self, id: &EndpointId) -> Option<EndpointConfig> {
        self.0.config.endpoint(id).cloned()
    }

    /// Refuses a second perform for the same invoice (spec 3.3 decision 4) and, at `max_sales`, one for which no
    /// settled sale can be forgotten (`retention`). Synchronous: no guard can cross an `.await`. Opens are
    /// serialised by the sale order's mutex, taken first and released last (lock order: order, then the maps, one
    /// map guard at a time); the entry API makes check-and-insert atomic anyway.
    pub(crate) fn open_sale(&self, sale: Sale) -> Result<(), OpenError> {
        let key = (sale.endpoint_id.clone(), sale.invoice_id.clone());
        let mut order = self.sale_order();
        if self.0.invoices.contains_key(&key) {
            return Err(OpenError::AlreadyProcessed);
        }
        if order.len() >= self.0.config.max_sales && !self.forget_oldest_settled(&mut order) {
            return Err(OpenError::Full);
        }
        match self.0.invoices.entry(key) {
            dashmap::mapref::entry::Entry::Occupied(_) => return Err(OpenError::AlreadyProcessed),
            dashmap::mapref::entry::Entry::Vacant(slot) => {
                slot.insert(sale.token.clone());
            }
        } // the invoices guard is gone before the sales map is touched
        order.push(sale.token.clone());
        self.0.sales.insert(sale.token.clone(), sale);
        Ok(())
    }

    /// Reads a sale; the closure runs under the map guard and must not block.
    pub(crate) fn with_sale<R>(
        &self,
        token: &SessionToken,
        read: impl FnOnce(&Sale) -> R,
    ) -> Option<R> {
        self.0.sales.get(token).map(|sale| read(&sale))
    }

    /// Changes a sale; the closure runs under the map guard and must not block or touch the sales map.
    pub(crate) fn update_sale<R>(
        &self,
        token: &SessionToken,
        change: impl FnOnce(&mut Sale) -> R,
    ) -> Option<R> {
        self.0
            .sales
            .get_mut(token)
            .map(|mut sale| change(&mut sale))
    }

    pub(crate) fn next_order_id(&self) -> OrderId {
        OrderId::from(
            self.0
                .next_order
                .fetch_add(1, Ordering::Relaxed)
                .to_string(),
        )
    }

    /// The session token of a performed sale.
    pub(crate) fn token_of(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
    ) -> Option<SessionToken> {
        let key = (endpoint_id.clone(), invoice_id.clone());
        self.0.invoices.get(&key).map(|token| token.clone())
    }

    /// The sale status (spec 3.5) for a poll.
    pub(crate) fn sale_status(
        &self,
        endpoint_id: &EndpointId,
        invoice_id: &InvoiceId,
        request: &SaleStatusRequest,
    ) -> Result<SaleStatusResponse, StatusError> {
        if self.0.config.endpoint(endpoint_id).is_none() {
            return Err(StatusError::UnknownEndpoint(endpoint_id.clone()));
        }
        let token = self
            .token_of(endpoint_id, invoice_id)
            .ok_or(StatusError::UnknownInvoice)?;
        if request.session.token != token {
            return Err(StatusError::ForeignToken);
        }
        self.with_sale(&token, |sale| {
            if sale.access_token == request.session.access_token {
                Ok(sale.status())
            } else {
                Err(StatusError::AccessToken)
            }
        })
        .unwrap_or(Err(StatusError::UnknownInvoice))
    }

    /// Runs an outbound job (check sale, notification, callback) that shutdown waits for.
    pub(crate) fn spawn_delivery(
        &self,
        token: &SessionToken,
        job: impl Future<Output = ()> + Send + 'static,
    ) {
        self.0
            .deliveries
            .spawn(job.instrument(self.job_span(token)));
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
        let invoice_id = self.with_sale(token, |sale| sale.invoice_id.clone());
        tracing::info_span!(parent: None, "sale", party = "gateway", invoice_id = invoice_id.as_ref().map(InvoiceId::as_str), %token)
    }

    /// Waits up to `grace` for outbound jobs (check sale, notification, callback, replays), then cancels the
    /// timers; logs each delivery cut off (id, kind, invoiceId, attempts so far) and returns them.
    pub(crate) async fn shutdown(&self, grace: Duration) -> Vec<DeliveryRecord> {
        let mut cut_off = self.0.deliveries.drain(grace).await;
        // A firing timer may have started one more delivery before it was cancelled.
        self.0.timers.drain(Duration::ZERO).await;
        cut_off += self.0.deliveries.drain(Duration::ZERO).await;
        let undelivered = delivery::report_cut_off(self);
        let unfinished = self
            .0
            .sales
            .iter()
            .filter(|sale| !sale.state().is_final())
            .count();
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
