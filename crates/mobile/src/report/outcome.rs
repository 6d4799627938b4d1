//! What the client saw of one sale ([`SaleOutcome`]), the refusal it met on purpose ([`ObservedRefusal`]), and how
//! much of each server's side it could observe ([`PartyObservation`]).

use dapi::{AuthStatus, CallbackStatus, ClientCardId, Flow, InvoiceId, SaleState};
use sandbox_api::{AttackAnswer, DeliveryRecord};

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
    /// The final `randomSumAuthStatus` (spec A21).
    pub random_sum: Option<AuthStatus>,
    /// The refusal met at the step the scenario expects one (`expect.refused`), if it came.
    pub refusal: Option<ObservedRefusal>,
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
    /// How many times the party booked the callback, as its record says (1 for a server that de-duplicates).
    pub callback_bookings: Option<u32>,
    /// The gateway's deliveries of this sale (notification, callback) with every attempt, read when the party
    /// has no sandbox record: what was delivered, with which status, and how the party answered.
    pub deliveries: Vec<DeliveryRecord>,
    /// What the Connecting Party server answered the gateway's attack of this sale, as the gateway saw it.
    pub attack: Option<AttackAnswer>,
}

/// A non-2xx answer met where the scenario expects a refusal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedRefusal {
    /// The step of the answer: 5 or 7.
    pub step: u8,
    /// The HTTP status.
    pub status: u16,
    /// `error.cause`, when the answer had the documented error body.
    pub cause: Option<String>,
    /// `error.code`, likewise.
    pub code: Option<String>,
    /// `error.message`, likewise (card numbers masked).
    pub message: Option<String>,
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
            random_sum: None,
            refusal: None,
            redirect: false,
            party: PartyObservation::NotFetched,
            gateway: PartyObservation::NotFetched,
            callback: None,
            client_card_id: None,
            callback_bookings: None,
            deliveries: Vec::new(),
            attack: None,
        }
    }
}

/// How much of a server's side of a sale (the gateway's or the Connecting Party's) could be observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartyObservation {
    /// Not looked at (the sale never reached a final state).
    NotFetched,
    /// The server has no sandbox record (`GET /sim/sales/…` answered 404, whatever the body: a real server).
    /// For either: the violations it saw are not observable, so expected violations of that observer are
    /// skipped. For the Connecting Party, when the gateway's delivery log cannot be read either: the `callback`
    /// and `card_mapping` expectations are skipped too.
    NotObservable,
    /// The Connecting Party server has no sandbox record, and its side is judged from the gateway's delivery log
    /// ([`SaleOutcome::deliveries`]): what was delivered, with which status, and how it answered.
    Deliveries,
    /// The server's record was read.
    Seen,
}
