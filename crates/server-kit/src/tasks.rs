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

    /// Waits up to `grace` for the jobs to finish, including jobs that finishing jobs start (check sale →
    /// callback), then aborts the rest and returns how many were cut off.
    pub async fn drain(&self, grace: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            let mut tasks = self.take();
            if tasks.is_empty() {
                return 0;
            }
            let finished = tokio::time::timeout_at(deadline, async {
                while tasks.join_next().await.is_some() {}
            })
            .await;
            if finished.is_err() {
                let mut late = self.take();
                let cut_off = tasks.len() + late.len();
                tasks.abort_all();
                late.abort_all();
                return cut_off;
            }
        }
    }

    fn take(&self) -> JoinSet<()> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
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

    #[tokio::test]
    async fn drain_waits_for_jobs_started_by_finishing_jobs() {
        let tasks = Tasks::default();
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
        let follow_on = tasks.clone();
        tasks.spawn(async move {
            follow_on.spawn(async move {
                tokio::task::yield_now().await;
                let _ = done_tx.send(());
            });
        });
        assert_eq!(tasks.drain(Duration::from_secs(10)).await, 0);
        assert!(done_rx.await.is_ok(), "the follow-on job ran to completion");
    }
}
