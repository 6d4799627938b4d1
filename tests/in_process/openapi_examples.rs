//! Every example of both documents validates against its schema and decodes with the `dapi` types, and every
//! sample of the spec's messages (`dapi::samples`) is one of them.

use super::{component_name, decoder, published, shown, validator};
use dapi::messages::callback::Callback;
use dapi::{Validate, Violations, samples};
use serde_json::Value;

#[test]
fn every_example_validates_against_its_schema_and_decodes() {
    let mut checked = 0;
    for published in published() {
        let document = &published.document;
        for shown in shown(document) {
            let validator = validator(document, &shown.schema);
            let errors: Vec<String> = validator
                .iter_errors(&shown.example)
                .map(|error| format!("{} at {}", error, error.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", shown.at);
            if let Some(name) = component_name(&shown.schema).filter(|_| shown.body) {
                let decodes =
                    decoder(name).unwrap_or_else(|| panic!("{}: no decoder for {name}", shown.at));
                let body = serde_json::to_vec(&shown.example).unwrap();
                assert!(decodes(&body), "{}: the dapi decoder refuses it", shown.at);
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} examples");
}

#[test]
fn every_sample_of_the_spec_is_an_example() {
    let examples: Vec<Value> = published()
        .iter()
        .flat_map(|published| shown(&published.document))
        .map(|shown| shown.example)
        .collect();
    for sample in samples::all() {
        assert!(
            examples.contains(&sample.value),
            "sample {} ({}) is in no document",
            sample.name,
            sample.summary
        );
    }
}

/// The callback is a query, not JSON: its parameters' examples, read as the Connecting Party server reads a
/// query, are the spec's sample callback, which verifies.
#[test]
fn the_callback_parameters_show_the_spec_sample() {
    let [gateway, party] = published();
    for operation in [
        &gateway.document["webhooks"]["callback"]["get"],
        &party.document["paths"]["/callback"]["get"],
    ] {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for parameter in operation["parameters"].as_array().unwrap() {
            let Some(example) = parameter.get("example") else {
                continue;
            };
            let text = match example {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            query.append_pair(parameter["name"].as_str().unwrap(), &text);
        }
        let query = query.finish();
        let shown: Callback = server_kit::parse_query(Some(&query)).unwrap();
        let sample: Callback = server_kit::parse_query(Some(samples::CALLBACK_QUERY)).unwrap();
        assert_eq!(shown, sample);
        let mut violations = Violations::default();
        shown.validate(&mut violations);
        assert!(violations.is_empty(), "{violations}");
        let key = dapi::ControlKey::parse(dapi::SANDBOX_CONTROL_KEY).unwrap();
        assert_eq!(shown.verify(&key), Ok(()));
    }
}
