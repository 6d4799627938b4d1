//! Misbehaviour on purpose and faults, scoped to one sale (`POST …/misbehave`): how a reference server bends its
//! correct answer so that the negative paths of its peers are tested, not assumed.
//!
//! Every setting has a range ([`MAX_DELAY_MS`], [`MAX_FAIL_FIRST`]), checked by the [`Validate`] impls both
//! servers run on a `misbehave` body, so a typo cannot hold a connection (or a shutdown) for days.

use dapi::{Validate, Violations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The longest `delayMs` and `latencyMs` accepted on either server (5 minutes), so a typo cannot hold a
/// connection for days; the servers refuse longer ones.
pub const MAX_DELAY_MS: u64 = 5 * 60 * 1000;

/// The most attempts `callbackFailFirst` and `notificationFailFirst` may refuse (a callback has 30 attempts,
/// replays add more).
pub const MAX_FAIL_FIRST: u32 = 1_000;

/// How the reference Connecting Party server misbehaves towards the gateway for one sale.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartyMisbehaviour {
    /// How it answers check sale (step 9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckMisbehaviour>,
    /// How it answers the card mapping notification (step 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<NotificationMisbehaviour>,
    /// How it answers the final-status callback (step 23).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<CallbackAnswerMisbehaviour>,
    /// For [`CheckMisbehaviour::Slow`]: how long the answer is held back, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = MAX_DELAY_MS))]
    pub delay_ms: Option<u64>,
    /// Fault: refuse (HTTP 503, documented body) the first N callback attempts of this sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_fail_first: Option<u32>,
    /// Fault: refuse (HTTP 503, documented body) the first N card mapping notification attempts of this sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_fail_first: Option<u32>,
    /// Fault: extra latency, in milliseconds, on every answer about this sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = MAX_DELAY_MS))]
    pub latency_ms: Option<u64>,
    /// Not a misbehaviour but a choice the reference server leaves to the scenario: its check sale answer
    /// carries `transaction.randomSumCentis` with this amount, asking for a random-sum check (spec 3.4, A21).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_sum_centis: Option<u64>,
    /// Not a misbehaviour on its own either: `true` adds the spec page's `sourceOfFunds.card` (card data, spec
    /// A25) to the check sale answer. Alone it is allowed; beside a repeat sale's `reference` it breaks the
    /// contract ("never both").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_data: Option<bool>,
}

impl Validate for PartyMisbehaviour {
    fn validate(&self, v: &mut Violations) {
        if let Some(delay_ms) = self.delay_ms {
            v.range("delayMs", delay_ms, 0, MAX_DELAY_MS);
        }
        if let Some(latency_ms) = self.latency_ms {
            v.range("latencyMs", latency_ms, 0, MAX_DELAY_MS);
        }
        for (path, fail_first) in [
            ("callbackFailFirst", self.callback_fail_first),
            ("notificationFailFirst", self.notification_fail_first),
        ] {
            if let Some(fail_first) = fail_first {
                v.range(path, fail_first, 0, MAX_FAIL_FIRST);
            }
        }
    }
}

/// A wrong check sale answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CheckMisbehaviour {
    /// `checkSignature` signed over the wrong fields.
    WrongCheckSignature,
    /// A nonce other than the one of initiate sale.
    WrongNonce,
    /// No `serverCardId` although the request carried a `clientCardId`.
    MissingServerCardId,
    /// An error body with cause `FILTERED` (HTTP 400).
    Filtered,
    /// An error body with cause `SERVER_FAILED` (HTTP 500).
    ServerFailed,
    /// HTTP 500 with a body that is not the documented one.
    #[serde(rename = "http-500")]
    Http500,
    /// The right answer, later than the gateway waits (see [`PartyMisbehaviour::delay_ms`]).
    Slow,
    /// `session.token` echoes another gateway session token.
    WrongToken,
    /// `invoiceId` echoes another invoice id.
    WrongInvoice,
    /// `transaction.currency` is another currency than the sale's.
    WrongCurrency,
    /// No `session.checkSignature`.
    MissingCheckSignature,
    /// A repeat sale's answer carries another `consumer.email` than the card's mapping was made with.
    OtherEmail,
}

/// A wrong card mapping notification answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NotificationMisbehaviour {
    /// Refused with an error body (HTTP 400 `INVALID_REQUEST`).
    Refuse,
    /// `checkSignature` signed over the wrong fields.
    WrongCheckSignature,
    /// HTTP 500 with a body that is not the documented one.
    #[serde(rename = "http-500")]
    Http500,
    /// A nonce other than the one of initiate sale.
    WrongNonce,
    /// No `session.token`.
    MissingToken,
}

/// A wrong answer to the final-status callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CallbackAnswerMisbehaviour {
    /// Every callback of the sale is answered with HTTP 500 and a body that is not the documented one, so it is
    /// never accepted: the gateway retries it and finally dead-letters it.
    #[serde(rename = "http-500")]
    Http500,
}

/// How the gateway misbehaves towards the Connecting Party server for one sale.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayMisbehaviour {
    /// How it sends the final callback (step 23).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<CallbackMisbehaviour>,
    /// Fault: extra latency, in milliseconds, on the gateway's answers about this sale (perform, status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = MAX_DELAY_MS))]
    pub latency_ms: Option<u64>,
    /// What it sends the Connecting Party server on purpose, beside the sale's own messages, that the server
    /// must refuse ([`crate::attacks`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attack: Option<crate::Attack>,
}

