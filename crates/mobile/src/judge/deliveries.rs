//! The Connecting Party's side of a sale judged from what the sandbox itself saw, when the server has no
//! sandbox record: the gateway's delivery log (`GET {gateway}/sim/deliveries?invoiceId=…`) says which card
//! mapping notification and which callback were sent, with which status, after how many attempts, and whether
//! the server accepted them (a 2xx answer). Steps 19 and 23 are recorded from it (a verification's own 19).
//!
//! The callback follows the final state, and the gateway retries a refused one, so the log is read again until
//! each delivery the scenario expects is settled (delivered or dead-lettered) or the scenario's timeout passes.
//! A gateway without the log (404, whatever the body) leaves those expectations not observable: skipped.

use std::time::Duration;

use dapi::InvoiceId;
use sandbox_api::paths::invoice_deliveries_path;
use sandbox_api::{DeliveryKind, DeliveryList, DeliveryRecord, DeliveryState};
use scenario::Expect;

use crate::app::SaleRun;
use crate::app::client::Client;
use crate::report::{PartyObservation, SaleOutcome, ScenarioReport, plural, steps};

impl Client {
    /// Reads the gateway's deliveries of the sale into `outcome` and records steps 19 and 23 from them.
    pub(crate) async fn observe_deliveries(
        &self,
        run: &SaleRun<'_>,
        invoice_id: &InvoiceId,
        outcome: &mut SaleOutcome,
        report: &mut ScenarioReport,
    ) {
        let (sale, flow_steps) = (Some(run.number), steps::of(run.sale.flow));
        let path = invoice_deliveries_path(invoice_id);
        let expect = &run.sale.expect;
        let done = |list: &DeliveryList| settled(expect, &list.deliveries);
        let base = &self.targets().gateway;
        let note = "not observable: the Connecting Party server has no sandbox record";
        report.unseen_step(sale, flow_steps.check, note);
        let list = match self.read_until(base, &path, run, done).await {
            Ok(Some(list)) => list,
            Ok(None) => {
                let detail = format!("{note}, and GET {path} on the gateway answered 404");
                report.unseen_step(sale, flow_steps.card_mapping, detail.clone());
                report.unseen_step(sale, steps::CALLBACK, detail);
                return;
            }
            Err(error) => {
                report.fail(sale, format!("gateway delivery log GET {path}: {error}"));
                return;
            }
        };
        outcome.party = PartyObservation::Deliveries;
        let ours = |record: &DeliveryRecord| record.invoice_id == *invoice_id;
        outcome.deliveries = list.deliveries.into_iter().filter(ours).collect();
        for kind in [DeliveryKind::Notification, DeliveryKind::Callback] {
            let at = match kind {
                DeliveryKind::Notification => flow_steps.card_mapping,
                DeliveryKind::Callback => steps::CALLBACK,
            };
            delivery_step(
                run.number,
                outcome.deliveries.as_slice(),
                (kind, at),
                report,
            );
        }
    }
}

/// Whether every delivery the scenario expects has settled: the callback when it expects one, the card
/// mapping notification when it expects a mapping.
fn settled(expect: &Expect, deliveries: &[DeliveryRecord]) -> bool {
    let concluded = |kind| {
        deliveries
            .iter()
            .any(|record| record.kind == kind && record.state != DeliveryState::Pending)
    };
    let callback_ok = expect.callback.is_none() || concluded(DeliveryKind::Callback);
    let mapping_ok = expect.card_mapping != Some(true) || concluded(DeliveryKind::Notification);
    callback_ok && mapping_ok
}

/// The party's side from the gateway's delivery log: the callback sent with the expected status and accepted
/// (2xx), a card mapping notification accepted when one is expected, none sent when none is.
pub(super) fn compare_deliveries(
    expect: &Expect,
    outcome: &SaleOutcome,
    waited: Duration,
) -> Vec<String> {
    let mut failures = Vec::new();
    let deliveries = outcome.deliveries.as_slice();
    if let Some(expected) = expect.callback {
        match delivery_of(deliveries, DeliveryKind::Callback) {
            None => failures.push(format!(
                "callback: expected {expected}; the gateway's delivery log shows none within {waited:?}"
            )),
            Some(record) if record.callback_status != Some(expected) => {
                let sent = record
                    .callback_status
                    .map_or("an unknown status".to_owned(), |status| status.to_string());
                failures.push(format!("callback: expected {expected}, the gateway sent {sent}"));
            }
            Some(record) if record.state != DeliveryState::Delivered => failures.push(format!(
                "callback: expected {expected}; the Connecting Party server did not accept it: {}",
                describe(record)
            )),
            Some(_) => {}
        }
    }
    let notification = delivery_of(deliveries, DeliveryKind::Notification);
    match (expect.card_mapping, notification) {
        (Some(true), None) => failures.push(
            "card mapping: expected one; the gateway sent no card mapping notification".to_owned(),
        ),
        (Some(true), Some(record)) if record.state != DeliveryState::Delivered => {
            failures.push(format!(
                "card mapping: expected one; the Connecting Party server did not accept the notification: {}",
                describe(record)
            ));
        }
        (Some(false), Some(record)) => failures.push(format!(
            "card mapping: expected none, the gateway sent a card mapping notification ({})",
            describe(record)
        )),
        _ => {}
    }
    failures
}

