//! The file as written: serde structs mirroring the TOML keys, before the semantic checks.
//!
//! Every table denies unknown fields, so a typo (`amuont_centis`) is an error with its line.
//! Tables whose checks report a line are wrapped in [`Spanned`].

use dapi::{AuthStatus, CallbackStatus, SaleState};
use sandbox_api::CallbackAnswerMisbehaviour;
use sandbox_api::CallbackMisbehaviour;
use sandbox_api::CheckMisbehaviour;
use sandbox_api::NotificationMisbehaviour;
use sandbox_api::Observer;
use serde::Deserialize;
use toml::Spanned;

use crate::model::{Refusal, Secure3dExpectation, ThreeDs};

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) tags: Vec<String>,
    pub(crate) timeout_ms: Option<Spanned<u64>>,
    pub(crate) consumer: Spanned<RawConsumer>,
    /// `[[sale]]` tables; a scenario with neither these nor verifications is reported by the checks, with
    /// a clearer message than serde's "missing field".
    #[serde(default)]
    pub(crate) sale: Vec<Spanned<RawSale>>,
    /// `[[verification]]` tables, played with the sales in file order.
    #[serde(default)]
    pub(crate) verification: Vec<Spanned<RawVerification>>,
}

/// One `[[verification]]`: a card verification (addendum §2) — a currency and a card, no amount, no
/// reference.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVerification {
    pub(crate) currency: String,
    pub(crate) card: RawCard,
    pub(crate) three_ds: Option<ThreeDs>,
    pub(crate) email: Option<String>,
    pub(crate) misbehave: Option<RawMisbehave>,
    pub(crate) faults: Option<RawFaults>,
    pub(crate) expect: RawExpect,
}

/// `[consumer]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConsumer {
    pub(crate) serial_number: String,
    pub(crate) email: Option<String>,
    pub(crate) first_name: Option<String>,
    pub(crate) last_name: Option<String>,
    pub(crate) printed_name: Option<String>,
}

/// One `[[sale]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSale {
    pub(crate) amount_centis: u64,
    pub(crate) currency: String,
    pub(crate) card: Option<RawCard>,
    pub(crate) card_reference: Option<RawCardReference>,
    pub(crate) three_ds: Option<ThreeDs>,
    pub(crate) email: Option<String>,
    pub(crate) misbehave: Option<RawMisbehave>,
    pub(crate) faults: Option<RawFaults>,
    pub(crate) expect: RawExpect,
}

/// `[sale.misbehave]`: sandbox only; the values are the kebab-case names of `sandbox_api::misbehaviour`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMisbehave {
    pub(crate) party_check: Option<CheckMisbehaviour>,
    pub(crate) party_notification: Option<NotificationMisbehaviour>,
    pub(crate) party_delay_ms: Option<u64>,
    pub(crate) party_callback: Option<CallbackAnswerMisbehaviour>,
    pub(crate) gateway_callback: Option<CallbackMisbehaviour>,
}

/// `[sale.faults]`: sandbox only; merged into the same `dapi::sim` misbehaviour as `[sale.misbehave]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFaults {
    pub(crate) party_callback_fail_first: Option<u32>,
    pub(crate) party_notification_fail_first: Option<u32>,
    pub(crate) party_latency_ms: Option<u64>,
    pub(crate) gateway_latency_ms: Option<u64>,
}

/// `card = { number, security_code, expiry_month, expiry_year }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCard {
    pub(crate) number: String,
    pub(crate) security_code: String,
    pub(crate) expiry_month: u32,
    pub(crate) expiry_year: u32,
}

/// `card_reference = { from_sale | from_verification, security_code }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCardReference {
    pub(crate) from_sale: Option<usize>,
    pub(crate) from_verification: Option<usize>,
    pub(crate) security_code: String,
}

/// `[sale.expect]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExpect {
    pub(crate) state: SaleState,
    pub(crate) error_code: Option<u32>,
    pub(crate) error_message: Option<String>,
    pub(crate) secure_3d: Option<RawSecure3d>,
    pub(crate) callback: Option<CallbackStatus>,
    pub(crate) card_mapping: Option<bool>,
    pub(crate) redirect: Option<bool>,
    /// `refused = "card-reference"`: the sale never starts, its card reference is refused.
    pub(crate) refused: Option<Refusal>,
    /// `[[sale.expect.violation]]` tables (or `violation = [{ … }]` in an inline `expect`).
    #[serde(default)]
    pub(crate) violation: Vec<RawViolation>,
}

/// One `[[sale.expect.violation]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawViolation {
    pub(crate) observer: Observer,
    pub(crate) step: RawStep,
    pub(crate) path: Option<String>,
}

/// A step number of spec 2.1's diagrams, 1–24; refused while deserializing, so the error
/// carries the value's own line.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(try_from = "u8")]
pub(crate) struct RawStep(pub(crate) u8);

impl TryFrom<u8> for RawStep {
    type Error = String;

    fn try_from(step: u8) -> Result<Self, Self::Error> {
        if (1..=24).contains(&step) {
            Ok(Self(step))
        } else {
            Err(format!(
                "step must be 1-24 (a step of spec 2.1's diagrams), not {step}"
            ))
        }
    }
}

/// `secure_3d`: a `secure3DAuthStatus` value or `ABSENT`, in the wire spelling.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum RawSecure3d {
    Authenticated,
    NotAuthenticated,
    Unsupported,
    Absent,
}

impl From<RawSecure3d> for Secure3dExpectation {
    fn from(raw: RawSecure3d) -> Self {
        match raw {
            RawSecure3d::Authenticated => Self::Status(AuthStatus::Authenticated),
            RawSecure3d::NotAuthenticated => Self::Status(AuthStatus::NotAuthenticated),
            RawSecure3d::Unsupported => Self::Status(AuthStatus::Unsupported),
            RawSecure3d::Absent => Self::Absent,
        }
    }
}
