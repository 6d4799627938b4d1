//! The schemas' string lengths agree with the `dapi` decoder's (`Validate`) at their bounds: for every string
//! of every example, the example with that string one shorter than the minimum, at the minimum, at the
//! maximum and one longer is accepted by both or refused by both. A string with no length in the schema is
//! tried empty and long: the decoder must take both, or the schema lacks a length the decoder enforces.

use super::{component_name, decoder, published, shown, validator};
use serde_json::Value;

/// Strings whose decoder rules go beyond what JSON Schema can say: at a valid length the decoder may still
/// refuse them (the card number's Luhn check, in a sale's and a verification's card), never the other way round.
const BEYOND_SCHEMA: &[&str] = &["/sourceOfFunds/card/number", "/sourceCard/number"];

/// The length a string without bounds is tried at besides 0.
const LONG: usize = 300;

#[test]
fn schema_lengths_agree_with_the_decoder_at_their_bounds() {
    let mut disagreements = Vec::new();
    let mut probes = 0;
    for published in published() {
        let document = &published.document;
        for shown in shown(document) {
            let Some(decodes) = component_name(&shown.schema)
                .filter(|_| shown.body)
                .and_then(decoder)
            else {
                continue;
            };
            let validator = validator(document, &shown.schema);
            let mut leaves = Vec::new();
            string_leaves(
                document,
                &shown.schema,
                &shown.example,
                String::new(),
                &mut leaves,
            );
            for leaf in leaves {
                for length in leaf.probe_lengths() {
                    let mut probe = shown.example.clone();
                    let resized = resized(&leaf.value, length);
                    if let Some(slot) = probe.pointer_mut(&leaf.pointer) {
                        *slot = Value::String(resized);
                    }
                    let by_schema = validator.is_valid(&probe);
                    let by_decoder = decodes(&serde_json::to_vec(&probe).unwrap());
                    let beyond =
                        BEYOND_SCHEMA.contains(&leaf.pointer.as_str()) && by_schema && !by_decoder;
                    if by_schema != by_decoder && !beyond {
                        disagreements.push(format!(
                            "{} {} at length {length}: schema {}, decoder {}",
                            shown.at,
                            leaf.pointer,
                            verdict(by_schema),
                            verdict(by_decoder)
                        ));
                    }
                    probes += 1;
                }
            }
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    assert!(probes > 300, "only {probes} probes");
}

fn verdict(accepts: bool) -> &'static str {
    if accepts { "accepts" } else { "refuses" }
}

/// A string in an example, with the length its schema allows.
struct Leaf {
    pointer: String,
    value: String,
    bounds: Option<(usize, usize)>,
}

impl Leaf {
    fn probe_lengths(&self) -> Vec<usize> {
        match self.bounds {
            Some((min, max)) => {
                let below = min.checked_sub(1);
                below.into_iter().chain([min, max, max + 1]).collect()
            }
            None => vec![0, LONG],
        }
    }
}

/// `schema` with its `$ref` followed into the document's components.
fn resolved<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match super::component_name(schema) {
        Some(name) => resolved(document, &document["components"]["schemas"][name]),
        None => schema,
    }
}

/// The schema of `key` in an object schema: its own `properties`, or those of its `allOf`/`anyOf`/`oneOf`.
fn property<'a>(document: &'a Value, schema: &'a Value, key: &str) -> Option<&'a Value> {
    let schema = resolved(document, schema);
    if let Some(found) = schema["properties"].get(key) {
        return Some(found);
    }
    ["allOf", "anyOf", "oneOf"]
        .iter()
        .flat_map(|keyword| schema[*keyword].as_array().into_iter().flatten())
        .find_map(|branch| property(document, branch, key))
}

/// Every string of `example` that is free text: not an enum value, not a constant.
fn string_leaves(
    document: &Value,
    schema: &Value,
    example: &Value,
    pointer: String,
    found: &mut Vec<Leaf>,
) {
    let schema = resolved(document, schema);
    match example {
        Value::Object(members) => {
            for (key, value) in members {
                if let Some(inner) = property(document, schema, key) {
                    string_leaves(document, inner, value, format!("{pointer}/{key}"), found);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                string_leaves(
                    document,
                    &schema["items"],
                    item,
                    format!("{pointer}/{index}"),
                    found,
                );
            }
        }
        Value::String(text) => {
            let string = string_branch(document, schema);
            if string.get("enum").is_none() && string.get("const").is_none() {
                let bound = |key: &str| string[key].as_u64().and_then(|n| usize::try_from(n).ok());
                let bounds = match (bound("minLength"), bound("maxLength")) {
                    (None, None) => None,
                    (min, max) => Some((min.unwrap_or(0), max.unwrap_or(LONG))),
                };
                found.push(Leaf {
                    pointer,
                    value: text.clone(),
                    bounds,
                });
            }
        }
        _ => {}
    }
}

/// The branch of an `anyOf` that takes strings (`serverCardId` is a string or a number), or the schema itself.
fn string_branch<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    schema["anyOf"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|branch| resolved(document, branch))
        .find(|branch| branch["type"] == "string")
        .unwrap_or(schema)
}

/// `text` cut or extended (repeating its last character, so digits stay digits) to `length` characters.
fn resized(text: &str, length: usize) -> String {
    let count = text.chars().count();
    if length <= count {
        return text.chars().take(length).collect();
    }
    let last = text.chars().last().unwrap_or('a');
    text.chars()
        .chain(std::iter::repeat_n(last, length - count))
        .collect()
}
