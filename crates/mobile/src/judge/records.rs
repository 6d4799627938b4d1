//! What the app cannot see itself, read from the sandbox servers' records of a sale once it is final:
//! - the Connecting Party server's side (check sale, card mapping notification, callback; steps 8–9, 19–20,
//!   23–24) and the violations it saw, from `GET {party}/sim/sales/{invoiceId}` ([`PartySaleRecord`]);
//! - the violations the gateway saw, from `GET {gateway}/sim/sales/{endpointId}/{invoiceId}`
//!   ([`GatewaySaleRecord`]).
//!
//! The callback follows the final state (spec 3.8), so when the scenario expects one (or a card mapping,
//! or a violation the server records) the record is read again every `poll_interval` until it shows up or
//! the scenario's timeout passes. A server without the record endpoint (404 without the documented error
//! body: a real server) makes those steps and its violations "not observable", which is not a failure.

use std::time::Instant;

use dapi::{InvoiceId, SaleState};
use sandbox_api::ContractViolation;
use sandbox_api::GatewaySaleRecord;
use sandbox_api::Observer;
use sandbox_api::PartySaleRecord;
use sandbox_api::paths::gateway_record_path;
use sandbox_api::paths::party_record_path;
use scenario::Expect;
use serde::de::DeserializeOwned;
use url::Url;

use crate::app::client::Client;
use crate::app::play::{GatewaySale, SaleRun};
use crate::report::{self, PartyObservation, SaleOutcome, ScenarioReport};
use crate::app::wire::CallError;

impl Client {
    /// Reads the gateway's record of the sale: the violations it saw go into the report.
    pub(crate) async fn observe_gateway(
        &self,
        run: &SaleRun<'_>,
        sale: &GatewaySale,
        outcome: &mut SaleOutcome,
        report: &mut ScenarioReport,
    ) {
        let path = gateway_record_path(&sale.endpoint_id, &sale.invoice_id);
        let expect = &run.sale.expect;
        let read = self
            .read_until(
                &self.targets().gateway,
                &path,
                run,
                |record: &GatewaySaleRecord| {
                    expected_seen(expect, Observer::Gateway, &record.violations)
                },
            )
            .await;
        let record = match read {
            Ok(Some(record)) => record,
            Ok(None) => {
                outcome.gateway = PartyObservation::NotObservable;
                return;
            }
            Err(error) => {
                report.fail(
                    Some(run.number),
                    format!("gateway record GET {path}: {error}"),
                );
                return;
            }
        };
        outcome.gateway = PartyObservation::Seen;
        if record.invoice_id != sale.invoice_id {
            let other = &record.invoice_id;
            report.fail(
                Some(run.number),
                format!("gateway record is about invoice {other}"),
            );
        }
        for violation in record.violations {
            report.violation(Some(run.number), violation);
        }
    }