impl Validate for GatewayMisbehaviour {
    fn validate(&self, v: &mut Violations) {
        if let Some(latency_ms) = self.latency_ms {
            v.range("latencyMs", latency_ms, 0, MAX_DELAY_MS);
        }
    }
}

/// A wrong callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CallbackMisbehaviour {
    /// The first attempt carries a wrong `control`; retries carry the right one (at-least-once delivery).
    WrongControl,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_reads_from_its_documented_json() {
        let party: PartyMisbehaviour = dapi::validate::parse(
            br#"{"check":"http-500","notification":"wrong-check-signature","delayMs":5,"callbackFailFirst":1,"notificationFailFirst":2,"latencyMs":3}"#,
        )
        .unwrap();
        assert_eq!(party.check, Some(CheckMisbehaviour::Http500));
        assert_eq!(party.notification_fail_first, Some(2));
        let added: PartyMisbehaviour = dapi::validate::parse(
            br#"{"check":"missing-check-signature","notification":"http-500","callback":"http-500"}"#,
        )
        .unwrap();
        assert_eq!(added.check, Some(CheckMisbehaviour::MissingCheckSignature));
        assert_eq!(added.notification, Some(NotificationMisbehaviour::Http500));
        assert_eq!(added.callback, Some(CallbackAnswerMisbehaviour::Http500));
        for (check, name) in [
            (CheckMisbehaviour::WrongToken, "wrong-token"),
            (CheckMisbehaviour::WrongInvoice, "wrong-invoice"),
            (CheckMisbehaviour::WrongCurrency, "wrong-currency"),
            (CheckMisbehaviour::OtherEmail, "other-email"),
        ] {
            assert_eq!(serde_json::to_value(check).unwrap(), name);
        }
        let notification = serde_json::to_value(NotificationMisbehaviour::MissingToken).unwrap();
        assert_eq!(notification, "missing-token");
        let gateway: GatewayMisbehaviour = dapi::validate::parse(
            br#"{"callback":"wrong-control","latencyMs":3,"attack":"callback-twice"}"#,
        )
        .unwrap();
        assert_eq!(gateway.callback, Some(CallbackMisbehaviour::WrongControl));
        assert_eq!(gateway.attack, Some(crate::Attack::CallbackTwice));
        let random: PartyMisbehaviour =
            dapi::validate::parse(br#"{"randomSumCentis":37}"#).unwrap();
        assert_eq!(random.random_sum_centis, Some(37));
        let card: PartyMisbehaviour = dapi::validate::parse(br#"{"cardData":true}"#).unwrap();
        assert_eq!(card.card_data, Some(true));
        let defaults: GatewayMisbehaviour = dapi::validate::parse(b"{}").unwrap();
        assert_eq!(defaults, GatewayMisbehaviour::default());
    }

    #[test]
    fn delays_past_five_minutes_and_fail_counts_past_the_cap_are_refused() {
        let mut ok = Violations::default();
        let at_the_bounds = PartyMisbehaviour {
            delay_ms: Some(MAX_DELAY_MS),
            latency_ms: Some(MAX_DELAY_MS),
            callback_fail_first: Some(MAX_FAIL_FIRST),
            notification_fail_first: Some(0),
            ..PartyMisbehaviour::default()
        };
        at_the_bounds.validate(&mut ok);
        GatewayMisbehaviour {
            latency_ms: Some(MAX_DELAY_MS),
            ..GatewayMisbehaviour::default()
        }
        .validate(&mut ok);
        assert!(ok.is_empty(), "{ok}");
        let mut party = Violations::default();
        PartyMisbehaviour {
            delay_ms: Some(MAX_DELAY_MS + 1),
            latency_ms: Some(u64::MAX),
            callback_fail_first: Some(MAX_FAIL_FIRST + 1),
            notification_fail_first: Some(u32::MAX),
            ..PartyMisbehaviour::default()
        }
        .validate(&mut party);
        let shown = party.to_string();
        for path in [
            "delayMs",
            "latencyMs",
            "callbackFailFirst",
            "notificationFailFirst",
        ] {
            assert!(shown.contains(path), "{path}: {shown}");
        }
        assert!(shown.contains("between 0 and 300000"), "{shown}");
        let mut gateway = Violations::default();
        GatewayMisbehaviour {
            latency_ms: Some(MAX_DELAY_MS + 1),
            ..GatewayMisbehaviour::default()
        }
        .validate(&mut gateway);
        assert!(
            gateway
                .to_string()
                .contains("latencyMs must be between 0 and 300000")
        );
    }

    /// `deny_unknown_fields` makes serde name the unknown key, which may be anything, a card number included.
    #[test]
    fn an_unknown_setting_is_refused_without_echoing_its_name() {
        let body = br#"{"4111111111111111": null}"#;
        let party = dapi::validate::parse::<PartyMisbehaviour>(body).unwrap_err();
        let gateway = dapi::validate::parse::<GatewayMisbehaviour>(body).unwrap_err();
        for text in [party.to_string(), gateway.to_string()] {
            assert!(
                !text.is_empty() && !text.contains("4111111111111111"),
                "{text}"
            );
        }
        assert!(dapi::validate::parse::<PartyMisbehaviour>(br#"{"check":"nope"}"#).is_err());
    }
}
