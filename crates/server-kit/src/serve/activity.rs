//! What one connection is doing, seen from its socket and its requests, and the watchdog that closes it when
//! it waits too long for a request head or sits idle too long between requests.
//!
//! hyper's own `header_read_timeout` starts when hyper starts waiting for a head, which on a kept-alive
//! connection is the end of the previous answer: it would also be the idle limit. Here the two are apart:
//! the header clock starts when the connection opens or when the first byte of the next request arrives,
//! the idle clock when an answer is complete.

use super::Timeouts;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

const NOT_STARTED: u64 = u64::MAX;

/// Why the watchdog closed a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Expired {
    /// No complete request head within the header-read timeout.
    HeaderRead,
    /// No next request within the idle timeout.
    Idle,
}

/// One connection's activity; shared by its socket wrapper ([`Tracked`]), the request guards
/// ([`Activity::begin`]) and its watchdog ([`Activity::expired`]).
#[derive(Debug)]
pub(super) struct Activity {
    opened: Instant,
    /// Requests whose answer is not complete yet.
    in_flight: AtomicUsize,
    /// Whether some request was answered (the idle clock applies from then on).
    answered: AtomicBool,
    /// Milliseconds after `opened` when the connection last became idle.
    idle_since: AtomicU64,
    /// Milliseconds after `opened` of the first byte received while idle, or [`NOT_STARTED`].
    head_since: AtomicU64,
    changed: Notify,
}

impl Activity {
    pub(super) fn new() -> Arc<Self> {
        Arc::new(Self {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            answered: AtomicBool::new(false),
            idle_since: AtomicU64::new(0),
            head_since: AtomicU64::new(NOT_STARTED),
            changed: Notify::new(),
        })
    }

    /// A request's head is complete: no watchdog clock runs until it is answered (the request timeout does).
    pub(super) fn begin(self: &Arc<Self>) -> RequestGuard {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.head_since.store(NOT_STARTED, Ordering::SeqCst);
        self.changed.notify_one();
        RequestGuard(Arc::clone(self))
    }

    /// Resolves when the connection has waited too long; never while a request is in flight.
    pub(super) async fn expired(&self, timeouts: Timeouts) -> Expired {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before the state is read, so a change in between is not missed.
            changed.as_mut().enable();
            match self.deadline(timeouts) {
                None => changed.await,
                Some((at, why)) if at <= Instant::now() => return why,
                Some((at, _)) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(at) => {}
                        () = changed => {}
                    }
                }
            }
        }
    }

    fn deadline(&self, timeouts: Timeouts) -> Option<(Instant, Expired)> {
        if self.in_flight.load(Ordering::SeqCst) > 0 {
            return None;
        }
        let at = |millis: u64| self.opened + std::time::Duration::from_millis(millis);
        let head_since = self.head_since.load(Ordering::SeqCst);
        if head_since != NOT_STARTED {
            return Some((at(head_since) + timeouts.header_read, Expired::HeaderRead));
        }
        let idle_since = at(self.idle_since.load(Ordering::SeqCst));
        if self.answered.load(Ordering::SeqCst) {
            Some((idle_since + timeouts.idle, Expired::Idle))
        } else {
            Some((idle_since + timeouts.header_read, Expired::HeaderRead))
        }
    }

    fn now_millis(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
    }

    fn received_bytes(&self) {
        let idle = self.in_flight.load(Ordering::SeqCst) == 0;
        if idle
            && self
                .head_since
                .compare_exchange(
                    NOT_STARTED,
                    self.now_millis(),
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                )
                .is_ok()
        {
            self.changed.notify_one();
        }
    }
}

/// Held while a request is being answered; dropped (also when the answer is abandoned) it starts the idle clock.
#[derive(Debug)]
pub(super) struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        let activity = &self.0;
        activity
            .idle_since
            .store(activity.now_millis(), Ordering::SeqCst);
        activity.answered.store(true, Ordering::SeqCst);
        activity.in_flight.fetch_sub(1, Ordering::SeqCst);
        activity.changed.notify_one();
    }
}

/// A socket that tells its [`Activity`] when bytes arrive.
#[derive(Debug)]
pub(super) struct Tracked<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T> Tracked<T> {
    pub(super) fn new(inner: T, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Tracked<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.received_bytes();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Tracked<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const TIMEOUTS: Timeouts = Timeouts {
        header_read: Duration::from_secs(10),
        request: Duration::from_secs(60),
        idle: Duration::from_secs(30),
        drain: Duration::from_secs(5),
    };

    #[tokio::test(start_paused = true)]
    async fn a_fresh_connection_gets_the_header_clock_and_an_answered_one_the_idle_clock() {
        let activity = Activity::new();
        let started = Instant::now();
        assert_eq!(activity.expired(TIMEOUTS).await, Expired::HeaderRead);
        assert_eq!(started.elapsed(), TIMEOUTS.header_read);
        drop(activity.begin());
        let answered = Instant::now();
        assert_eq!(activity.expired(TIMEOUTS).await, Expired::Idle);
        assert_eq!(answered.elapsed(), TIMEOUTS.idle);
    }

    #[tokio::test(start_paused = true)]
    async fn no_clock_runs_while_a_request_is_answered() {
        let activity = Activity::new();
        let guard = activity.begin();
        let watchdog = activity.expired(TIMEOUTS);
        tokio::pin!(watchdog);
        let waited = tokio::time::timeout(Duration::from_secs(3600), watchdog.as_mut()).await;
        assert!(waited.is_err(), "the watchdog fired during a request");
        drop(guard);
        let answered = Instant::now();
        assert_eq!(watchdog.await, Expired::Idle);
        assert_eq!(answered.elapsed(), TIMEOUTS.idle);
    }

    #[tokio::test(start_paused = true)]
    async fn the_first_byte_of_the_next_request_starts_the_header_clock() {
        let activity = Activity::new();
        drop(activity.begin());
        tokio::time::advance(Duration::from_secs(5)).await;
        activity.received_bytes();
        let first_byte = Instant::now();
        assert_eq!(activity.expired(TIMEOUTS).await, Expired::HeaderRead);
        assert_eq!(first_byte.elapsed(), TIMEOUTS.header_read);
    }
}
