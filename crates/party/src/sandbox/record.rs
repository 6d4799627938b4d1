//! What the sandbox records of each sale: the contract violations the gateway's messages broke (kept on the
//! sale, bounded by [`MAX_VIOLATIONS_PER_SALE`]), and the record served at `GET /sim/sales/{invoiceId}`
//! ([`PartySaleRecord`]): checks answered, card mapping, callback, violations.

use crate::sale::Sale;
use crate::store::AppState;
use dapi::{Flow, InvoiceId};
use sandbox_api::{ContractViolation, PartySaleRecord};

/// At most this many violations are kept per sale; later ones are counted and dropped, so a misbehaving
/// peer cannot grow the server's memory without bound.
pub const MAX_VIOLATIONS_PER_SALE: usize = 50;

/// The violations kept for one sale, and how many were dropped past [`MAX_VIOLATIONS_PER_SALE`].
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct ViolationLog {
    kept: Vec<ContractViolation>,
    dropped: u64,
}

impl ViolationLog {
    /// The violations kept, oldest first.
    pub(crate) fn kept(&self) -> &[ContractViolation] {
        &self.kept
    }

    /// Keeps (and logs) a violation while there is room; returns `false` when it was dropped.
    fn push(&mut self, invoice_id: &InvoiceId, mut violation: ContractViolation) -> bool {
        // Seen in the exchange being answered (`journal::current_entry`).
        violation.journal_entry = journal::current_entry();
        if self.kept.len() < MAX_VIOLATIONS_PER_SALE {
            tracing::warn!(%invoice_id, %violation, "contract violation");
            self.kept.push(violation);
            return true;
        }
        self.dropped = self.dropped.saturating_add(1);
        if self.dropped == 1 {
            tracing::warn!(%invoice_id, MAX_VIOLATIONS_PER_SALE, "violation log full; dropping more");
        }
        false
    }
}

impl Sale {
    /// Records violations on this sale, up to [`MAX_VIOLATIONS_PER_SALE`].
    pub(crate) fn observe(&mut self, violations: impl IntoIterator<Item = ContractViolation>) {
        for violation in violations {
            self.violations.push(&self.terms.invoice_id, violation);
        }
    }
}

impl AppState {
    /// Records violations on a sale; nothing happens when the sale is unknown.
    pub(crate) fn observe(
        &self,
        invoice_id: &InvoiceId,
        violations: impl IntoIterator<Item = ContractViolation>,
    ) {
        self.update_sale(invoice_id, |sale| sale.observe(violations));
    }

    /// What the server saw of a sale or verification; `None` if unknown.
    pub fn record(&self, invoice_id: &InvoiceId) -> Option<PartySaleRecord> {
        self.read_sale(invoice_id, |sale| sale.record())
    }

    /// What the server saw of a sale (served at `GET /sim/sales/{invoiceId}`) or a verification (`GET
    /// /sim/verifications/{invoiceId}`); `None` if unknown or of the other flow.
    pub fn record_of(&self, flow: Flow, invoice_id: &InvoiceId) -> Option<PartySaleRecord> {
        self.read_sale(invoice_id, |sale| {
            (sale.terms.flow == flow).then(|| sale.record())
        })
        .flatten()
    }
}

impl Sale {
    fn record(&self) -> PartySaleRecord {
        let (sale, invoice_id) = (self, &self.terms.invoice_id);
        PartySaleRecord {
            invoice_id: invoice_id.clone(),
            checks: sale.checks,
            card_mapping: sale.mapping.clone(),
            callback: sale
                .callback
                .as_ref()
                .map(|received| received.record.clone()),
            violations: sale.violations.kept().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::observe::seen;
    use super::*;
    use dapi::steps;

    #[test]
    fn the_log_keeps_the_first_fifty_and_counts_the_rest() {
        let mut log = ViolationLog::default();
        for index in 0..60 {
            let violation = seen(steps::CALLBACK, &format!("p{index}"), "r");
            let kept = log.push(&InvoiceId::from("INV-1"), violation);
            assert_eq!(kept, index < MAX_VIOLATIONS_PER_SALE);
        }
        assert_eq!(log.kept().len(), MAX_VIOLATIONS_PER_SALE);
        assert_eq!(log.kept()[49].path, "p49");
        assert_eq!(log.dropped, 10);
    }
}
