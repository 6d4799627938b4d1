//! Processing, once check sale passed (spec 3.5, 6): the order exists and the sale's CVV trigger picks the next
//! step — approval (with the card mapping notification), the 3-D Secure page, the CVV 217 wait, or a decline.
//! The two waits are timers: the 3-D Secure page abandoned after `three_ds_timeout`, the acquirer's silence
//! ended after `unknown_timeout`; each ends the sale only if it is still where the timer left it.

use super::callback::{finish, finish_if};
use super::triggers::Decision;
use super::{CardFacts, Ending, approval, three_ds};
use crate::state::AppState;
use dapi::{CallbackStatus, SaleState, SessionToken};

/// Starts processing a checked sale; for a repeat sale with the card resolved from the registry.
pub(crate) fn start(state: &AppState, token: &SessionToken, card: Option<CardFacts>) {
    let store = state.store();
    let started = store.update_sale(token, |sale| {
        if card.is_some() {
            sale.card = card;
        }
        let started = sale.start_processing(store.next_order_id());
        started.then(|| (sale.trigger, sale.endpoint_id.clone()))
    });
    let Some((trigger, endpoint_id)) = started.flatten() else {
        return;
    };
    let three_ds = state.endpoint(&endpoint_id).is_some_and(|e| e.three_ds);
    let timings = state.config().timings;
    match trigger.decide(three_ds) {
        Decision::Approve(secure_3d) => {
            let approval = approval::approve(state.clone(), token.clone(), secure_3d);
            state.spawn_outbound(token, approval);
        }
        Decision::Redirect => {
            let url = three_ds::page_url(state.config(), token);
            store.update_sale(token, |sale| sale.redirect(url));
            let owned = token.clone();
            state.after(timings.three_ds_timeout, token, move |state| {
                let ending = Ending::not_authenticated("3DS timeout");
                finish_if(state, &owned, SaleState::RedirectRequest, ending);
            });
        }
        Decision::AwaitUnknown => {
            let owned = token.clone();
            state.after(timings.unknown_timeout, token, move |state| {
                let ending =
                    Ending::failed(CallbackStatus::Error, "Acquirer timeout, result unknown");
                finish_if(state, &owned, SaleState::Processing, ending);
            });
        }
        Decision::Finish(ending) => finish(state, token, ending),
    }
}
