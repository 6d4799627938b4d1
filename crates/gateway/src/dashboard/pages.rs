//! The dashboard's pages, askama templates in `templates/dashboard/` (every value escaped; the entries' views
//! come pre-rendered, escaped, from `journal::web`). Each page renders whole, or only its live part
//! (`?fragment=1`, what the script swaps in at each change).

use super::diagram::{Diagram, Shown};
use super::view::{LIST_ROWS, ListFilter, SaleDetail, SaleRow, wire_name};
use askama::Template;
use journal::web::{EntryView, anchor, latency};
use sandbox_api::{ContractViolation, DeliveryRecord, DeliveryState, JournalStats};
use std::collections::HashSet;

/// The list of sales.
#[derive(Template)]
#[template(path = "dashboard/sales.html")]
pub(crate) struct SalesPage<'a> {
    pub(crate) fragment: bool,
    pub(crate) title: &'static str,
    pub(crate) rows: Vec<SaleRow>,
    pub(crate) filter: &'a ListFilter,
    pub(crate) stats: JournalStats,
    /// The scenarios a demo runner offers to play (`mobile-client demo`); none otherwise.
    pub(crate) scenarios: Vec<String>,
    pub(crate) max_rows: usize,
}

impl<'a> SalesPage<'a> {
    pub(crate) fn new(
        rows: Vec<SaleRow>,
        filter: &'a ListFilter,
        stats: JournalStats,
        scenarios: Vec<String>,
    ) -> Self {
        Self {
            fragment: filter.fragment.is_some(),
            title: "Sales",
            rows,
            filter,
            stats,
            scenarios,
            max_rows: LIST_ROWS,
        }
    }
}

/// One delivery as the page shows it.
pub(crate) struct DeliveryView {
    id: String,
    kind: String,
    state: String,
    url: String,
    attempts: Vec<AttemptView>,
    replayable: bool,
    /// Where its Replay button posts.
    replay: String,
}

struct AttemptView {
    number: u32,
    after: String,
    status: String,
    latency: String,
    excerpt: String,
    /// Its message in the journal.
    href: Option<String>,
}

impl DeliveryView {
    fn of(record: &DeliveryRecord) -> Self {
        let attempts = record
            .attempts
            .iter()
            .map(|attempt| AttemptView {
                number: attempt.number,
                after: format!("{} ms", attempt.started_after_ms),
                status: attempt
                    .status
                    .map_or_else(|| "—".to_owned(), |status| status.to_string()),
                latency: latency(attempt.latency_ms.saturating_mul(1_000)),
                excerpt: attempt.excerpt.clone(),
                href: attempt
                    .journal_entry
                    .map(|id| format!("#{}", anchor("gw", id))),
            })
            .collect();
        Self {
            id: record.id.clone(),
            kind: wire_name(&record.kind),
            state: wire_name(&record.state),
            url: record.url.clone(),
            attempts,
            replayable: record.state != DeliveryState::Pending,
            replay: format!("/sandbox/deliveries/{}/replay", dapi::segment(&record.id)),
        }
    }
}

/// One sale.
#[derive(Template)]
#[template(path = "dashboard/sale.html")]
pub(crate) struct SalePage {
    fragment: bool,
    title: String,
    row: SaleRow,
    stats: JournalStats,
    diagram: Diagram,
    party_note: Option<String>,
    /// Each violation, with the link to the message it was seen in.
    violations: Vec<(ContractViolation, Option<String>)>,
    deliveries: Vec<DeliveryView>,
    /// The entries' views, in the order the exchanges started.
    messages: Vec<String>,
}

impl SalePage {
    pub(crate) fn new(
        detail: SaleDetail,
        stats: JournalStats,
        fragment: bool,
        party_url: &str,
    ) -> Self {
        let party = detail.party.as_deref().unwrap_or_default();
        let mut shown: Vec<Shown<'_>> = party
            .iter()
            .map(|entry| Shown {
                source: "cp",
                entry,
            })
            .chain(detail.gateway.iter().map(|entry| Shown {
                source: "gw",
                entry,
            }))
            .collect();
        shown.sort_by(|a, b| a.entry.at.cmp(&b.entry.at));
        let broken: HashSet<(&str, u64)> = detail
            .violations
            .iter()
            .filter_map(|violation| violation.journal_entry)
            .map(|id| ("gw", id))
            .collect();
        let diagram = Diagram::of(&shown, &broken);
        let messages = shown
            .iter()
            .map(|shown| EntryView::new(shown.entry, shown.source).html())
            .collect();
        let party_note = detail.party.as_ref().err().map(|why| {
            format!(
                "Steps 2–5 happen between the app and the Connecting Party server; its journal at {party_url} could not be read ({why}), so only the gateway's messages are drawn."
            )
        });
        let violations = detail
            .violations
            .iter()
            .map(|violation| {
                (
                    violation.clone(),
                    violation
                        .journal_entry
                        .map(|id| format!("#{}", anchor("gw", id))),
                )
            })
            .collect();
        Self {
            fragment,
            title: format!("Sale {}", detail.row.invoice_id),
            deliveries: detail.deliveries.iter().map(DeliveryView::of).collect(),
            row: detail.row,
            stats,
            diagram,
            party_note,
            violations,
            messages,
        }
    }
}

/// A page that is not there (an unknown sale), or a refused dashboard action.
#[derive(Template)]
#[template(path = "dashboard/notice.html")]
pub(crate) struct NoticePage {
    pub(crate) title: &'static str,
    pub(crate) message: String,
}
