//! What [`load`](crate::load()) folds each finished flow into, so that memory stays flat however many flows
//! run: one latency histogram for whole flows, one per hop of the diagram, and a count per kind of first
//! failure.
//!
//! Histograms are `hdrhistogram`'s, in microseconds with 3 significant digits: a percentile is off by at
//! most 0.1 %, and a histogram holds any number of samples in a few kilobytes.

use std::collections::HashMap;
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::load::{FailureKind, Hop, HopLatency, Latency};
use crate::report::ScenarioReport;

/// The running totals of a load run.
pub(crate) struct Tally {
    pub(crate) completed: u64,
    pub(crate) failed: u64,
    flows: Histogram<u64>,
    /// Each hop's histogram and the sum of its positions in the flows' step logs (for the order).
    hops: Vec<(Hop, Histogram<u64>, u64)>,
    hop_index: HashMap<Hop, usize>,
    kinds: HashMap<String, (u64, String)>,
}

impl Tally {
    pub(crate) fn new() -> Self {
        Self {
            completed: 0,
            failed: 0,
            flows: histogram(),
            hops: Vec::new(),
            hop_index: HashMap::new(),
            kinds: HashMap::new(),
        }
    }

    /// Folds one finished flow in.
    pub(crate) fn add(&mut self, report: &ScenarioReport) {
        self.completed += 1;
        record(&mut self.flows, report.elapsed);
        let mut previous = Duration::ZERO;
        let mut seen: HashMap<(Option<usize>, u8, &'static str), u32> = HashMap::new();
        for (position, step) in report.steps.iter().enumerate() {
            let occurrence = seen.entry((step.sale, step.number, step.name)).or_insert(0);
            *occurrence += 1;
            let hop = Hop {
                sale: step.sale,
                label: step.sale.map(|sale| report.label(sale)).unwrap_or_default(),
                number: step.number,
                name: step.name,
                occurrence: *occurrence,
            };
            let delta = step.elapsed.saturating_sub(previous);
            previous = step.elapsed;
            let index = match self.hop_index.get(&hop) {
                Some(index) => *index,
                None => {
                    self.hops.push((hop.clone(), histogram(), 0));
                    self.hop_index.insert(hop, self.hops.len() - 1);
                    self.hops.len() - 1
                }
            };
            if let Some((_, histogram, positions)) = self.hops.get_mut(index) {
                record(histogram, delta);
                *positions += u64::try_from(position).unwrap_or(u64::MAX);
            }
        }
        if let Some(headline) = report.headline() {
            self.failed += 1;
            self.count_failure(failure_kind(headline, report), headline, 1);
        }
    }

    /// Counts `count` flows that failed first with `kind`.
    pub(crate) fn count_failure(&mut self, kind: String, example: &str, count: u64) {
        let entry = self
            .kinds
            .entry(kind)
            .or_insert_with(|| (0, example.to_owned()));
        entry.0 += count;
    }

    /// The flow latency, the hops in their usual order in a flow (by mean position in the step log, so a
    /// second status poll sits after the first even when the first flow had none), the failure kinds most
    /// frequent first.
    pub(crate) fn finish(self) -> (Latency, Vec<HopLatency>, Vec<FailureKind>) {
        let mut hops = self.hops;
        // a/n < b/m as a*m < b*n, in u128 so no product overflows.
        let mean = |(_, histogram, positions): &(Hop, Histogram<u64>, u64)| {
            (u128::from(*positions), u128::from(histogram.len().max(1)))
        };
        hops.sort_by(|a, b| {
            let ((sum_a, n_a), (sum_b, n_b)) = (mean(a), mean(b));
            (sum_a * n_b).cmp(&(sum_b * n_a))
        });
        let hops = hops
            .into_iter()
            .map(|(hop, histogram, _)| HopLatency {
                hop,
                latency: latency(&histogram),
            })
            .collect();
        let mut kinds: Vec<FailureKind> = self
            .kinds
            .into_iter()
            .map(|(kind, (count, example))| FailureKind {
                kind,
                count,
                example,
            })
            .collect();
        kinds.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.kind.cmp(&b.kind)));
        (latency(&self.flows), hops, kinds)
    }
}

/// A histogram of microseconds that grows as needed (so no sample is ever refused).
#[allow(
    clippy::expect_used,
    reason = "3 significant digits is within hdrhistogram's 0..=5, the only way `new` fails"
)]
fn histogram() -> Histogram<u64> {
    let mut histogram = Histogram::new(3).expect("3 significant digits are supported");
    histogram.auto(true);
    histogram
}

