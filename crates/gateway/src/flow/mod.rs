//! What happens after perform sale answered (spec 2.1 steps 8–24), as tracked jobs: check sale, processing
//! (3-D Secure, the CVV 217 wait), the card mapping notification, the final callback (both sent by `delivery`).
//!
//! Each job copies what it needs out of a synchronous [`AppState`] method, awaits its call with no guard held,
//! then applies the answer and schedules the next job in another synchronous method (STYLE section 6).
//!
//! What the Connecting Party breaks in its answers (check sale, notification, callback) is recorded per sale as
//! contract violations (`record`); the outcome is still what spec 3.4 and 3.7 say.

mod callback;
mod check;
mod notify;
mod three_ds;

pub(crate) use callback::CallbackJob;
pub(crate) use check::CheckFailure;
pub(crate) use notify::{CardRecord, NotificationJob};
pub(crate) use three_ds::{ThreeDsAnswer, ThreeDsPage};

use crate::delivery::{self, Message};
use crate::outcome::{Decision, Ending};
use crate::record;
use crate::sale::{CardFacts, Sale};
use crate::state::AppState;
use dapi::steps;
use dapi::{AuthStatus, CallbackStatus, SaleState, SessionToken};

/// Check sale, then processing or a decline (spec 3.4).
pub(crate) async fn check_sale(state: AppState, token: SessionToken) {
    let Some(job) = state.check_job(&token) else {
        return;
    };
    let timeout = state.config().timings.check_timeout;
    let answer = state.party().post(&job.url, &job.request, timeout).await;
    let checked = match answer {
        Ok(response) => state.accept_check(&job, &response),
        Err(error) => {
            let step = steps::CHECK_SALE_RESPONSE;
            state.record_violations(&token, record::call_violations(step, &error, timeout));
            Err(CheckFailure::from(error))
        }
    };
    match checked {
        Ok(card) => state.start_processing(&token, card),
        Err(failure) => {
            tracing::warn!(%failure, "check sale failed");
            state.finish(&token, failure.ending());
        }
    }
}

/// Authorisation: the card mapping notification for a card sale, delivered or dead-lettered, then `APPROVED`
/// (spec 3.7: in that order; whatever the notification's fate, the outcome is the same).
async fn approve(state: AppState, token: SessionToken, secure_3d: Option<AuthStatus>) {
    if let Some(job) = state.notification_job(&token) {
        let number = state.open_delivery(Message::Notification(job));
        delivery::deliver(state.clone(), number).await;
    }
    state.finish(&token, Ending::approved(secure_3d));
}

impl AppState {
    /// Check sale passed: the order exists and the trigger decides the next step (spec 3.5, 6).
    pub(crate) fn start_processing(&self, token: &SessionToken, card: Option<CardFacts>) {
        let started = self.update_sale(token, |sale| {
            if card.is_some() {
                sale.card = card;
            }
            let started = sale.start_processing(self.next_order_id());
            started.then(|| (sale.trigger, sale.endpoint_id.clone()))
        });
        let Some((trigger, endpoint_id)) = started.flatten() else {
            return;
        };
        let three_ds = self.endpoint(&endpoint_id).is_some_and(|e| e.three_ds);
        let timings = self.config().timings;
        match trigger.decide(three_ds) {
            Decision::Approve(secure_3d) => {
                self.spawn_delivery(token, approve(self.clone(), token.clone(), secure_3d));
            }
            Decision::Redirect => {
                let url = format!("{}/sim/3ds/{token}", self.config().public_url);
                self.update_sale(token, |sale| sale.redirect(url));
                let owned = token.clone();
                self.after(timings.three_ds_timeout, token, move |state| {
                    let ending = Ending::not_authenticated("3DS timeout");
                    state.finish_if(&owned, SaleState::RedirectRequest, ending);
                });
            }
            Decision::AwaitUnknown => {
                let owned = token.clone();
                self.after(timings.unknown_timeout, token, move |state| {
                    let ending =
                        Ending::failed(CallbackStatus::Error, "Acquirer timeout, result unknown");
                    state.finish_if(&owned, SaleState::Processing, ending);
                });
            }
            Decision::Finish(ending) => self.finish(token, ending),
        }
    }

    /// Makes a sale final unless it already is, then schedules its callback.
    pub(crate) fn finish(&self, token: &SessionToken, ending: Ending) {
        self.conclude(token, ending, |_| true);
    }

    /// Makes a sale final only if it is still in `state` (a timer that lost the race does nothing).
    pub(crate) fn finish_if(&self, token: &SessionToken, state: SaleState, ending: Ending) {
        self.conclude(token, ending, |sale| sale.state() == state);
    }

    /// Makes the sale final, opens its callback in the delivery log and only then marks it settled: a sale may be
    /// forgotten (`retention`) only once nothing it still owes is outside the log.
    fn conclude(&self, token: &SessionToken, ending: Ending, applies: impl FnOnce(&Sale) -> bool) {
        let concluded = self.update_sale(token, |sale| {
            let done = applies(sale) && sale.finish(ending, || self.next_order_id());
            done.then(|| sale.clone())
        });
        let Some(sale) = concluded.flatten() else {
            return;
        };
        tracing::info!(
            state = %sale.state(),
            error_message = sale.ending().and_then(|ending| ending.error_message.as_deref()),
            "sale final"
        );
        if let Some(job) = self.callback_job(&sale) {
            let number = self.open_delivery(Message::Callback(job));
            self.spawn_delivery(token, delivery::deliver(self.clone(), number));
        }
        self.update_sale(token, |sale| sale.settled = true);
    }
}