/// The delivery of `kind`, if the gateway opened one.
pub(super) fn delivery_of(
    deliveries: &[DeliveryRecord],
    kind: DeliveryKind,
) -> Option<&DeliveryRecord> {
    deliveries.iter().find(|record| record.kind == kind)
}

/// How a delivery went, in words: `delivered after 2 attempts, the last answered HTTP 200` or `not accepted
/// (pending): 5 attempts, the last answered HTTP 500 "boom"`.
pub(super) fn describe(record: &DeliveryRecord) -> String {
    let attempts = plural(record.attempts.len(), "attempt", "attempts");
    let last = record.last_attempt().map_or(String::new(), |attempt| {
        let answer = attempt
            .status
            .map_or("no answer".to_owned(), |status| format!("HTTP {status}"));
        match attempt.excerpt.as_str() {
            "" => format!(", the last: {answer}"),
            excerpt => format!(", the last: {answer} {excerpt:?}"),
        }
    });
    match record.state {
        DeliveryState::Delivered => format!("delivered after {attempts}{last}"),
        DeliveryState::Pending => format!("not accepted yet (still retried): {attempts}{last}"),
        DeliveryState::DeadLettered => format!("never accepted (dead-lettered): {attempts}{last}"),
    }
}

/// Step 19 or 23 (`step`, the flow's) as the gateway's log tells it.
fn delivery_step(
    sale: usize,
    deliveries: &[DeliveryRecord],
    (kind, step): (DeliveryKind, dapi::Step),
    report: &mut ScenarioReport,
) {
    let what = match kind {
        DeliveryKind::Notification => "card mapping notification",
        DeliveryKind::Callback => "callback",
    };
    match delivery_of(deliveries, kind) {
        Some(record) => {
            let status = record
                .callback_status
                .map_or(String::new(), |status| format!(" status {status}"));
            let detail = format!("gateway's log: {what}{status} {}", describe(record));
            report.step(Some(sale), step, detail);
        }
        None => report.unseen_step(Some(sale), step, format!("gateway's log: no {what}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sandbox_api::DeliveryAttempt;

    fn record(
        kind: DeliveryKind,
        state: DeliveryState,
        statuses: &[Option<u16>],
    ) -> DeliveryRecord {
        DeliveryRecord {
            id: "dlv-1".into(),
            kind,
            endpoint_id: "1234".into(),
            invoice_id: "INV-1".into(),
            url: "http://cp.test/callback".into(),
            state,
            callback_status: None,
            attempts: statuses
                .iter()
                .enumerate()
                .map(|(index, status)| DeliveryAttempt {
                    number: u32::try_from(index + 1).unwrap(),
                    started_after_ms: 0,
                    status: *status,
                    latency_ms: 1,
                    excerpt: if *status == Some(500) {
                        "boom".into()
                    } else {
                        String::new()
                    },
                    journal_entry: None,
                })
                .collect(),
            earlier_attempts: 0,
        }
    }

    #[test]
    fn a_delivery_reads_as_its_state_attempts_and_last_answer() {
        let delivered = record(
            DeliveryKind::Callback,
            DeliveryState::Delivered,
            &[Some(503), Some(200)],
        );
        assert_eq!(
            describe(&delivered),
            "delivered after 2 attempts, the last: HTTP 200"
        );
        let refused = record(DeliveryKind::Callback, DeliveryState::Pending, &[Some(500)]);
        assert_eq!(
            describe(&refused),
            "not accepted yet (still retried): 1 attempt, the last: HTTP 500 \"boom\""
        );
        let dead = record(DeliveryKind::Callback, DeliveryState::DeadLettered, &[None]);
        assert_eq!(
            describe(&dead),
            "never accepted (dead-lettered): 1 attempt, the last: no answer"
        );
    }

    #[test]
    fn the_log_is_settled_once_each_awaited_delivery_concluded() {
        let mut expect = Expect::state(dapi::SaleState::Approved);
        expect.callback = Some(dapi::CallbackStatus::Approved);
        let pending = record(DeliveryKind::Callback, DeliveryState::Pending, &[Some(500)]);
        assert!(!settled(&expect, &[pending]));
        let delivered = record(
            DeliveryKind::Callback,
            DeliveryState::Delivered,
            &[Some(200)],
        );
        assert!(settled(&expect, std::slice::from_ref(&delivered)));
        expect.card_mapping = Some(true);
        assert!(!settled(&expect, std::slice::from_ref(&delivered)));
        let notified = record(
            DeliveryKind::Notification,
            DeliveryState::Delivered,
            &[Some(200)],
        );
        assert!(settled(&expect, &[delivered, notified]));
    }
}
