//! [`PartyEvent`]: what the server publishes for in-process tests to await instead of sleeping, on a bounded
//! broadcast channel (a lagging subscriber misses the oldest events, the server never waits).

use crate::store::AppState;
use dapi::{CallbackStatus, ClientCardId, InvoiceId, ServerCardId};
use tokio::sync::broadcast;

/// How many events a slow subscriber may lag behind before it misses some.
const EVENT_CAPACITY: usize = 256;

/// Something the server did, published for in-process tests to await instead of sleeping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartyEvent {
    /// Initiate sale created a sale (spec 3.2).
    Initiated {
        /// The new sale.
        invoice_id: InvoiceId,
    },
    /// A check sale request for this invoice was answered (spec 3.4); `accepted` is true when the answer sent
    /// was a 200, whatever its body. Published as the answer leaves, before any hold-back of the sandbox.
    Checked {
        /// The invoice of the request path.
        invoice_id: InvoiceId,
        /// Whether the check was answered with 200.
        accepted: bool,
    },
    /// A card mapping notification created a card reference (spec 3.7); a repeated one publishes nothing.
    CardMapped {
        /// The sale the card was used in.
        invoice_id: InvoiceId,
        /// The alias the server created.
        client_card_id: ClientCardId,
        /// The gateway's reference.
        server_card_id: ServerCardId,
    },
    /// A final-status callback with a valid `control` arrived for a known sale (spec 3.8).
    CallbackReceived {
        /// `client_orderid`.
        invoice_id: InvoiceId,
        /// `status`.
        status: CallbackStatus,
        /// Whether the same (status, type, orderid, client_orderid) had arrived before.
        duplicate: bool,
    },
}

/// The sending half of the channel; receivers are made by [`AppState::subscribe`].
#[derive(Debug)]
pub(crate) struct Events(broadcast::Sender<PartyEvent>);

impl Events {
    pub(crate) fn new() -> Self {
        Self(broadcast::channel(EVENT_CAPACITY).0)
    }
}

impl AppState {
    /// Receives every [`PartyEvent`] published after this call.
    pub fn subscribe(&self) -> broadcast::Receiver<PartyEvent> {
        self.events().0.subscribe()
    }

    /// Publishes an event; having no subscriber is fine.
    pub(crate) fn publish(&self, event: PartyEvent) {
        let _ = self.events().0.send(event);
    }
}