fn record(histogram: &mut Histogram<u64>, elapsed: Duration) {
    let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
    // `record` grows an auto-resizing histogram; `saturating_record` would clamp to its current top.
    if histogram.record(micros).is_err() {
        histogram.saturating_record(micros);
    }
}

fn latency(histogram: &Histogram<u64>) -> Latency {
    if histogram.is_empty() {
        return Latency::default();
    }
    let at = |quantile: f64| Duration::from_micros(histogram.value_at_quantile(quantile));
    Latency {
        count: histogram.len(),
        min: Duration::from_micros(histogram.min()),
        mean: Duration::try_from_secs_f64(histogram.mean() / 1e6).unwrap_or_default(),
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        max: Duration::from_micros(histogram.max()),
    }
}

/// The kind of a first failure: the flow's invoice ids become `{invoiceId}`; long words with digits
/// (session tokens, nonces, UUIDs) become `{id}`; a count of polls or deliveries becomes `N`. What
/// tells failures apart (a state, an `errorCode`, a field path) stays.
pub(crate) fn failure_kind(headline: &str, report: &ScenarioReport) -> String {
    let mut text = headline.to_owned();
    for invoice_id in report
        .sales
        .iter()
        .filter_map(|sale| sale.invoice_id.as_ref())
    {
        text = text.replace(invoice_id.as_str(), "{invoiceId}");
    }
    let words: Vec<&str> = text.split(' ').collect();
    let blanked: Vec<&str> = words
        .iter()
        .enumerate()
        .map(|(index, word)| {
            let next = words.get(index + 1).copied().unwrap_or_default();
            let counted = next.starts_with("poll") || next.starts_with("deliver");
            if counted && word.bytes().all(|byte| byte.is_ascii_digit()) && !word.is_empty() {
                "N"
            } else if word.chars().count() >= 16 && word.bytes().any(|byte| byte.is_ascii_digit()) {
                "{id}"
            } else {
                word
            }
        })
        .collect();
    blanked.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::SaleOutcome;
    use dapi::InvoiceId;
    use std::path::PathBuf;

    fn report_with(invoice: &str, failure: &str) -> ScenarioReport {
        let mut report = ScenarioReport::named("load", PathBuf::from("load.toml"));
        let mut sale = SaleOutcome::new(1);
        sale.invoice_id = Some(InvoiceId::from(invoice));
        report.sales.push(sale);
        report.fail(Some(1), failure);
        report
    }

    #[test]
    fn failures_that_differ_only_in_ids_and_counts_are_one_kind() {
        let one = report_with(
            "INV-0001",
            "sale did not reach a final state within 2s (still PROCESSING after 17 polls) for INV-0001",
        );
        let two = report_with(
            "INV-0002",
            "sale did not reach a final state within 2s (still PROCESSING after 20 polls) for INV-0002",
        );
        let kind = failure_kind(one.headline().unwrap(), &one);
        assert_eq!(kind, failure_kind(two.headline().unwrap(), &two));
        assert_eq!(
            kind,
            "sale 1: sale did not reach a final state within 2s (still PROCESSING after N polls) for {invoiceId}"
        );
    }

    #[test]
    fn a_token_is_blanked_but_an_error_code_is_kept() {
        let report = report_with(
            "INV-1",
            "state: expected APPROVED, got DECLINED (errorCode 116) token 0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b",
        );
        assert_eq!(
            failure_kind(report.headline().unwrap(), &report),
            "sale 1: state: expected APPROVED, got DECLINED (errorCode 116) token {id}"
        );
    }

    #[test]
    fn percentiles_are_ordered_and_hops_add_up() {
        let mut tally = Tally::new();
        for millis in 1..=100 {
            let mut report = ScenarioReport::named("load", PathBuf::from("load.toml"));
            report.steps.push(crate::report::Step {
                sale: None,
                number: 2,
                name: "Request access token",
                detail: String::new(),
                elapsed: Duration::from_millis(millis),
                traveled: true,
            });
            report.elapsed = Duration::from_millis(millis * 2);
            tally.add(&report);
        }
        let (flows, hops, kinds) = tally.finish();
        assert_eq!(flows.count, 100);
        assert!(flows.min <= flows.p50 && flows.p50 <= flows.p95);
        assert!(flows.p95 <= flows.p99 && flows.p99 <= flows.max);
        // Within hdrhistogram's 3 significant digits.
        let near = |got: Duration, millis: f64| {
            (got.as_secs_f64() * 1000.0 - millis).abs() <= millis / 1000.0
        };
        assert!(near(flows.max, 200.0), "{flows:?}");
        assert_eq!(hops.len(), 1);
        assert!(near(hops[0].latency.p50, 50.0), "{hops:?}");
        assert!(kinds.is_empty());
    }
}
