//! [`Changes`]: a revision number that goes up whenever what a dashboard shows changed (a journal entry, a
//! sale's state, a delivery's attempt), and the Server-Sent Events stream that tells a page to refresh.
//!
//! Whoever changes something calls [`Changes::bump`] after the change is applied, so a page that refreshes
//! after an event always sees it. Bursts are folded: the stream sends at most one event per
//! [`EVENT_INTERVAL`], carrying the latest revision, and a comment every 15 s keeps proxies from closing it.

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;
use tokio::sync::watch;

/// The shortest time between two events of one stream: under load a page refreshes at most this often.
pub const EVENT_INTERVAL: Duration = Duration::from_millis(250);

/// The revision counter, and whether the server is closing; a clone shares both.
#[derive(Clone, Debug)]
pub struct Changes {
    revision: watch::Sender<u64>,
    closing: watch::Sender<bool>,
}

impl Default for Changes {
    fn default() -> Self {
        Self {
            revision: watch::Sender::new(0),
            closing: watch::Sender::new(false),
        }
    }
}

impl Changes {
    /// Something changed; call it after the change is applied.
    pub fn bump(&self) {
        self.revision
            .send_modify(|revision| *revision = revision.wrapping_add(1));
    }

    /// The revision now.
    pub fn revision(&self) -> u64 {
        *self.revision.borrow()
    }

    /// A receiver that wakes at the next change.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.revision.subscribe()
    }

    /// Ends every stream: a graceful shutdown waits for open requests, and a stream never ends on its own.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// `shutdown`, then [`Changes::close`]: give this to the server instead of `shutdown`.
    pub fn closing_on(
        &self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> impl Future<Output = ()> + Send + 'static {
        let changes = self.clone();
        async move {
            shutdown.await;
            changes.close();
        }
    }

    /// `text/event-stream` of `change` events (`id` and data: the revision), the first one at once so a page
    /// that missed changes while connecting refreshes; ends when the server closes.
    pub fn stream(&self) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<>> {
        let mut changes = self.subscribe();
        changes.mark_changed();
        let closing = self.closing.subscribe();
        let events = stream::unfold(
            (changes, closing),
            |(mut changes, mut closing)| async move {
                tokio::select! {
                    changed = changes.changed() => changed.ok()?,
                    _ = closing.wait_for(|closed| *closed) => return None,
                }
                tokio::time::sleep(EVENT_INTERVAL).await;
                let revision = changes.borrow_and_update().to_string();
                let event = Event::default()
                    .event("change")
                    .id(&revision)
                    .data(revision);
                Some((Ok(event), (changes, closing)))
            },
        );
        Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_bump_wakes_a_subscriber_with_the_new_revision() {
        let changes = Changes::default();
        let mut seen = changes.subscribe();
        changes.bump();
        changes.bump();
        seen.changed().await.unwrap();
        assert_eq!(*seen.borrow_and_update(), 2);
        assert_eq!(changes.revision(), 2);
    }
}
