//! Faults: the server refusing or slowing down on purpose, as a real one does when it is overloaded or down,
//! so the gateway's retries are exercised. Unlike a misbehaviour a fault breaks no contract (spec 5.1 documents
//! 503 `SERVER_UNAVAILABLE`), so no contract violation is recorded for it.
//!
//! - Per sale, set through `POST /sim/sales/{invoiceId}/misbehave` ([`sandbox_api::PartyMisbehaviour`]):
//!   `callbackFailFirst` and `notificationFailFirst` refuse the sale's first N callback or card mapping
//!   notification attempts with 503 and the documented body, before any other check (a server that is down
//!   looks at nothing, so nothing is recorded, no mapping made); `latencyMs` holds back every answer about the
//!   sale (check sale, notification, callback), with no guard held.
//! - Server-wide, from [`Faults`]: each sale's first callback attempt is refused with probability
//!   `callback_failure_rate`, drawn from a generator seeded with `seed`. Draws happen in the arrival order of
//!   first attempts, under a `std` mutex (a leaf lock, nothing awaits under it), so the same seed and the same
//!   order of sales give the same refusals. [`FaultStats`] counts what happened.

use crate::store::AppState;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// Server-wide faults for load and reliability tests ([`crate::Config::faults`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Faults {
    /// Seed of the generator deciding which first callback attempts are refused.
    pub seed: u64,
    /// Probability, 0.0–1.0, that a sale's first callback attempt is refused (503 `SERVER_UNAVAILABLE`); 0
    /// (the default) refuses none and never touches the generator, 1 or more refuses all, NaN none.
    pub callback_failure_rate: f64,
}

/// What the faults did since the server started ([`AppState::fault_stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultStats {
    /// First callback attempts for which the generator was drawn (rate above 0, known sale).
    pub first_attempts_drawn: u64,
    /// First callback attempts the server-wide rate refused.
    pub first_attempts_refused: u64,
    /// Callback attempts refused by any fault (per sale or server-wide).
    pub callbacks_refused: u64,
    /// Card mapping notification attempts refused by a per-sale fault.
    pub notifications_refused: u64,
}

/// Which fault refused an attempt, for the log.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Fault {
    /// `callbackFailFirst`.
    FailFirst,
    /// The server-wide `callback_failure_rate`.
    FailureRate,
}

/// The server-wide faults at run time: the seeded generator and the counters.
#[derive(Debug)]
pub(crate) struct FaultState {
    rate: f64,
    rng: Mutex<StdRng>,
    first_attempts_drawn: AtomicU64,
    first_attempts_refused: AtomicU64,
    callbacks_refused: AtomicU64,
    notifications_refused: AtomicU64,
}

impl FaultState {
    pub(crate) fn new(faults: Faults) -> Self {
        Self {
            rate: faults.callback_failure_rate,
            rng: Mutex::new(StdRng::seed_from_u64(faults.seed)),
            first_attempts_drawn: AtomicU64::new(0),
            first_attempts_refused: AtomicU64::new(0),
            callbacks_refused: AtomicU64::new(0),
            notifications_refused: AtomicU64::new(0),
        }
    }

    /// Whether the server-wide rate can refuse anything, so first attempts are drawn for.
    pub(crate) fn draws(&self) -> bool {
        !self.rate.is_nan() && self.rate > 0.0
    }

    /// Whether the server-wide rate refuses a sale's first callback attempt; draws only when the rate is above 0.
    pub(crate) fn refuses_first_attempt(&self) -> bool {
        if !self.draws() {
            return false;
        }
        let roll: f64 = self
            .rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .random();
        self.first_attempts_drawn.fetch_add(1, Ordering::Relaxed);
        let refused = roll < self.rate;
        if refused {
            self.first_attempts_refused.fetch_add(1, Ordering::Relaxed);
        }
        refused
    }

    /// Counts a callback attempt a fault refused.
    pub(crate) fn count_refused_callback(&self) {
        self.callbacks_refused.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a notification attempt a fault refused.
    pub(crate) fn count_refused_notification(&self) {
        self.notifications_refused.fetch_add(1, Ordering::Relaxed);
    }

    fn stats(&self) -> FaultStats {
        FaultStats {
            first_attempts_drawn: self.first_attempts_drawn.load(Ordering::Relaxed),
            first_attempts_refused: self.first_attempts_refused.load(Ordering::Relaxed),
            callbacks_refused: self.callbacks_refused.load(Ordering::Relaxed),
            notifications_refused: self.notifications_refused.load(Ordering::Relaxed),
        }
    }
}

impl AppState {
    /// What the faults did since the server started.
    pub fn fault_stats(&self) -> FaultStats {
        self.controls().faults().stats()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(faults: Faults, count: usize) -> Vec<bool> {
        let state = FaultState::new(faults);
        (0..count).map(|_| state.refuses_first_attempt()).collect()
    }

    #[test]
    fn a_zero_or_nan_rate_never_draws_and_a_full_rate_always_refuses() {
        let none = FaultState::new(Faults::default());
        assert!(!none.refuses_first_attempt());
        let nan = FaultState::new(Faults {
            seed: 1,
            callback_failure_rate: f64::NAN,
        });
        assert!(!nan.refuses_first_attempt() && !nan.draws());
        assert_eq!(none.stats().first_attempts_drawn, 0);
        let all = Faults {
            seed: 1,
            callback_failure_rate: 1.0,
        };
        assert!(draws(all, 50).into_iter().all(|refused| refused));
    }

    #[test]
    fn the_same_seed_draws_the_same_sequence() {
        let faults = |seed| Faults {
            seed,
            callback_failure_rate: 0.5,
        };
        assert_eq!(draws(faults(7), 100), draws(faults(7), 100));
        assert_ne!(draws(faults(7), 100), draws(faults(8), 100));
    }
}
