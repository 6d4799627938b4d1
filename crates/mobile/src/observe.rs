//! What the app cannot see itself: the Connecting Party server's side of a sale (check sale, card mapping
//! notification, callback; steps 8–9, 19–20, 23–24), read from the sandbox party's record of the sale
//! (`GET {party}/sim/sales/{invoiceId}`, [`dapi::sim::party_record_path`]).
//!
//! The callback follows the final state (spec 3.8), so when the scenario expects one (or a card mapping)
//! the record is read again every `poll_interval` until it shows up or the scenario's timeout passes. A
//! party without the record endpoint (404 without the documented error body: a real Connecting Party
//! server) makes those steps "not observable", which is not a failure.

use std::time::{Duration, Instant};

use dapi::sim::{PartySaleRecord, party_record_path};
use dapi::{InvoiceId, SaleState};
use scenario::Expect;

use crate::client::Client;
use crate::flow::SaleRun;
use crate::report::{self, PartyObservation, SaleOutcome, ScenarioReport};

impl Client {
    /// Reads the party's record of the sale into `outcome` and records the observed steps.
    pub(crate) async fn observe_party(
        &self,
        run: &SaleRun<'_>,
        invoice_id: &InvoiceId,
        outcome: &mut SaleOutcome,
        report: &mut ScenarioReport,
    ) {
        let record_path = party_record_path(invoice_id);
        let url = match self.party_url(record_path.split('/').filter(|s| !s.is_empty())) {
            Ok(url) => url,
            Err(error) => {
                report.fail(Some(run.number), format!("party record: {error}"));
                return;
            }
        };
        let expect = &run.sale.expect;
        let deadline = report::deadline_after(run.scenario.timeout);
        let record = loop {
            match self.get_record(&url).await {
                Err(error) => {
                    let path = url.path();
                    report.fail(
                        Some(run.number),
                        format!("party record GET {path}: {error}"),
                    );
                    return;
                }
                Ok(None) => {
                    outcome.party = PartyObservation::NotObservable;
                    not_observable(run.number, expect, url.path(), report);
                    return;
                }
                Ok(Some(record)) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if awaited_parts_arrived(expect, &record) || left.is_zero() {
                        break record;
                    }
                    tokio::time::sleep(self.targets().poll_interval.min(left)).await;
                }
            }
        };
        if &record.invoice_id != invoice_id {
            let other = &record.invoice_id;
            report.fail(
                Some(run.number),
                format!("party record is about invoice {other}"),
            );
        }
        outcome.party = PartyObservation::Seen;
        outcome.callback = record.callback.as_ref().map(|callback| callback.status);
        outcome.client_card_id = record
            .card_mapping
            .as_ref()
            .map(|mapping| mapping.client_card_id.clone());
        record_steps(run, outcome.state, &record, report);
    }
}

/// Whether everything the scenario waits for is in the record: the callback, a card mapping.
fn awaited_parts_arrived(expect: &Expect, record: &PartySaleRecord) -> bool {
    let callback_ok = expect.callback.is_none() || record.callback.is_some();
    let mapping_ok = expect.card_mapping != Some(true) || record.card_mapping.is_some();
    callback_ok && mapping_ok
}

fn record_steps(
    run: &SaleRun<'_>,
    state: Option<SaleState>,
    record: &PartySaleRecord,
    report: &mut ScenarioReport,
) {
    let sale = Some(run.number);
    let checks = match record.checks {
        1 => "1 check sale request".to_owned(),
        many => format!("{many} check sale requests"),
    };
    report.step(sale, report::CHECK_SALE, format!("party answered {checks}"));
    if record.checks == 0 && state == Some(SaleState::Approved) {
        report.fail(
            sale,
            "approved, yet the party answered no check sale (step 8)",
        );
    }
    let mapping = match &record.card_mapping {
        Some(mapping) => {
            let bin = mapping
                .bin
                .map(|bin| format!(", BIN {bin}"))
                .unwrap_or_default();
            format!(
                "party mapped serverCardId {} to clientCardId {}{bin}",
                mapping.server_card_id, mapping.client_card_id
            )
        }
        None => "party recorded none".to_owned(),
    };
    report.step(sale, report::CARD_MAPPING, mapping);
    let callback = match &record.callback {
        Some(callback) => format!(
            "party received status {}, orderid {}{}, {}",
            callback.status,
            callback.order_id,
            callback
                .error_code
                .map(|code| format!(", error_code {code}"))
                .unwrap_or_default(),
            deliveries(callback.deliveries)
        ),
        None => none_received(run.sale.expect.callback.is_some(), run.scenario.timeout),
    };
    report.step(sale, report::CALLBACK, callback);
}

fn deliveries(count: u32) -> String {
    match count {
        1 => "1 delivery".to_owned(),
        many => format!("{many} deliveries"),
    }
}

fn none_received(awaited: bool, timeout: Duration) -> String {
    if awaited {
        format!("party received none within {timeout:?}")
    } else {
        "party received none yet (not awaited)".to_owned()
    }
}

/// The observed steps the scenario cares about, marked not observable.
fn not_observable(sale: usize, expect: &Expect, path: &str, report: &mut ScenarioReport) {
    let detail = format!("not observable: GET {path} answered 404 (no sandbox record endpoint)");
    report.step(Some(sale), report::CHECK_SALE, detail.clone());
    if expect.card_mapping.is_some() {
        report.step(Some(sale), report::CARD_MAPPING, detail.clone());
    }
    if expect.callback.is_some() {
        report.step(Some(sale), report::CALLBACK, detail);
    }
}
