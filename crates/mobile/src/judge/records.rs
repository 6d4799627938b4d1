//! What the app cannot see itself, read from the sandbox servers' records of a sale once it is final:
//! - the Connecting Party server's side (check sale, card mapping notification, callback; steps 8–9, 19–20,
//!   23–24) and the violations it saw, from `GET {party}/sim/sales/{invoiceId}` ([`PartySaleRecord`]);
//! - the violations the gateway saw, from `GET {gateway}/sim/sales/{endpointId}/{invoiceId}`
//!   ([`GatewaySaleRecord`]);
//! - for a verification, the same records under `/sim/verifications/`.
//!
//! The callback follows the final state (spec 3.8), so when the scenario expects one (or a card mapping,
//! or a violation the server records, or an attack's answer) the record is read again every `poll_interval`
//! until it shows up or the scenario's timeout passes. A server without the record (404, whatever the body: a
//! real server) makes its violations "not observable"; for the Connecting Party its side is then judged from
//! the gateway's delivery log instead (`judge/deliveries.rs`).

use dapi::{InvoiceId, SaleState};
use sandbox_api::ContractViolation;
use sandbox_api::GatewaySaleRecord;
use sandbox_api::Observer;
use sandbox_api::PartySaleRecord;
use sandbox_api::paths::{gateway_record_path_of, party_record_path_of};
use sandbox_api::{Attack, AttackAnswer};
use scenario::Expect;
use serde::de::DeserializeOwned;
use url::Url;

use crate::app::client::Client;
use crate::app::wire::CallError;
use crate::app::{Deadline, GatewaySale, SaleRun};
use crate::report::{PartyObservation, SaleOutcome, ScenarioReport, plural, steps};

/// A server's sandbox record of one sale.
trait SaleRecord: DeserializeOwned {
    /// The server that keeps it, as failures name it.
    const SERVER: &'static str;
    /// The sale it is about.
    fn invoice_id(&self) -> &InvoiceId;
}

impl SaleRecord for GatewaySaleRecord {
    const SERVER: &'static str = "gateway";
    fn invoice_id(&self) -> &InvoiceId {
        &self.invoice_id
    }
}

impl SaleRecord for PartySaleRecord {
    const SERVER: &'static str = "party";
    fn invoice_id(&self) -> &InvoiceId {
        &self.invoice_id
    }
}

/// What reading a server's record gave.
enum Read<T> {
    /// The record (a failure is recorded when it is about another invoice).
    Record(T),
    /// The server has no record endpoint: a real server.
    NotObservable,
    /// The read failed; the failure is recorded.
    Failed,
}

impl Client {
    /// Reads the gateway's record of the sale: the violations it saw go into the report.
    pub(crate) async fn observe_gateway(
        &self,
        run: &SaleRun<'_>,
        sale: &GatewaySale,
        outcome: &mut SaleOutcome,
        report: &mut ScenarioReport,
    ) {
        let path = gateway_record_path_of(sale.flow, &sale.endpoint_id, &sale.invoice_id);
        let expect = &run.sale.expect;
        let attacked = run.sale.misbehave.gateway.attack.is_some();
        let done = |record: &GatewaySaleRecord| {
            expected_seen(expect, Observer::Gateway, &record.violations)
                && (!attacked || !record.attacks.is_empty())
        };
        let base = &self.targets().gateway;
        let record = match self
            .read_record(run, base, &path, &sale.invoice_id, done, report)
            .await
        {
            Read::Record(record) => record,
            Read::NotObservable => {
                outcome.gateway = PartyObservation::NotObservable;
                return;
            }
            Read::Failed => return,
        };
        outcome.gateway = PartyObservation::Seen;
        outcome.attack = record.attacks.into_iter().next();
        if let Some(answer) = &outcome.attack {
            let at = steps::attack_answer(answer.step);
            report.step(Some(run.number), at, describe_attack_answer(answer));
        }
        report.violations_seen(Some(run.number), record.violations);
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
        let path = party_record_path_of(run.sale.flow, invoice_id);
        let expect = &run.sale.expect;
        let twice = run.sale.misbehave.gateway.attack == Some(Attack::CallbackTwice);
        let done = |record: &PartySaleRecord| awaited_parts_arrived(expect, twice, record);
        let base = &self.targets().party;
        let record = match self
            .read_record(run, base, &path, invoice_id, done, report)
            .await
        {
            Read::Record(record) => record,
            Read::NotObservable => {
                outcome.party = PartyObservation::NotObservable;
                self.observe_deliveries(run, invoice_id, outcome, report)
                    .await;
                return;
            }
            Read::Failed => return,
        };
        outcome.party = PartyObservation::Seen;
        outcome.callback = record.callback.as_ref().map(|callback| callback.status);
        outcome.callback_bookings = record.callback.as_ref().map(|callback| callback.bookings);
        outcome.client_card_id = record
            .card_mapping
            .as_ref()
            .map(|mapping| mapping.client_card_id.clone());
        record_steps(run, outcome.state, &record, report);
        report.violations_seen(Some(run.number), record.violations);
    }

