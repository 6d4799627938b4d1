//! Consumer authentication (spec 3.1 \[DECISION\]): access tokens of 64 random `[A-Za-z0-9]`, each bound to a
//! device serial number (and optionally an e-mail) until its TTL runs out; initiate and check sale enforce
//! the binding.

use crate::bounded::Fifo;
use crate::error::TokenError;
use crate::persist::{TOKENS, unix_ms};
use crate::store::AppState;
use dapi::messages::common::AccessSession;
use dapi::messages::initiate::AccessTokenResponse;
use dapi::{AccessToken, Email, SerialNumber};
use dashmap::DashMap;
use durable::Journal;
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// What an access token was issued for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Binding {
    pub(crate) serial_number: SerialNumber,
    pub(crate) email: Option<Email>,
    /// `None` when `issued + ttl` does not fit in an `Instant`: never expires.
    expires_at: Option<Instant>,
}

impl Binding {
    fn new(
        serial_number: SerialNumber,
        email: Option<Email>,
        issued: Instant,
        ttl: Duration,
    ) -> Self {
        Self {
            serial_number,
            email,
            expires_at: issued.checked_add(ttl),
        }
    }

    /// Live strictly before `issued + ttl`, so a zero TTL is expired at once.
    fn is_live(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|expires_at| now < expires_at)
    }

    /// As kept in the data directory: the expiry as wall-clock time.
    fn stored(&self) -> StoredBinding {
        let now = Instant::now();
        let left = |expires_at: Instant| expires_at.saturating_duration_since(now).as_millis();
        StoredBinding {
            serial_number: self.serial_number.clone(),
            email: self.email.clone(),
            expires_ms: self.expires_at.map(|expires_at| {
                let left = u64::try_from(left(expires_at)).unwrap_or(u64::MAX);
                unix_ms().saturating_add(left)
            }),
        }
    }
}

/// An access token's binding as kept: the expiry in milliseconds since the Unix epoch (`None`: never).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct StoredBinding {
    serial_number: SerialNumber,
    email: Option<Email>,
    pub(crate) expires_ms: Option<u64>,
}

impl StoredBinding {
    /// The binding again, for the time it has left; `None` once expired.
    pub(crate) fn restore(self, now_ms: u64) -> Option<Binding> {
        let expires_at = match self.expires_ms {
            None => None,
            Some(expires_ms) if expires_ms > now_ms => {
                let left = Duration::from_millis(expires_ms - now_ms);
                Some(Instant::now().checked_add(left)?)
            }
            Some(_) => return None,
        };
        Some(Binding {
            serial_number: self.serial_number,
            email: self.email,
            expires_at,
        })
    }
}

/// The token bindings, at most `max_access_tokens`. Every method takes and releases its map guard before
/// returning.
#[derive(Debug)]
pub(crate) struct Tokens {
    map: DashMap<AccessToken, Binding>,
    order: Fifo<AccessToken>,
    journal: Journal,
}

impl Tokens {
    /// At most `max` tokens, starting with `restored` (oldest first); every change journaled.
    pub(crate) fn new(max: usize, journal: Journal, restored: Vec<(AccessToken, Binding)>) -> Self {
        let tokens = Self {
            map: DashMap::new(),
            order: Fifo::new(max),
            journal,
        };
        let keys: Vec<AccessToken> = restored.iter().map(|(token, _)| token.clone()).collect();
        for (token, binding) in restored {
            tokens.map.insert(token, binding);
        }
        tokens.forget(tokens.order.restore(&tokens.map, keys));
        tokens
    }

    fn issue(&self, binding: Binding, now: Instant) -> AccessToken {
        // Every token lives the same TTL, so the expired ones are the oldest: dropped from the front here, the
        // map holds only live ones plus those expiring meanwhile; past the cap the oldest live one goes.
        let expired = self
            .order
            .prune_front(&self.map, |existing| !existing.is_live(now));
        self.forget(expired);
        let token = AccessToken::from(random_alphanumeric(64));
        self.journal.put(TOKENS, token.as_str(), &binding.stored());
        let evicted = self.order.insert(&self.map, token.clone(), binding);
        self.forget(evicted);
        token
    }

