//! The file as written: serde structs mirroring the TOML keys, before the semantic checks.
//!
//! Every table denies unknown fields, so a typo (`amuont_centis`) is an error with its line.
//! Tables whose checks report a line are wrapped in [`Spanned`].

use dapi::{AuthStatus, CallbackStatus, SaleState};
use sandbox_api::Attack;
use sandbox_api::CallbackAnswerMisbehaviour;
use sandbox_api::CallbackMisbehaviour;
use sandbox_api::CheckMisbehaviour;
use sandbox_api::NotificationMisbehaviour;
use sandbox_api::Observer;
use serde::Deserialize;
use toml::Spanned;

use crate::model::{Mistake, Secure3dExpectation, StatusMatch, ThreeDs};

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
    /// `[[sale]]` tables; an empty list is reported by the checks, with a clearer message than
    /// serde's "missing field".
    #[serde(default)]
    pub(crate) sale: Vec<Spanned<RawSale>>,
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
    pub(crate) three_ds: Option<RawThreeDs>,
    pub(crate) email: Option<String>,
    pub(crate) new_access_token: Option<bool>,
    pub(crate) mistake: Option<Mistake>,
    pub(crate) attack: Option<Attack>,
    pub(crate) random_sum_centis: Option<u64>,
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

/// `card_reference = { from_sale, security_code }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCardReference {
    pub(crate) from_sale: usize,
    pub(crate) security_code: String,
}

/// `[sale.expect]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExpect {
    pub(crate) state: Option<SaleState>,
    pub(crate) refused: Option<RawRefusal>,
    pub(crate) attack_answer: Option<RawAnswer>,
    pub(crate) random_sum: Option<RawSecure3d>,
    pub(crate) error_code: Option<u32>,
    pub(crate) error_message: Option<String>,
    pub(crate) secure_3d: Option<RawSecure3d>,
    pub(crate) callback: Option<CallbackStatus>,
    pub(crate) card_mapping: Option<bool>,
    pub(crate) redirect: Option<bool>,
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
    #[serde(default)]
    pub(crate) optional: bool,
}

/// `expect.refused = { step, status, cause, code, message }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRefusal {
    pub(crate) step: u8,
    pub(crate) status: RawStatus,
    pub(crate) cause: Option<String>,
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
}

impl RawRefusal {
    /// The answer part, without the step.
    pub(crate) fn answer(self) -> (u8, RawAnswer) {
        let answer = RawAnswer {
            status: self.status,
            cause: self.cause,
            code: self.code,
            message: self.message,
        };
        (self.step, answer)
    }
}

/// `expect.attack_answer = { status, cause, code, message }` (and the answer part of `expect.refused`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAnswer {
    pub(crate) status: RawStatus,
    pub(crate) cause: Option<String>,
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
}

/// `status = 403` or `status = "4xx"`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum RawStatus {
    Code(u16),
    Class(String),
}

impl RawStatus {
    /// The status it names.
    ///
    /// # Errors
    /// A code outside 100–599, or text that is not `1xx`–`5xx`.
    pub(crate) fn parse(&self, key: &str) -> Result<StatusMatch, String> {
        let wrong = || format!("{key} must be an HTTP status (100-599) or a class \"1xx\"-\"5xx\"");
        match self {
            Self::Code(code) if (100..=599).contains(code) => Ok(StatusMatch::Exact(*code)),
            Self::Class(class) => match class.as_bytes() {
                [digit @ b'1'..=b'5', b'x', b'x'] => {
                    Ok(StatusMatch::Class(u16::from(*digit - b'0')))
                }
                _ => Err(wrong()),
            },
            Self::Code(_) => Err(wrong()),
        }
    }
}

/// `three_ds`: `"cancel"`, `"ignore"`, or `{ password, random_sum_centis }`; read by hand so that a wrong value
/// says what is allowed.
#[derive(Debug)]
pub(crate) struct RawThreeDs(pub(crate) ThreeDs);

/// `three_ds = { password = "hint", random_sum_centis = 37 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreeDsForm {
    password: String,
    random_sum_centis: Option<u64>,
}

impl<'de> Deserialize<'de> for RawThreeDs {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawThreeDs;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("\"cancel\", \"ignore\" or { password = \"…\" }")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<RawThreeDs, E> {
                match value {
                    "cancel" => Ok(RawThreeDs(ThreeDs::Cancel)),
                    "ignore" => Ok(RawThreeDs(ThreeDs::Ignore)),
                    other => Err(E::custom(format!(
                        "three_ds = {other:?}: expected \"cancel\", \"ignore\" or {{ password = \"…\" }}"
                    ))),
                }
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawThreeDs, A::Error> {
                let form =
                    RawThreeDsForm::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(RawThreeDs(ThreeDs::Password {
                    password: form.password,
                    random_sum_centis: form.random_sum_centis,
                }))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
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
