//! What the dashboard shows, read from the gateway in synchronous calls and copied out (no guard outlives
//! them): the sale list's rows, one sale's summary, its deliveries and violations, and the journal entries of
//! both servers that belong to it (the Connecting Party server's app-side steps 2–5, read from its own
//! `GET /sim/journal`, so the diagram spans the three parties).

use crate::sale::Sale;
use crate::sale::three_ds::page_url;
use crate::state::AppState;
use crate::{DeliveryFilter, EndpointConfig};
use dapi::messages::callback::major_units;
use dapi::{EndpointId, InvoiceId, SaleState};
use sandbox_api::{
    ContractViolation, DeliveryKind, DeliveryRecord, DeliveryState, JournalEntry, JournalPage,
    paths::JOURNAL_PATH,
};
use serde::Deserialize;
use std::collections::HashMap;
use std::time::Duration;

/// Rows the list shows.
pub(crate) const LIST_ROWS: usize = 50;
/// Entries of one sale the page shows.
const SALE_ENTRIES: usize = 500;
/// How long the page waits for the Connecting Party server's journal.
const PARTY_JOURNAL_WAIT: Duration = Duration::from_secs(2);

/// The list's filter (`?invoiceId=&serial=`), exact matches; empty means any.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListFilter {
    #[serde(default)]
    pub(crate) invoice_id: String,
    #[serde(default)]
    pub(crate) serial: String,
    /// Only the live part of the page (the script's refresh).
    #[serde(default)]
    pub(crate) fragment: Option<String>,
}

impl ListFilter {
    fn keeps(&self, sale: &Sale) -> bool {
        (self.invoice_id.is_empty() || sale.invoice_id.as_str() == self.invoice_id)
            && (self.serial.is_empty() || sale.serial_number.as_str() == self.serial)
    }
}

/// One sale as the list and the sale page show it.
#[derive(Debug)]
pub(crate) struct SaleRow {
    pub(crate) endpoint_id: String,
    pub(crate) invoice_id: String,
    /// `/sandbox/sales/{endpointId}/{invoiceId}`, ids percent-encoded.
    pub(crate) href: String,
    pub(crate) received_at: String,
    pub(crate) serial: String,
    pub(crate) email: String,
    pub(crate) amount: String,
    pub(crate) card: String,
    pub(crate) state: String,
    /// `secure3DAuthStatus`, or what the sale waits for.
    pub(crate) three_ds: String,
    /// The 3-D Secure page while the sale waits for it (the public URL, as the app gets it).
    pub(crate) three_ds_url: Option<String>,
    pub(crate) card_mapping: String,
    pub(crate) callback: String,
    pub(crate) violations: usize,
}

impl SaleRow {
    fn of(state: &AppState, sale: &Sale, deliveries: &[(DeliveryKind, DeliveryState)]) -> Self {
        let delivery = |kind: DeliveryKind, none: &str| {
            deliveries
                .iter()
                .rev()
                .find(|(found, _)| *found == kind)
                .map_or_else(
                    || none.to_owned(),
                    |(_, state)| delivery_state(*state).to_owned(),
                )
        };
        let three_ds_url = sale
            .redirect_url()
            .map(|_| page_url(state.config(), &sale.token));
        let three_ds = match (
            sale.ending().and_then(|ending| ending.secure_3d),
            sale.state(),
        ) {
            (Some(status), _) => wire_name(&status),
            (None, SaleState::RedirectRequest) => "waiting for the page".to_owned(),
            (None, _) => "—".to_owned(),
        };
        let mapping_none = if sale.client_card_id.is_some() {
            "repeat sale"
        } else {
            "—"
        };
        Self {
            endpoint_id: sale.endpoint_id.to_string(),
            invoice_id: sale.invoice_id.to_string(),
            href: sale_href(&sale.endpoint_id, &sale.invoice_id),
            received_at: sale.received_at().text(),
            serial: sale.serial_number.to_string(),
            email: sale
                .email
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            // A card verification charges nothing and names no currency.
            amount: sale.currency.as_ref().map_or_else(
                || "card verification".to_owned(),
                |currency| format!("{} {currency}", major_units(sale.amount_centis, currency)),
            ),
            card: sale.card.as_ref().map_or_else(
                || {
                    sale.client_card_id
                        .as_ref()
                        .map_or_else(String::new, |id| format!("clientCardId {id}"))
                },
                |card| card.masked_pan.clone(),
            ),
            state: sale.state().to_string(),
            three_ds,
            three_ds_url,
            card_mapping: delivery(DeliveryKind::Notification, mapping_none),
            callback: delivery(DeliveryKind::Callback, "—"),
            violations: sale.violations.len(),
        }
    }
}

fn delivery_state(state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Pending => "pending",
        DeliveryState::Delivered => "delivered",
        DeliveryState::DeadLettered => "dead-lettered",
    }
}

