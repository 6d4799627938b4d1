//! The file as written: serde structs mirroring the TOML keys, before the semantic checks.
//!
//! Every table denies unknown fields, so a typo (`amuont_centis`) is an error with its line.
//! Tables whose checks report a line are wrapped in [`Spanned`].
//!
//! The same structs give the files' JSON Schema (`crate::schema`): their doc comments are what an editor shows,
//! and the simple rules of `check` (lengths, ranges, digits) are written on the fields too, so an editor flags
//! them as you type; `check` stays the judge.

use dapi::{AuthStatus, CallbackStatus, SaleState};
use sandbox_api::Attack;
use sandbox_api::CallbackAnswerMisbehaviour;
use sandbox_api::CallbackMisbehaviour;
use sandbox_api::CheckMisbehaviour;
use sandbox_api::NotificationMisbehaviour;
use sandbox_api::Observer;
use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::model::{Mistake, Secure3dExpectation};

mod outcome;
mod three_ds;

pub(crate) use outcome::{RawAnswer, RawRefusal};
pub(crate) use three_ds::RawThreeDs;

/// A connpay-sandbox scenario: one consumer making one or more sales through the Mobile Device Sale flow, and
/// card verifications, and what must come out of each.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "connpay-sandbox scenario")]
// The checks refuse a scenario without a sale or a verification; the schema says so too.
#[schemars(extend("anyOf" = [
    { "required": ["sale"], "properties": { "sale": { "minItems": 1 } } },
    { "required": ["verification"], "properties": { "verification": { "minItems": 1 } } }
]))]
pub(crate) struct RawScenario {
    /// The scenario's name in reports; default: the file name without `.toml`.
    #[schemars(with = "Option<String>", length(min = 1))]
    pub(crate) name: Option<Spanned<String>>,
    /// One line saying what the scenario shows.
    pub(crate) description: Option<String>,
    /// Free labels, e.g. `["3ds", "approved"]`.
    #[serde(default)]
    pub(crate) tags: Vec<String>,
    /// How long one sale is polled, in milliseconds; default 30000.
    #[schemars(with = "Option<u64>", range(min = 1))]
    pub(crate) timeout_ms: Option<Spanned<u64>>,
    /// The device and the consumer.
    #[schemars(with = "RawConsumer")]
    pub(crate) consumer: Spanned<RawConsumer>,
    /// `[[sale]]` tables, played with the verifications in file order; a scenario with neither is reported by
    /// the checks, with a clearer message than serde's "missing field".
    #[serde(default)]
    #[schemars(with = "Vec<RawSale>")]
    pub(crate) sale: Vec<Spanned<RawSale>>,
    /// `[[verification]]` tables: card verifications (a card saved, nothing charged), played with the sales in
    /// file order.
    #[serde(default)]
    #[schemars(with = "Vec<RawVerification>")]
    pub(crate) verification: Vec<Spanned<RawVerification>>,
}

/// One `[[verification]]`: a card verification (addendum §2) — a currency and a card, no amount, no
/// reference; the rest as a sale's.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVerification {
    /// ISO 4217 code, three upper-case letters: initiate verification signs it.
    #[schemars(regex(pattern = "^[A-Z]{3}$"))]
    pub(crate) currency: String,
    /// Full card data: a verification has no card reference.
    pub(crate) card: RawCard,
    /// What the consumer does on the 3-D Secure page; omitted: no page is expected.
    pub(crate) three_ds: Option<RawThreeDs>,
    /// This verification's e-mail, instead of `consumer.email`; one of them is required.
    #[schemars(length(min = 1))]
    pub(crate) email: Option<String>,
    /// Sandbox only: a server misbehaves on purpose in this verification.
    pub(crate) misbehave: Option<RawMisbehave>,
    /// Sandbox only: a server fails or is slow in this verification; no contract violation.
    pub(crate) faults: Option<RawFaults>,
    /// What must come out.
    pub(crate) expect: RawExpect,
}

