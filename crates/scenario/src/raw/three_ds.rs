//! `three_ds` as written: `"cancel"`, `"ignore"`, or `{ password, random_sum_centis }`, read by hand so that a
//! wrong value says what is allowed, with a hand-written schema that takes the same three forms.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

use crate::model::ThreeDs;

/// `three_ds`: what the consumer does on the 3-D Secure page (spec 3.6).
#[derive(Debug)]
pub(crate) struct RawThreeDs(pub(crate) ThreeDs);

/// `three_ds = { password = "hint", random_sum_centis = 37 }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawThreeDsForm {
    /// The password typed and submitted; the sandbox accepts `hint`.
    password: String,
    /// The amount typed into the random-sum field, in minor units (spec A21); omitted: the field is left
    /// empty.
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

/// The three forms the reader above takes, each with what it does.
impl JsonSchema for RawThreeDs {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ThreeDs")
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut form = generator.subschema_for::<RawThreeDsForm>();
        form.insert(
            "description".to_owned(),
            "Types the password (and the random sum, if given) and submits.".into(),
        );
        json_schema!({
            "description": "What the consumer does on the 3-D Secure page (spec 3.6): \
                `{ password = \"hint\" }` (with `random_sum_centis = 37` to answer a random-sum check, spec A21), \
                `\"cancel\"` or `\"ignore\"`.",
            "oneOf": [
                form,
                {"description": "Presses \"Cancel\".", "type": "string", "const": "cancel"},
                {
                    "description": "Leaves the page open and does nothing: the gateway's 3-D Secure timeout \
                        ends the sale.",
                    "type": "string",
                    "const": "ignore"
                },
            ]
        })
    }
}
