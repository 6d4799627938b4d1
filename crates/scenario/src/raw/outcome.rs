//! The file as written, for the outcomes besides a final state: `expect.refused` and `expect.attack_answer`
//! (read into `model::outcome` by `check::outcome`).
//!
//! Their schema names the documented causes and the status forms; which cause fits which step, and whether a
//! status must be a refusal, are `check`'s rules.

use std::borrow::Cow;

use dapi::{PartyCause, PerformSaleCause};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

use crate::model::StatusMatch;

/// `expect.refused = { step, status, cause, code, message }`: the answer of `step` must be this refusal.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRefusal {
    /// The step whose answer refuses the sale: 4 (the card reference, the Connecting Party server), 5 (initiate
    /// sale, the Connecting Party server) or 7 (perform sale, the gateway).
    #[schemars(extend("enum" = [4, 5, 7]))]
    pub(crate) step: u8,
    /// The HTTP status, e.g. `400`, or a class such as `"4xx"`; never a 2xx.
    pub(crate) status: RawStatus,
    /// The documented error body's `error.cause`: a Connecting Party cause at steps 4 and 5, a perform sale
    /// cause at step 7 (spec 5.1).
    #[serde(default)]
    #[schemars(schema_with = "refusal_cause")]
    pub(crate) cause: Option<String>,
    /// The exact `error.code`, e.g. `DAPI-400-INVALID`.
    #[schemars(regex(pattern = r"\S"))]
    pub(crate) code: Option<String>,
    /// A text that `error.message` contains.
    #[schemars(regex(pattern = r"\S"))]
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

/// `expect.attack_answer = { status, cause, code, message }`: what the Connecting Party server must answer the
/// sale's attack (and the answer part of `expect.refused`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAnswer {
    /// The HTTP status, e.g. `403`, or a class such as `"4xx"`; a 2xx only for `attack = "callback-twice"`.
    pub(crate) status: RawStatus,
    /// The documented error body's `error.cause`, one a Connecting Party server answers with (spec 5.1).
    #[schemars(with = "Option<PartyCause>")]
    pub(crate) cause: Option<String>,
    /// The exact `error.code`.
    #[schemars(regex(pattern = r"\S"))]
    pub(crate) code: Option<String>,
    /// A text that `error.message` contains.
    #[schemars(regex(pattern = r"\S"))]
    pub(crate) message: Option<String>,
}

/// Either message's causes: which one fits is decided by the step, in `check`.
fn refusal_cause(generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "anyOf": [
            generator.subschema_for::<PartyCause>(),
            generator.subschema_for::<PerformSaleCause>(),
        ]
    })
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

/// What [`RawStatus::parse`] takes: a status 100–599, or a class `1xx`–`5xx`.
impl JsonSchema for RawStatus {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("RawStatus")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An HTTP status (`403`) or a class of them (`\"4xx\"`).",
            "anyOf": [
                {"type": "integer", "minimum": 100, "maximum": 599},
                {"type": "string", "pattern": "^[1-5]xx$"},
            ]
        })
    }
}