/// `[consumer]`: the device and the card holder.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConsumer {
    /// The device serial number the access token is bound to, 1-50 characters.
    #[schemars(length(min = 1, max = 50))]
    pub(crate) serial_number: String,
    /// The consumer's e-mail, sent with the access token request and perform sale.
    #[schemars(length(min = 1))]
    pub(crate) email: Option<String>,
    /// The card holder's first name, with `last_name`.
    pub(crate) first_name: Option<String>,
    /// The card holder's last name, with `first_name`.
    pub(crate) last_name: Option<String>,
    /// The name printed on the card; default `TEST CONSUMER` when no name is given.
    pub(crate) printed_name: Option<String>,
}

/// One `[[sale]]`: what the app pays with, what the consumer does, and what must come out.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSale {
    /// The amount in minor units (1050 = 10.50 EUR).
    #[schemars(range(min = 1))]
    pub(crate) amount_centis: u64,
    /// ISO 4217 code, three upper-case letters.
    #[schemars(regex(pattern = "^[A-Z]{3}$"))]
    pub(crate) currency: String,
    /// Full card data; or `card_reference`.
    pub(crate) card: Option<RawCard>,
    /// The card reference an earlier sale of this scenario mapped; or `card`.
    pub(crate) card_reference: Option<RawCardReference>,
    /// What the consumer does on the 3-D Secure page: `{ password = "hint" }` (with `random_sum_centis` to
    /// answer a random-sum check), `"cancel"` or `"ignore"`; omitted: no page is expected.
    pub(crate) three_ds: Option<RawThreeDs>,
    /// This sale's e-mail, instead of `consumer.email`.
    pub(crate) email: Option<String>,
    /// The app signs the consumer in again before this sale (steps 2-3), so the sale has an access token of
    /// its own; default false.
    pub(crate) new_access_token: Option<bool>,
    /// Something the app sends wrong on purpose; needs `expect.refused` at the step that refuses it.
    pub(crate) mistake: Option<Mistake>,
    /// Sandbox only: what the gateway sends the Connecting Party server on purpose, beside the sale's own
    /// messages; needs `expect.attack_answer`.
    pub(crate) attack: Option<Attack>,
    /// Sandbox only: the reference Connecting Party server asks for a random-sum check of this amount, in
    /// minor units (spec A21).
    #[schemars(range(min = 1))]
    pub(crate) random_sum_centis: Option<u64>,
    /// Sandbox only: a server misbehaves on purpose in this sale.
    pub(crate) misbehave: Option<RawMisbehave>,
    /// Sandbox only: a server fails or is slow in this sale; no contract violation.
    pub(crate) faults: Option<RawFaults>,
    /// What must come out.
    pub(crate) expect: RawExpect,
}

/// `[sale.misbehave]`: sandbox only; the values are the kebab-case names of `sandbox_api::misbehaviour`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMisbehave {
    /// How the Connecting Party server answers check sale (step 9).
    pub(crate) party_check: Option<CheckMisbehaviour>,
    /// How it answers the card mapping notification (step 20); approved card sales only.
    pub(crate) party_notification: Option<NotificationMisbehaviour>,
    /// With `party_check = "slow"`: how long the answer is held back, in milliseconds.
    #[schemars(range(min = 1))]
    pub(crate) party_delay_ms: Option<u64>,
    /// How it answers every final-status callback of the sale (step 23).
    pub(crate) party_callback: Option<CallbackAnswerMisbehaviour>,
    /// How the gateway sends the final callback (step 23).
    pub(crate) gateway_callback: Option<CallbackMisbehaviour>,
}

/// `[sale.faults]`: sandbox only; merged into the same `dapi::sim` misbehaviour as `[sale.misbehave]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFaults {
    /// The Connecting Party server refuses (503) the first N callback attempts.
    #[schemars(range(min = 1))]
    pub(crate) party_callback_fail_first: Option<u32>,
    /// It refuses (503) the first N card mapping notification attempts; approved card sales only.
    #[schemars(range(min = 1))]
    pub(crate) party_notification_fail_first: Option<u32>,
    /// Extra latency on every answer of the Connecting Party server about the sale, in milliseconds.
    #[schemars(range(min = 1, max = 300_000))]
    pub(crate) party_latency_ms: Option<u64>,
    /// Extra latency on the gateway's answers about the sale, in milliseconds.
    #[schemars(range(min = 1, max = 300_000))]
    pub(crate) gateway_latency_ms: Option<u64>,
}

