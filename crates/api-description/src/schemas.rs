//! [`Schemas`]: the JSON Schemas of the Rust types a document uses, named under `#/components/schemas`, in the
//! form code generators read best: no `null` where the wire simply leaves a field out, enums as `enum` with
//! their values' descriptions, integers without Rust's `uint32`-style formats but with their real bounds.

use crate::model::Components;
use schemars::generate::SchemaSettings;
use schemars::transform::transform_subschemas;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Value, json};

/// Where named schemas live in a document.
const DEFINITIONS_PATH: &str = "/components/schemas";

/// The schemas one document uses.
#[derive(Debug)]
pub struct Schemas {
    generator: SchemaGenerator,
}

impl Default for Schemas {
    fn default() -> Self {
        let settings = SchemaSettings::draft2020_12().with(|settings| {
            settings.definitions_path = DEFINITIONS_PATH.into();
            settings.meta_schema = None;
        });
        Self {
            generator: settings.into_generator(),
        }
    }
}

impl Schemas {
    /// The schema of `T`: a `$ref` to its named schema, or the schema itself for plain types.
    pub fn of<T: JsonSchema>(&mut self) -> Schema {
        let mut schema = self.generator.subschema_for::<T>();
        tidy(&mut schema);
        schema
    }

    /// The properties of the object `T`, each with its schema and whether it is required: the query parameters
    /// of a `GET` whose parameters are one struct (the callback, the access token query).
    pub fn properties_of<T: JsonSchema>(&mut self) -> Vec<Property> {
        let mut schema = T::json_schema(&mut self.generator);
        tidy(&mut schema);
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return Vec::new();
        };
        properties
            .iter()
            .filter_map(|(name, value)| {
                let mut schema = Schema::try_from(value.clone()).ok()?;
                let description = schema
                    .remove("description")
                    .and_then(|text| text.as_str().map(str::to_owned));
                Some(Property {
                    name: name.clone(),
                    required: required.contains(&name.as_str()),
                    description,
                    schema,
                })
            })
            .collect()
    }

    /// Every named schema used so far, tidied.
    pub fn into_components(mut self) -> Components {
        let mut schemas = self.generator.take_definitions(false);
        for value in schemas.values_mut() {
            if let Ok(schema) = <&mut Schema>::try_from(value) {
                tidy(schema);
            }
        }
        Components { schemas }
    }
}

/// One property of an object schema.
#[derive(Clone, Debug)]
pub struct Property {
    /// Its name on the wire.
    pub name: String,
    /// Whether the object must have it.
    pub required: bool,
    /// Its description, taken out of the schema.
    pub description: Option<String>,
    /// Its schema.
    pub schema: Schema,
}

/// Applies the document-wide rewrites to `schema` and every schema inside it.
pub fn tidy(schema: &mut Schema) {
    transform_subschemas(&mut tidy, schema);
    without_null(schema);
    enum_of_constants(schema);
    plain_integer(schema);
}

/// An optional field is left out on the wire, never sent as `null`: `["string", "null"]` becomes `"string"`, and
/// `anyOf: [X, {"type": "null"}]` becomes `X`.
fn without_null(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|kind| kind != "null");
        if let [single] = types.as_slice() {
            let single = single.clone();
            object.insert("type".to_owned(), single);
        }
    }
    let Some(Value::Array(branches)) = object.get_mut("anyOf") else {
        return;
    };
    branches.retain(|branch| branch != &json!({"type": "null"}));
    if let [single] = branches.as_slice() {
        let Some(single) = single.as_object().cloned() else {
            return;
        };
        object.remove("anyOf");
        for (key, value) in single {
            object.entry(key).or_insert(value);
        }
    }
}

