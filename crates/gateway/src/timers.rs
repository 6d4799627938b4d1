//! [`Timers`]: the sales' sleeping timers — the 3-D Secure abandonment and the CVV 217 unknown timeout — at
//! most one per sale. A timer is cancelled (its task aborted) when its sale settles or is forgotten, and forgets
//! itself when it fires, so the live timer tasks are bounded by the retained sales whatever the timeouts are.
//!
//! Behind a `std` mutex held only to spawn, cancel or count, never across an `.await`.

use dapi::SessionToken;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tokio::task::{AbortHandle, JoinSet};

/// The armed timers, one per sale at most.
#[derive(Debug, Default)]
pub(crate) struct Timers(Mutex<Armed>);

#[derive(Debug, Default)]
struct Armed {
    tasks: JoinSet<()>,
    by_sale: HashMap<SessionToken, AbortHandle>,
}

impl Armed {
    /// Drops the finished and the aborted tasks, so the set holds only live ones.
    fn reap(&mut self) {
        while self.tasks.try_join_next().is_some() {}
    }
}

impl Timers {
    /// Arms `timer` for a sale, replacing (and aborting) the sale's earlier timer, if any. The timer must call
    /// [`Timers::fired`] once it wakes, before it acts.
    pub(crate) fn arm(
        &self,
        token: SessionToken,
        timer: impl Future<Output = ()> + Send + 'static,
    ) {
        let mut armed = self.lock();
        armed.reap();
        let handle = armed.tasks.spawn(timer);
        if let Some(earlier) = armed.by_sale.insert(token, handle) {
            earlier.abort();
        }
    }

    /// A timer woke up: it is no longer armed. Called from inside the timer's task, so a timer re-armed
    /// meanwhile (another task) keeps its entry.
    pub(crate) fn fired(&self, token: &SessionToken) {
        let mut armed = self.lock();
        let own = tokio::task::try_id();
        if armed
            .by_sale
            .get(token)
            .is_some_and(|handle| Some(handle.id()) == own)
        {
            armed.by_sale.remove(token);
        }
    }

    /// Cancels a sale's timer, if it has one: it settled, or it is forgotten.
    pub(crate) fn cancel(&self, token: &SessionToken) {
        if let Some(handle) = self.lock().by_sale.remove(token) {
            handle.abort();
        }
    }

    /// How many timers are armed (one per sale at most).
    pub(crate) fn armed(&self) -> usize {
        self.lock().by_sale.len()
    }

    /// How many timer tasks are still alive: armed ones, plus cancelled ones the runtime has not dropped yet.
    pub(crate) fn live_tasks(&self) -> usize {
        let mut armed = self.lock();
        armed.reap();
        armed.tasks.len()
    }

    /// Cancels every timer (shutdown): the sales they belong to stay where they are.
    pub(crate) fn cancel_all(&self) -> usize {
        let mut armed = self.lock();
        let cancelled = armed.by_sale.len();
        armed.by_sale.clear();
        armed.tasks.abort_all();
        cancelled
    }

    fn lock(&self) -> MutexGuard<'_, Armed> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    async fn until_no_live_task(timers: &Timers) {
        let reaped = async {
            while timers.live_tasks() > 0 {
                tokio::task::yield_now().await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), reaped)
            .await
            .expect("aborted timer tasks end");
    }

    #[tokio::test]
    async fn a_cancelled_or_replaced_timer_never_runs_and_its_task_ends() {
        let timers = Arc::new(Timers::default());
        let (fired_tx, mut fired_rx) = tokio::sync::mpsc::unbounded_channel();
        let token = SessionToken::from("t-1");
        for label in ["first", "second"] {
            let (timers_in, token_in, fired) = (timers.clone(), token.clone(), fired_tx.clone());
            timers.arm(token.clone(), async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                timers_in.fired(&token_in);
                let _ = fired.send(label);
            });
        }
        assert_eq!(timers.armed(), 1, "one timer per sale");
        assert_eq!(
            fired_rx.recv().await,
            Some("second"),
            "the replaced one never fires"
        );
        assert_eq!(timers.armed(), 0, "a fired timer forgets itself");
        let other = SessionToken::from("t-2");
        timers.arm(other.clone(), std::future::pending());
        timers.cancel(&other);
        timers.cancel(&other);
        assert_eq!(timers.armed(), 0);
        until_no_live_task(&timers).await;
        assert!(fired_rx.try_recv().is_err(), "nothing else fired");
    }
}
