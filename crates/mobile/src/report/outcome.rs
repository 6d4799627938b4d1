//! What the client saw of one sale ([`SaleOutcome`]), and how much of each server's side it could observe
//! ([`PartyObservation`]).

use dapi::{AuthStatus, CallbackStatus, ClientCardId, Flow, InvoiceId, SaleState};

/// What the client saw of one sale or card verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaleOutcome {
    /// The sale's 1-based position in the scenario (among its sales and verifications).
    pub sale: usize,
    /// A sale or a card verification.
    pub flow: Flow,
    /// The invoice id from initiate sale, once known.
    pub invoice_id: Option<InvoiceId>,
    /// The final `state`; `None` when the sale never reached one (refused, timed out, broken answer).
    pub state: Option<SaleState>,
    /// The final `errorCode`.
    pub error_code: Option<u32>,
    /// The final `errorMessage`.
    pub error_message: Option<String>,
    /// The final `secure3DAuthStatus`.
    pub secure_3d: Option<AuthStatus>,
    /// Whether a `REDIRECT_REQUEST` was seen while polling.
    pub redirect: bool,
    /// Whether the party's sandbox record could be read.
    pub party: PartyObservation,
    /// Whether the gateway's sandbox record could be read.
    pub gateway: PartyObservation,
    /// The final-status callback the party recorded (spec 3.8, steps 23–24).
    pub callback: Option<CallbackStatus>,
    /// The card reference the party created from this sale's card mapping notification (steps 19–20).
    pub client_card_id: Option<ClientCardId>,
}

impl SaleOutcome {
    /// The outcome of a sale that has not got anywhere yet.
    pub(crate) fn new(sale: usize) -> Self {
        Self {
            sale,
            flow: Flow::Sale,
            invoice_id: None,
            state: None,
            error_code: None,
            error_message: None,
            secure_3d: None,
            redirect: false,
            party: PartyObservation::NotFetched,
            gateway: PartyObservation::NotFetched,
            callback: None,
            client_card_id: None,
        }
    }
}

/// How much of a server's side of a sale (the gateway's or the Connecting Party's) could be observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartyObservation {
    /// Not looked at (the sale never reached a final state).
    NotFetched,
    /// The server has no sandbox record endpoint (a real server). For the Connecting Party: steps 8, 19 and
    /// 23 and the `callback` and `card_mapping` expectations are not observable. For either: the violations
    /// it saw are not observable, so expected violations of that observer are not checked.
    NotObservable,
    /// The server's record was read.
    Seen,
}
