//! Processing, once check sale passed (spec 3.5, 6): the order exists and the sale's CVV trigger picks the next
//! step — approval (with the card mapping notification), the 3-D Secure page, the CVV 217 wait, or a decline.
//! The two waits are timers: the 3-D Secure page abandoned after `three_ds_timeout`, the acquirer's silence
//! ended after `unknown_timeout`; each ends the sale only if it is still where the timer left it. A timer's
//! deadline is kept with the sale, so a restarted gateway arms it again for the time left ([`resume`]). A
//! random-sum check asked for in check sale or check verification (spec A21, addendum §5) is answered on the 3-D Secure page, so only a sale that
//! shows the page gets a `randomSumAuthStatus`.

use super::callback::{finish, finish_if};
use super::check::{Checked, check};
use super::triggers::Decision;
use super::{Ending, Step, approval, three_ds, unix_ms};
use crate::state::AppState;
use dapi::{AuthStatus, CallbackStatus, SaleState, SessionToken};
use std::time::Duration;

/// Starts processing a checked sale; for a repeat sale with the card resolved from the registry.
pub(crate) fn start(state: &AppState, token: &SessionToken, checked: Checked) {
    let store = state.store();
    let started = store.update_sale(token, |sale| {
        if checked.card.is_some() {
            sale.card = checked.card;
        }
        sale.server_card_id = checked.server_card_id;
        sale.random_sum_centis = checked.random_sum_centis;
        sale.start_processing(store.next_order_id())
    });
    if started == Some(true) {
        decide(state, token);
    }
}

/// Takes the step the trigger of a processing sale asks for.
fn decide(state: &AppState, token: &SessionToken) {
    let store = state.store();
    let found = store.with_sale(token, |sale| (sale.trigger, sale.endpoint_id.clone()));
    let Some((trigger, endpoint_id)) = found else {
        return;
    };
    let three_ds = state.endpoint(&endpoint_id).is_some_and(|e| e.three_ds);
    let timings = state.config().timings;
    match trigger.decide(three_ds) {
        Decision::Approve(secure_3d) => {
            let approved = Ending::approved(secure_3d);
            if store.update_sale(token, |sale| sale.authorise(approved)) == Some(true) {
                state.spawn_outbound(token, approval::approve(state.clone(), token.clone()));
            }
        }
        Decision::Redirect => {
            let url = three_ds::page_url(state.config(), token);
            let deadline = deadline_after(timings.three_ds_timeout);
            let shown = store.update_sale(token, |sale| {
                sale.deadline_ms = Some(deadline);
                sale.redirect(url)
            });
            if shown == Some(true) {
                await_three_ds(state, token, timings.three_ds_timeout);
            }
        }
        Decision::AwaitUnknown => {
            let deadline = deadline_after(timings.unknown_timeout);
            store.update_sale(token, |sale| sale.deadline_ms = Some(deadline));
            await_unknown(state, token, timings.unknown_timeout);
        }
        Decision::Finish(ending) => finish(state, token, ending),
    }
}

/// Picks up a restored sale's work where the previous run of the gateway left it: check sale again (one
/// attempt, as the first was cut off), the trigger's step, the notification and approval, or the timer for the
/// time left (at once if it has passed). A final sale has nothing to resume; its pending callback resumes with
/// the delivery log.
pub(crate) fn resume(state: &AppState, token: &SessionToken) {
    let Some((step, deadline, trigger)) = state
        .store()
        .with_sale(token, |sale| (sale.step(), sale.deadline_ms, sale.trigger))
    else {
        return;
    };
    let left = |deadline: u64| Duration::from_millis(deadline.saturating_sub(unix_ms()));
    match (step, deadline) {
        (Step::Checking, _) => state.spawn_outbound(token, check(state.clone(), token.clone())),
        (Step::Processing, Some(deadline)) if trigger == super::Trigger::Unknown => {
            await_unknown(state, token, left(deadline));
        }
        (Step::Processing, _) => decide(state, token),
        (Step::Authorising, _) => {
            state.spawn_outbound(token, approval::approve(state.clone(), token.clone()));
        }
        (Step::AwaitingThreeDs, deadline) => {
            let timeout = state.config().timings.three_ds_timeout;
            await_three_ds(state, token, deadline.map_or(timeout, left));
        }
        (Step::Final, _) => {}
    }
}

/// The 3-D Secure page is abandoned after `delay` unless answered first (spec A10); a random sum it asked for
/// counts as not authenticated.
fn await_three_ds(state: &AppState, token: &SessionToken, delay: Duration) {
    let owned = token.clone();
    state.after(delay, token, move |state| {
        let asked = state
            .store()
            .with_sale(&owned, |sale| sale.random_sum_centis);
        let random_sum = asked.flatten().map(|_| AuthStatus::NotAuthenticated);
        let ending = Ending::not_authenticated("3DS timeout").with_random_sum(random_sum);
        finish_if(state, &owned, SaleState::RedirectRequest, ending);
    });
}

/// CVV 217: the acquirer never answers; after `delay` the sale ends with callback `error` (spec A20).
fn await_unknown(state: &AppState, token: &SessionToken, delay: Duration) {
    let owned = token.clone();
    state.after(delay, token, move |state| {
        let ending = Ending::failed(CallbackStatus::Error, "Acquirer timeout, result unknown");
        finish_if(state, &owned, SaleState::Processing, ending);
    });
}

/// `delay` from now, in milliseconds since the Unix epoch.
fn deadline_after(delay: Duration) -> u64 {
    let delay = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
    unix_ms().saturating_add(delay)
}