    /// Journals the removal of tokens no longer kept.
    fn forget(&self, tokens: Vec<AccessToken>) {
        for token in tokens {
            self.journal.delete(TOKENS, token.as_str());
        }
    }

    /// The binding of a live token whose device is `serial_number`.
    pub(crate) fn authenticate(
        &self,
        token: &AccessToken,
        serial_number: &SerialNumber,
        now: Instant,
    ) -> Result<Binding, TokenError> {
        // Clone and release the guard before `remove_if` touches the same shard.
        let found = self.map.get(token).map(|entry| entry.value().clone());
        let binding = found.ok_or(TokenError::Unknown)?;
        if !binding.is_live(now) {
            let removed = self
                .map
                .remove_if(token, |_, existing| !existing.is_live(now));
            if removed.is_some() {
                self.journal.delete(TOKENS, token.as_str());
            }
            return Err(TokenError::Unknown);
        }
        if &binding.serial_number != serial_number {
            return Err(TokenError::SerialMismatch);
        }
        Ok(binding)
    }
}

/// `len` random characters of `[A-Za-z0-9]`: access tokens and nonces.
pub(crate) fn random_alphanumeric(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

impl AppState {
    /// Issues an access token bound to the device (and e-mail) for the configured TTL.
    pub(crate) fn issue_token(
        &self,
        serial_number: SerialNumber,
        email: Option<Email>,
    ) -> AccessTokenResponse {
        let now = Instant::now();
        let binding = Binding::new(serial_number, email, now, self.config().token_ttl);
        let access_token = self.tokens().issue(binding, now);
        tracing::info!("access token issued");
        AccessTokenResponse {
            session: AccessSession { access_token },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(issued: Instant, ttl: Duration) -> Binding {
        Binding::new(SerialNumber::from("SN-1"), None, issued, ttl)
    }

    #[test]
    fn a_binding_is_live_until_its_ttl_has_passed() {
        let issued = Instant::now();
        let ttl = Duration::from_secs(1800);
        let binding = binding(issued, ttl);
        assert!(binding.is_live(issued));
        assert!(binding.is_live(issued + ttl - Duration::from_nanos(1)));
        assert!(!binding.is_live(issued + ttl));
        assert!(!binding.is_live(issued + ttl + Duration::from_secs(1)));
    }

    #[test]
    fn a_ttl_too_large_for_instant_never_expires() {
        let issued = Instant::now();
        assert!(binding(issued, Duration::MAX).is_live(issued + Duration::from_secs(1 << 40)));
    }

    #[test]
    fn an_expired_token_is_unknown_and_forgotten() {
        let tokens = Tokens::new(10, Journal::memory(), Vec::new());
        let issued = Instant::now();
        let serial = SerialNumber::from("SN-1");
        let token = tokens.issue(binding(issued, Duration::from_secs(60)), issued);
        assert_eq!(token.as_str().len(), 64);
        assert!(token.as_str().chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(tokens.authenticate(&token, &serial, issued).is_ok());
        assert_eq!(
            tokens.authenticate(&token, &SerialNumber::from("SN-2"), issued),
            Err(TokenError::SerialMismatch)
        );
        let later = issued + Duration::from_secs(60);
        assert_eq!(
            tokens.authenticate(&token, &serial, later),
            Err(TokenError::Unknown)
        );
        assert!(tokens.map.is_empty());
    }

    #[test]
    fn expired_tokens_go_first_then_the_oldest_live_ones() {
        let tokens = Tokens::new(2, Journal::memory(), Vec::new());
        let issued = Instant::now();
        let ttl = Duration::from_secs(60);
        let old = tokens.issue(binding(issued, ttl), issued);
        let later = issued + Duration::from_secs(30);
        let middle = tokens.issue(binding(later, ttl), later);
        let after_expiry = issued + ttl;
        let newest = tokens.issue(binding(after_expiry, ttl), after_expiry);
        assert!(!tokens.map.contains_key(&old), "expired, pruned");
        assert!(tokens.map.contains_key(&middle) && tokens.map.contains_key(&newest));
        let last = tokens.issue(binding(after_expiry, ttl), after_expiry);
        assert!(
            !tokens.map.contains_key(&middle),
            "the oldest live one, past the cap"
        );
        assert!(tokens.map.contains_key(&newest) && tokens.map.contains_key(&last));
    }
}
