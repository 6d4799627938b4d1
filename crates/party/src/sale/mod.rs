//! A sale's life at the Connecting Party server, in the order it happens: initiate sale creates it (spec 3.2),
//! check sale confirms it to the gateway (spec 3.4); the card mapping notification (`crate::mapping`) and the
//! final-status callback (`crate::callback`) are recorded on it later. A card verification is kept as a sale
//! of flow verification (`crate::verification`), whose life reuses these steps.
//!
//! - `terms`: [`SaleTerms`], what initiate sale fixed, and its signatures.
//! - `initiate`: initiate sale.
//! - `check`: check sale, the reference proxy's checks and its answer.

mod check;
mod initiate;
mod terms;

pub(crate) use initiate::Initiation;
pub(crate) use terms::SaleTerms;

use crate::callback::ReceivedCallback;
use crate::sandbox::ViolationLog;
use crate::store::AppState;
use dapi::InvoiceId;
use sandbox_api::CardMappingRecord;

/// A sale and what happened to it since.
/// Kept whole in the data directory when there is one.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Sale {
    pub(crate) terms: SaleTerms,
    /// Check sale requests that passed the reference proxy's checks (spec 3.4); refused ones are not counted.
    pub(crate) checks: u32,
    pub(crate) mapping: Option<CardMappingRecord>,
    pub(crate) callback: Option<ReceivedCallback>,
    /// What the gateway's messages about this sale broke (bounded).
    pub(crate) violations: ViolationLog,
}

impl Sale {
    /// A sale just initiated: nothing happened to it yet.
    fn new(terms: SaleTerms) -> Self {
        Self {
            terms,
            checks: 0,
            mapping: None,
            callback: None,
            violations: ViolationLog::default(),
        }
    }
}

impl AppState {
    /// The sale's terms, copied out; `None` when the sale is unknown.
    pub(crate) fn sale_terms(&self, invoice_id: &InvoiceId) -> Option<SaleTerms> {
        self.read_sale(invoice_id, |sale| sale.terms.clone())
    }
}