    /// Reads the record at `{base}{path}` (see [`read_until`](Self::read_until)) and checks it is about
    /// `invoice_id`; a failure names the server.
    async fn read_record<T: SaleRecord>(
        &self,
        run: &SaleRun<'_>,
        base: &Url,
        path: &str,
        invoice_id: &InvoiceId,
        done: impl Fn(&T) -> bool,
        report: &mut ScenarioReport,
    ) -> Read<T> {
        let server = T::SERVER;
        match self.read_until(base, path, run, done).await {
            Ok(Some(record)) => {
                let about = record.invoice_id();
                if about != invoice_id {
                    report.fail(
                        Some(run.number),
                        format!("{server} record is about invoice {about}"),
                    );
                }
                Read::Record(record)
            }
            Ok(None) => Read::NotObservable,
            Err(error) => {
                report.fail(
                    Some(run.number),
                    format!("{server} record GET {path}: {error}"),
                );
                Read::Failed
            }
        }
    }

    /// GETs `{base}{path}` until `done` says the record holds what the scenario waits for, or the
    /// scenario's timeout passes (then the last record read); `Ok(None)`: not observable.
    pub(super) async fn read_until<T: DeserializeOwned>(
        &self,
        base: &Url,
        path: &str,
        run: &SaleRun<'_>,
        done: impl Fn(&T) -> bool,
    ) -> Result<Option<T>, CallError> {
        let url = Self::sim_url(base, path)?;
        let deadline = Deadline::after(run.scenario.timeout);
        loop {
            let Some(record) = self.get_record::<T>(&url).await? else {
                return Ok(None);
            };
            if done(&record) || deadline.passed() {
                return Ok(Some(record));
            }
            deadline.pause(self.targets().poll_interval).await;
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

/// Whether everything the scenario waits for is in the record: the callback (delivered `twice` for that
/// attack), a card mapping, the violations the party must see.
fn awaited_parts_arrived(expect: &Expect, twice: bool, record: &PartySaleRecord) -> bool {
    let arrived = record
        .callback
        .as_ref()
        .map_or(0, |callback| callback.deliveries.max(callback.bookings));
    let wanted = if twice { 2 } else { 1 };
    let callback_ok = expect.callback.is_none() || arrived >= wanted;
    let mapping_ok = expect.card_mapping != Some(true) || record.card_mapping.is_some();
    callback_ok && mapping_ok && expected_seen(expect, Observer::Party, &record.violations)
}

/// The party's steps 8, 19 and 23 as its record tells them.
fn record_steps(
    run: &SaleRun<'_>,
    state: Option<SaleState>,
    record: &PartySaleRecord,
    report: &mut ScenarioReport,
) {
    let sale = Some(run.number);
    let (flow, flow_steps) = (run.sale.flow, steps::of(run.sale.flow));
    let (one, many) = (
        format!("check {flow} request"),
        format!("check {flow} requests"),
    );
    let checks = plural(record.checks, &one, &many);
    let detail = format!("party answered {checks}");
    if record.checks == 0 {
        report.unseen_step(sale, flow_steps.check, detail);
        if state == Some(SaleState::Approved) {
            let text = format!("approved, yet the party answered no check {flow} (step 8)");
            report.fail(sale, text);
        }
    } else {
        report.step(sale, flow_steps.check, detail);
    }
    match &record.card_mapping {
        Some(mapping) => {
            let bin = mapping
                .bin
                .map(|bin| format!(", BIN {bin}"))
                .unwrap_or_default();
            let (server, client) = (&mapping.server_card_id, &mapping.client_card_id);
            let detail =
                format!("party mapped serverCardId {server} to clientCardId {client}{bin}");
            report.step(sale, flow_steps.card_mapping, detail);
        }
        None => report.unseen_step(sale, flow_steps.card_mapping, "party recorded none"),
    }
    callback_step(run, record, report);
}

/// Step 23: the callback the party received, or none.
fn callback_step(run: &SaleRun<'_>, record: &PartySaleRecord, report: &mut ScenarioReport) {
    let sale = Some(run.number);
    let Some(callback) = &record.callback else {
        let timeout = run.scenario.timeout;
        let detail = if run.sale.expect.callback.is_some() {
            format!("party received none within {timeout:?}")
        } else {
            "party received none yet (not awaited)".to_owned()
        };
        report.unseen_step(sale, steps::CALLBACK, detail);
        return;
    };
    let error_code = callback
        .error_code
        .map(|code| format!(", error_code {code}"))
        .unwrap_or_default();
    let deliveries = plural(callback.deliveries, "delivery", "deliveries");
    let (status, order_id) = (callback.status, &callback.order_id);
    let detail =
        format!("party received status {status}, orderid {order_id}{error_code}, {deliveries}");
    report.step(sale, steps::CALLBACK, detail);
}

/// `attack check-wrong-nonce: the party answered HTTP 403 INVALID_REQUEST (DAPI-403-NONCE)`, or why no answer came.
fn describe_attack_answer(answer: &AttackAnswer) -> String {
    let attack = answer.attack;
    let Some(status) = answer.status else {
        return format!("attack {attack}: no answer: {}", answer.excerpt);
    };
    let mut text = format!("attack {attack}: the party answered HTTP {status}");
    if let Some(cause) = &answer.cause {
        text.push_str(&format!(" {cause}"));
    }
    if let Some(code) = &answer.code {
        text.push_str(&format!(" ({code})"));
    }
    text
}
