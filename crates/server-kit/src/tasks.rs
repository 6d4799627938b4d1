//! [`Tasks`]: outbound jobs (check sale, notification, callback) that run after a handler answered, tracked so
//! that shutdown waits for them or says which were cut off, instead of dropping them silently.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::task::JoinSet;

/// A set of tracked background jobs; cloning shares the set.
#[derive(Clone, Debug, Default)]
pub struct Tasks(Arc<Mutex<JoinSet<()>>>);

impl Tasks {
    /// Starts a job. The std mutex is held only to reap finished jobs and spawn, never across an `.await`.
    pub fn spawn(&self, job: impl Future<Output = ()> + Send + 'static) {
        let mut tasks = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        while tasks.try_join_next().is_some() {}
        tasks.spawn(job);
    }

    /// How many jobs are still running.
    pub fn pending(&self) -> usize {
        let mut tasks = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        while tasks.try_join_next().is_some() {}
        tasks.len()
    }

    /// Waits up to `grace` for the jobs to finish, then aborts the rest and returns how many were cut off.
    pub async fn drain(&self, grace: Duration) -> usize {
        let mut tasks = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        let finished =
            tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
        if finished.is_ok() {
            return 0;
        }
        let cut_off = tasks.len();
        tasks.abort_all();
        cut_off
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn drain_waits_for_finished_jobs_and_reports_cut_off_ones() {
        let tasks = Tasks::default();
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        tasks.spawn(async move {
            let _ = done_tx.send(());
        });
        tasks.spawn(std::future::pending());
        done_rx.await.unwrap();
        assert_eq!(tasks.drain(Duration::from_millis(20)).await, 1);
        assert_eq!(tasks.pending(), 0);
    }
}