    /// Reads the party's record of the sale into `outcome`, records the observed steps and the
    /// violations the party saw.
    pub(crate) async fn observe_party(
        &self,
        run: &SaleRun<'_>,
        invoice_id: &InvoiceId,
        outcome: &mut SaleOutcome,
        report: &mut ScenarioReport,
    ) {
        let path = party_record_path(invoice_id);
        let expect = &run.sale.expect;
        let read = self
            .read_until(
                &self.targets().party,
                &path,
                run,
                |record: &PartySaleRecord| awaited_parts_arrived(expect, record),
            )
            .await;
        let record = match read {
            Ok(Some(record)) => record,
            Ok(None) => {
                outcome.party = PartyObservation::NotObservable;
                not_observable(run.number, expect, &path, report);
                return;
            }
            Err(error) => {
                report.fail(
                    Some(run.number),
                    format!("party record GET {path}: {error}"),
                );
                return;
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
        for violation in record.violations {
            report.violation(Some(run.number), violation);
        }
    }

    /// GETs `{base}{path}` until `done` says the record holds what the scenario waits for, or the
    /// scenario's timeout passes (then the last record read); `Ok(None)`: not observable.
    async fn read_until<T: DeserializeOwned>(
        &self,
        base: &Url,
        path: &str,
        run: &SaleRun<'_>,
        done: impl Fn(&T) -> bool,
    ) -> Result<Option<T>, CallError> {
        let url = Self::sim_url(base, path)?;
        let deadline = report::deadline_after(run.scenario.timeout);
        loop {
            let Some(record) = self.get_record::<T>(&url).await? else {
                return Ok(None);
            };
            let left = deadline.saturating_duration_since(Instant::now());
            if done(&record) || left.is_zero() {
                return Ok(Some(record));
            }
            tokio::time::sleep(self.targets().poll_interval.min(left)).await;
        }
    }
}

/// Whether every violation the scenario expects `observer` to see is among `seen`.
fn expected_seen(expect: &Expect, observer: Observer, seen: &[ContractViolation]) -> bool {
    expect
        .violations
        .iter()
        .filter(|expected| expected.observer == observer)
        .all(|expected| seen.iter().any(|violation| expected.matches(violation)))
}

/// Whether everything the scenario waits for is in the record: the callback, a card mapping, the
/// violations the party must see.
fn awaited_parts_arrived(expect: &Expect, record: &PartySaleRecord) -> bool {
    let callback_ok = expect.callback.is_none() || record.callback.is_some();
    let mapping_ok = expect.card_mapping != Some(true) || record.card_mapping.is_some();
    callback_ok && mapping_ok && expected_seen(expect, Observer::Party, &record.violations)
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
    let detail = format!("party answered {checks}");
    if record.checks == 0 {
        report.unseen_step(sale, report::CHECK_SALE, detail);
        if state == Some(SaleState::Approved) {
            report.fail(
                sale,
                "approved, yet the party answered no check sale (step 8)",
            );
        }
    } else {
        report.step(sale, report::CHECK_SALE, detail);
    }
    match &record.card_mapping {
        Some(mapping) => {
            let bin = mapping
                .bin
                .map(|bin| format!(", BIN {bin}"))
                .unwrap_or_default();
            let detail = format!(
                "party mapped serverCardId {} to clientCardId {}{bin}",
                mapping.server_card_id, mapping.client_card_id
            );
            report.step(sale, report::CARD_MAPPING, detail);
        }
        None => report.unseen_step(sale, report::CARD_MAPPING, "party recorded none"),
    }
    match &record.callback {
        Some(callback) => {
            let detail = format!(
                "party received status {}, orderid {}{}, {}",
                callback.status,
                callback.order_id,
                callback
                    .error_code
                    .map(|code| format!(", error_code {code}"))
                    .unwrap_or_default(),
                deliveries(callback.deliveries)
            );
            report.step(sale, report::CALLBACK, detail);
        }
        None => {
            let timeout = run.scenario.timeout;
            let detail = if run.sale.expect.callback.is_some() {
                format!("party received none within {timeout:?}")
            } else {
                "party received none yet (not awaited)".to_owned()
            };
            report.unseen_step(sale, report::CALLBACK, detail);
        }
    }
}

fn deliveries(count: u32) -> String {
    match count {
        1 => "1 delivery".to_owned(),
        many => format!("{many} deliveries"),
    }
}

/// The observed steps the scenario cares about, marked not observable.
fn not_observable(sale: usize, expect: &Expect, path: &str, report: &mut ScenarioReport) {
    let detail = format!("not observable: GET {path} answered 404 (no sandbox record endpoint)");
    report.unseen_step(Some(sale), report::CHECK_SALE, detail.clone());
    if expect.card_mapping.is_some() {
        report.unseen_step(Some(sale), report::CARD_MAPPING, detail.clone());
    }
    if expect.callback.is_some() {
        report.unseen_step(Some(sale), report::CALLBACK, detail);
    }
}
