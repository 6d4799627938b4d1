//! The attack pack's vocabulary: what the gateway sends a Connecting Party server on purpose in one sale
//! ([`Attack`], set with `POST /sim/sales/{endpointId}/{invoiceId}/misbehave` as `{"attack": …}`), which the
//! server must refuse — or, for a repeated callback, accept again without booking it twice — and what the gateway
//! saw of the server's answer ([`AttackAnswer`], in the gateway's record of the sale).
//!
//! An attack is sent *beside* the sale's real message (before it, or for a repeated callback after it), so the
//! sale itself goes on as it would: what a scenario judges is the answer to the attack.

use dapi::steps::{self, Step};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One message a Connecting Party server must not accept as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Attack {
    /// Check sale with a nonce other than the one issued at initiate sale.
    CheckWrongNonce,
    /// Check sale with another device's serial number.
    CheckWrongSerial,
    /// Check sale with the access token of another sale.
    CheckForeignToken,
    /// Check sale for an invoice the server never issued.
    CheckUnknownInvoice,
    /// Card mapping notification for a gateway session token no check sale carried.
    NotificationUnknownToken,
    /// The sale's callback with a `control` that does not verify.
    CallbackForgedControl,
    /// A correctly signed callback for an invoice the server never issued.
    CallbackUnknownInvoice,
    /// The sale's callback delivered a second time, as at-least-once delivery may (spec 3.8).
    CallbackTwice,
}

impl Attack {
    /// Every attack, in the order of the diagram.
    pub const ALL: [Self; 8] = [
        Self::CheckWrongNonce,
        Self::CheckWrongSerial,
        Self::CheckForeignToken,
        Self::CheckUnknownInvoice,
        Self::NotificationUnknownToken,
        Self::CallbackForgedControl,
        Self::CallbackUnknownInvoice,
        Self::CallbackTwice,
    ];

    /// The kebab-case name, as in scenario files and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::CheckWrongNonce => "check-wrong-nonce",
            Self::CheckWrongSerial => "check-wrong-serial",
            Self::CheckForeignToken => "check-foreign-token",
            Self::CheckUnknownInvoice => "check-unknown-invoice",
            Self::NotificationUnknownToken => "notification-unknown-token",
            Self::CallbackForgedControl => "callback-forged-control",
            Self::CallbackUnknownInvoice => "callback-unknown-invoice",
            Self::CallbackTwice => "callback-twice",
        }
    }

    /// The step of the answer judged (spec 2.1): 9, 20 or 24.
    pub fn step(self) -> Step {
        match self {
            Self::CheckWrongNonce
            | Self::CheckWrongSerial
            | Self::CheckForeignToken
            | Self::CheckUnknownInvoice => steps::CHECK_SALE_RESPONSE,
            Self::NotificationUnknownToken => steps::CARD_MAPPING_RESPONSE,
            Self::CallbackForgedControl | Self::CallbackUnknownInvoice | Self::CallbackTwice => {
                steps::CALLBACK_RESPONSE
            }
        }
    }

    /// What the gateway sends, in words.
    pub fn sent(self) -> &'static str {
        match self {
            Self::CheckWrongNonce => "a check sale with a nonce it never issued",
            Self::CheckWrongSerial => "a check sale with another device's serial number",
            Self::CheckForeignToken => "a check sale with another sale's access token",
            Self::CheckUnknownInvoice => "a check sale for an invoice it never issued",
            Self::NotificationUnknownToken => {
                "a card mapping notification for a session token no check sale carried"
            }
            Self::CallbackForgedControl => "a callback whose control does not verify",
            Self::CallbackUnknownInvoice => "a callback for an invoice it never issued",
            Self::CallbackTwice => "the same callback a second time",
        }
    }

    /// The check a server that accepts the attack is missing.
    pub fn check(self) -> &'static str {
        match self {
            Self::CheckWrongNonce => {
                "compare session.nonce with the nonce issued at initiate sale (spec 3.4)"
            }
            Self::CheckWrongSerial => {
                "compare consumer.device.serialNumber with the device the access token was issued to (spec 3.1, 3.4)"
            }
            Self::CheckForeignToken => {
                "compare session.accessToken with the token the sale was initiated with (spec 3.4)"
            }
            Self::CheckUnknownInvoice => {
                "look the invoiceId up among the sales it initiated (spec 3.4)"
            }
            Self::NotificationUnknownToken => {
                "find the sale by the session.token learned in check sale (spec 3.7)"
            }
            Self::CallbackForgedControl => {
                "verify control, the SHA-1 of status + orderid + client_orderid + control key (spec 3.8)"
            }
            Self::CallbackUnknownInvoice => {
                "look client_orderid up among the sales it initiated (spec 3.8)"
            }
            Self::CallbackTwice => {
                "de-duplicate callbacks on status, type, orderid and client_orderid and answer 200 each time (spec 3.8)"
            }
        }
    }

    /// Whether the server must refuse it (every attack but a repeated callback, which it must accept).
    pub fn must_refuse(self) -> bool {
        self != Self::CallbackTwice
    }
}

impl fmt::Display for Attack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the Connecting Party server answered one attack, as the gateway saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttackAnswer {
    /// The attack.
    pub attack: Attack,
    /// The step of the answer (spec 2.1).
    pub step: u8,
    /// The HTTP status; absent when no answer came (timeout, connection refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `error.cause` of the documented error body, when the answer had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// `error.code`, likewise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `error.message`, likewise (card numbers masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The start of the answer on one line (masked), or why there was none.
    pub excerpt: String,
}

impl AttackAnswer {
    /// Whether the server accepted the attack (a 2xx answer).
    pub fn accepted(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attack_reads_and_writes_its_kebab_case_name() {
        for attack in Attack::ALL {
            let json = serde_json::to_value(attack).unwrap();
            assert_eq!(json, attack.name());
            let back: Attack = serde_json::from_value(json).unwrap();
            assert_eq!(back, attack);
            assert!(!attack.sent().is_empty() && attack.check().contains("spec"));
        }
        let steps: Vec<u8> = Attack::ALL
            .iter()
            .map(|attack| attack.step().number)
            .collect();
        assert_eq!(steps, [9, 9, 9, 9, 20, 24, 24, 24]);
        assert!(!Attack::CallbackTwice.must_refuse() && Attack::CheckWrongNonce.must_refuse());
    }

    #[test]
    fn an_answer_is_accepted_only_with_a_2xx_status() {
        let answer = |status| AttackAnswer {
            attack: Attack::CheckWrongNonce,
            step: 9,
            status,
            cause: None,
            code: None,
            message: None,
            excerpt: String::new(),
        };
        assert!(answer(Some(200)).accepted());
        assert!(!answer(Some(403)).accepted() && !answer(None).accepted());
    }
}