/// `card = { number, security_code, expiry_month, expiry_year }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCard {
    /// The card number; any Luhn-valid one works in the sandbox.
    #[schemars(regex(pattern = "^[0-9]{1,19}$"))]
    pub(crate) number: String,
    /// The CVV: it picks the sandbox's outcome (123 approved, 321 3-D Secure, 116 declined, ...).
    #[schemars(regex(pattern = "^[0-9]{1,4}$"))]
    pub(crate) security_code: String,
    /// 1-12.
    #[schemars(range(min = 1, max = 12))]
    pub(crate) expiry_month: u32,
    /// Four digits.
    #[schemars(range(min = 1000, max = 9999))]
    pub(crate) expiry_year: u32,
}

/// `card_reference = { from_sale | from_verification, security_code }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
// The checks take exactly one of the two; the schema says so too.
#[schemars(extend("oneOf" = [{ "required": ["from_sale"] }, { "required": ["from_verification"] }]))]
pub(crate) struct RawCardReference {
    /// The earlier sale of this scenario (1 = the first sale) whose card mapping is used; or
    /// `from_verification`.
    #[schemars(range(min = 1))]
    pub(crate) from_sale: Option<usize>,
    /// The earlier card verification of this scenario (1 = the first verification) whose card mapping is
    /// used; or `from_sale`.
    #[schemars(range(min = 1))]
    pub(crate) from_verification: Option<usize>,
    /// The CVV sent with the reference.
    #[schemars(regex(pattern = "^[0-9]{1,4}$"))]
    pub(crate) security_code: String,
}

/// `[sale.expect]`: what the client must observe once the sale is final; what is left out is not checked.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["state"]}, {"required": ["refused"]}]))]
pub(crate) struct RawExpect {
    /// The final state; left out only for a sale that `refused` ends before it has one.
    #[schemars(extend("enum" = ["APPROVED", "DECLINED"]))]
    pub(crate) state: Option<SaleState>,
    /// The refusal the sale must meet: at step 4 (the card reference, for one that names a sale or verification
    /// expected to map no card), 5 (initiate sale) or 7 (perform sale).
    pub(crate) refused: Option<RawRefusal>,
    /// What the Connecting Party server must answer the sale's `attack`.
    pub(crate) attack_answer: Option<RawAnswer>,
    /// The `randomSumAuthStatus`, or `ABSENT` (spec A21).
    pub(crate) random_sum: Option<RawSecure3d>,
    /// The `errorCode` of a declined sale (spec 5.5).
    pub(crate) error_code: Option<u32>,
    /// A text that `errorMessage` of a declined sale contains.
    pub(crate) error_message: Option<String>,
    /// The `secure3DAuthStatus`, or `ABSENT`.
    pub(crate) secure_3d: Option<RawSecure3d>,
    /// The final callback the Connecting Party server received.
    pub(crate) callback: Option<CallbackStatus>,
    /// Whether it received a card mapping notification.
    pub(crate) card_mapping: Option<bool>,
    /// Whether the 3-D Secure page was shown.
    pub(crate) redirect: Option<bool>,
    /// `[[sale.expect.violation]]` tables (or `violation = [{ … }]` in an inline `expect`).
    #[serde(default)]
    pub(crate) violation: Vec<RawViolation>,
}

/// One `[[sale.expect.violation]]`: a contract violation this sale must cause; every one seen must be listed.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawViolation {
    /// Who records it.
    pub(crate) observer: Observer,
    /// The message's step in spec 2.1's diagrams.
    #[schemars(with = "u8", range(min = 1, max = 24))]
    pub(crate) step: RawStep,
    /// The field, e.g. `session.checkSignature`; omitted: any path, even the whole message.
    #[schemars(length(min = 1))]
    pub(crate) path: Option<String>,
    /// `true`: the observer may record it and need not (e.g. the reference server's record of an attack it
    /// refused, which another server does not keep); default false.
    #[serde(default)]
    pub(crate) optional: bool,
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
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum RawSecure3d {
    /// The consumer passed 3-D Secure.
    Authenticated,
    /// The consumer failed or cancelled it.
    NotAuthenticated,
    /// The card has no 3-D Secure.
    Unsupported,
    /// The status carries no `secure3DAuthStatus`.
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