/// The dashboard's path of one sale.
pub(crate) fn sale_href(endpoint_id: &EndpointId, invoice_id: &InvoiceId) -> String {
    format!(
        "/sandbox/sales/{}/{}",
        dapi::segment(endpoint_id.as_str()),
        dapi::segment(invoice_id.as_str())
    )
}

/// The newest sales `filter` keeps.
pub(crate) fn rows(state: &AppState, filter: &ListFilter) -> Vec<SaleRow> {
    let sales = state
        .store()
        .recent_sales(LIST_ROWS, |sale| filter.keeps(sale));
    let wanted: HashMap<&InvoiceId, ()> = sales.iter().map(|sale| (&sale.invoice_id, ())).collect();
    let mut deliveries: HashMap<InvoiceId, Vec<(DeliveryKind, DeliveryState)>> = HashMap::new();
    for (invoice_id, kind, delivery) in state
        .store()
        .delivery_log()
        .states(|id| wanted.contains_key(id))
    {
        deliveries
            .entry(invoice_id)
            .or_default()
            .push((kind, delivery));
    }
    sales
        .iter()
        .map(|sale| {
            SaleRow::of(
                state,
                sale,
                deliveries.get(&sale.invoice_id).map_or(&[], Vec::as_slice),
            )
        })
        .collect()
}

/// Everything a sale's page shows.
#[derive(Debug)]
pub(crate) struct SaleDetail {
    pub(crate) row: SaleRow,
    pub(crate) violations: Vec<ContractViolation>,
    pub(crate) deliveries: Vec<DeliveryRecord>,
    /// The gateway's entries of the sale.
    pub(crate) gateway: Vec<JournalEntry>,
    /// The Connecting Party server's entries of the app's steps (2–5), when its journal could be read.
    pub(crate) party: Result<Vec<JournalEntry>, String>,
}

/// One sale's page, `None` for a sale the gateway does not keep.
pub(crate) async fn detail(
    state: &AppState,
    endpoint_id: &EndpointId,
    invoice_id: &InvoiceId,
) -> Option<SaleDetail> {
    let token = state.store().token_of(endpoint_id, invoice_id)?;
    let sale = state.store().with_sale(&token, Clone::clone)?;
    let filter = DeliveryFilter {
        invoice_id: Some(invoice_id.clone()),
        state: None,
    };
    let deliveries: Vec<DeliveryRecord> = state
        .deliveries(&filter)
        .into_iter()
        .filter(|record| &record.endpoint_id == endpoint_id)
        .collect();
    let states: Vec<_> = deliveries
        .iter()
        .map(|record| (record.kind, record.state))
        .collect();
    let row = SaleRow::of(state, &sale, &states);
    let (entries, _) = state.messages().select(0, SALE_ENTRIES, |entry| {
        let of_sale = entry.sale();
        of_sale.endpoint_id.as_ref() == Some(endpoint_id)
            && of_sale.invoice_id.as_ref() == Some(invoice_id)
    });
    let gateway = entries.iter().map(|entry| entry.to_wire()).collect();
    let party = match state.endpoint(endpoint_id) {
        Some(endpoint) => party_entries(state, &endpoint, &sale).await,
        None => Err("its endpoint is no longer configured".to_owned()),
    };
    Some(SaleDetail {
        row,
        violations: sale.violations.clone(),
        deliveries,
        gateway,
        party,
    })
}

/// The app's exchanges with the Connecting Party server for this sale: its initiate (and card reference) by
/// invoice id, and the access token request of its device just before.
async fn party_entries(
    state: &AppState,
    endpoint: &EndpointConfig,
    sale: &Sale,
) -> Result<Vec<JournalEntry>, String> {
    let base = format!("{}{JOURNAL_PATH}", endpoint.party_url);
    let of_sale = format!("{base}?invoiceId={}", query_value(sale.invoice_id.as_str()));
    let by_device = format!(
        "{base}?serial={}&step=2",
        query_value(sale.serial_number.as_str())
    );
    let party = state.party();
    // With a sandbox token, the gateway presents its own: the servers of one sandbox share it (as
    // `mobile-client demo` and the embedded default start them).
    let bearer = state
        .config()
        .control_plane
        .token()
        .map(sandbox_api::SandboxToken::bearer);
    let (of_sale, by_device) = tokio::join!(
        party.read_sandbox::<JournalPage>(&of_sale, PARTY_JOURNAL_WAIT, bearer.as_deref()),
        party.read_sandbox::<JournalPage>(&by_device, PARTY_JOURNAL_WAIT, bearer.as_deref()),
    );
    let mut entries: Vec<JournalEntry> = of_sale?
        .entries
        .into_iter()
        .filter(|entry| entry.from == sandbox_api::Participant::App)
        .collect();
    let first = entries.first().map(|entry| entry.at.clone());
    let token = by_device?
        .entries
        .into_iter()
        .rfind(|entry| first.as_ref().is_none_or(|first| entry.at <= *first));
    entries.splice(0..0, token);
    Ok(entries)
}

fn query_value(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A protocol enum's value as the wire spells it (`AUTHENTICATED`).
pub(crate) fn wire_name(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}
