//! Processing, once check sale passed (spec 3.5, 6): the order exists and the sale's CVV trigger picks the next
//! step — approval (with the card mapping notification), the 3-D Secure page, the CVV 217 wait, or a decline.
//! The two waits are timers: the 3-D Secure page abandoned after `three_ds_timeout`, the acquirer's silence
//! ended after `unknown_timeout`; each ends the sale only if it is still where the timer left it. A random-sum
//! check asked for in check sale (spec A21) is answered on the 3-D Secure page, so only a sale that shows the
//! page gets a `randomSumAuthStatus`.

use super::callback::{finish, finish_if};
use super::check::Checked;
use super::triggers::Decision;
use super::{Ending, approval, three_ds};
use crate::state::AppState;
use dapi::{AuthStatus, CallbackStatus, SaleState, SessionToken};

/// Starts processing a checked sale; for a repeat sale with the card resolved from the registry.
pub(crate) fn start(state: &AppState, token: &SessionToken, checked: Checked) {
    let store = state.store();
    let started = store.update_sale(token, |sale| {
        if checked.card.is_some() {
            sale.card = checked.card;
        }
        sale.server_card_id = checked.server_card_id;
        sale.random_sum_centis = checked.random_sum_centis;
        let started = sale.start_processing(store.next_order_id());
        started.then(|| (sale.trigger, sale.endpoint_id.clone()))
    });
    let Some((trigger, endpoint_id)) = started.flatten() else {
        return;
    };
    let random_sum = checked
        .random_sum_centis
        .map(|_| AuthStatus::NotAuthenticated);
    let three_ds = state.endpoint(&endpoint_id).is_some_and(|e| e.three_ds);
    let timings = state.config().timings;
    match trigger.decide(three_ds) {
        Decision::Approve(secure_3d) => {
            let approved = Ending::approved(secure_3d);
            let approval = approval::approve(state.clone(), token.clone(), approved);
            state.spawn_outbound(token, approval);
        }
        Decision::Redirect => {
            let url = three_ds::page_url(state.config(), token);
            store.update_sale(token, |sale| sale.redirect(url));
            let owned = token.clone();
            state.after(timings.three_ds_timeout, token, move |state| {
                let ending = Ending::not_authenticated("3DS timeout").with_random_sum(random_sum);
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