/// schemars writes a unit enum whose values have doc comments as `oneOf` of `const`s; code generators want
/// `enum`. The values' descriptions are kept in `x-enum-descriptions` (read by openapi-generator) and in the
/// description.
fn enum_of_constants(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    let Some(Value::Array(branches)) = object.get("oneOf") else {
        return;
    };
    let mut values = Vec::new();
    let mut descriptions = Vec::new();
    for branch in branches {
        let Some(value) = branch.get("const").and_then(Value::as_str) else {
            return;
        };
        values.push(Value::from(value));
        let text = branch.get("description").and_then(Value::as_str);
        descriptions.push(Value::from(text.unwrap_or_default()));
    }
    let listed: Vec<String> = values
        .iter()
        .zip(&descriptions)
        .filter_map(|(value, text)| Some(format!("- `{}`: {}", value.as_str()?, text.as_str()?)))
        .collect();
    let description = match object.get("description").and_then(Value::as_str) {
        Some(text) => format!("{text}\n\n{}", listed.join("\n")),
        None => listed.join("\n"),
    };
    object.remove("oneOf");
    object.insert("type".to_owned(), "string".into());
    object.insert("enum".to_owned(), Value::Array(values));
    object.insert("x-enum-descriptions".to_owned(), Value::Array(descriptions));
    object.insert("description".to_owned(), description.into());
}

/// `format: uint32` and its siblings are Rust's names, not OpenAPI's: they become the bounds the decoder
/// enforces (`0` to the type's largest value).
fn plain_integer(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    let largest: u64 = match object.get("format").and_then(Value::as_str) {
        Some("uint8") => u8::MAX.into(),
        Some("uint16") => u16::MAX.into(),
        Some("uint32") => u32::MAX.into(),
        Some("uint64" | "uint") => u64::MAX,
        _ => return,
    };
    object.remove("format");
    object.entry("minimum").or_insert(0.into());
    object.entry("maximum").or_insert(largest.into());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tidied(value: Value) -> Value {
        let mut schema = Schema::try_from(value).unwrap();
        tidy(&mut schema);
        schema.to_value()
    }

    #[test]
    fn optional_fields_lose_null() {
        assert_eq!(
            tidied(json!({"type": ["string", "null"], "minLength": 1})),
            json!({"type": "string", "minLength": 1})
        );
        assert_eq!(
            tidied(json!({"anyOf": [{"$ref": "#/x"}, {"type": "null"}], "description": "d"})),
            json!({"$ref": "#/x", "description": "d"})
        );
    }

    #[test]
    fn documented_enums_become_enum_with_descriptions() {
        let schema = tidied(json!({"description": "State.", "oneOf": [
            {"type": "string", "const": "A", "description": "first"},
            {"type": "string", "const": "B", "description": "second"}
        ]}));
        assert_eq!(schema["enum"], json!(["A", "B"]));
        assert_eq!(schema["x-enum-descriptions"], json!(["first", "second"]));
        assert_eq!(
            schema["description"],
            "State.\n\n- `A`: first\n- `B`: second"
        );
        let mixed = json!({"oneOf": [{"const": "A"}, {"type": "object"}]});
        assert_eq!(tidied(mixed.clone()), mixed);
    }

    #[test]
    fn unsigned_formats_become_bounds() {
        assert_eq!(
            tidied(json!({"type": "integer", "format": "uint32", "minimum": 0})),
            json!({"type": "integer", "minimum": 0, "maximum": 4_294_967_295_u64})
        );
        assert_eq!(
            tidied(
                json!({"properties": {"n": {"type": "integer", "format": "uint16", "minimum": 1}}})
            ),
            json!({"properties": {"n": {"type": "integer", "minimum": 1, "maximum": 65535}}})
        );
    }

    #[test]
    fn properties_of_a_query_struct_carry_necessity_and_description() {
        let mut schemas = Schemas::default();
        let properties = schemas.properties_of::<dapi::messages::initiate::AccessTokenQuery>();
        let mut names: Vec<(&str, bool)> = properties
            .iter()
            .map(|property| (property.name.as_str(), property.required))
            .collect();
        names.sort_unstable();
        assert_eq!(names, [("email", false), ("serialNumber", true)]);
        let serial = properties
            .iter()
            .find(|property| property.name == "serialNumber")
            .unwrap();
        assert_eq!(serial.schema.get("maxLength"), Some(&json!(50)));
        assert!(serial.description.is_some());
        assert!(schemas.into_components().schemas.is_empty());
    }
}
