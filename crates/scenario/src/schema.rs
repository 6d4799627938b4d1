//! The JSON Schema of scenario files, generated from the structs they are read into (`raw`), so it cannot
//! drift from them. `mobile-client schema` prints it; `scenarios/scenario.schema.json` is the committed copy,
//! which TOML editors (taplo, Even Better TOML) use for completion and checks when a file starts with
//! `#:schema ./scenario.schema.json`.

use crate::raw::RawScenario;
use schemars::Schema;
use schemars::generate::SchemaSettings;

/// The schema (JSON Schema 2020-12).
pub fn json_schema() -> Schema {
    SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<RawScenario>()
}

/// The schema as pretty JSON with a final newline: the form of `scenarios/scenario.schema.json`.
///
/// # Errors
/// Never in practice: a schema is plain JSON.
pub fn json_schema_text() -> serde_json::Result<String> {
    serde_json::to_string_pretty(&json_schema()).map(|json| json + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::fs;
    use std::path::{Path, PathBuf};

    /// Set to rewrite the committed schema instead of comparing it.
    const UPDATE: &str = "UPDATE_SCHEMAS";

    fn scenarios_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
    }

    /// Every `*.toml` under `dir`, subfolders included, with its depth below `dir`.
    fn shipped(dir: &Path, depth: usize, found: &mut Vec<(PathBuf, usize)>) {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .expect("a readable scenarios directory")
            .map(|entry| entry.expect("a readable entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                shipped(&path, depth + 1, found);
            } else if path.extension().is_some_and(|ext| ext == "toml") {
                found.push((path, depth));
            }
        }
    }

    fn validator() -> jsonschema::Validator {
        jsonschema::validator_for(&json_schema().to_value()).expect("a valid JSON Schema")
    }

    fn as_json(text: &str) -> Value {
        let toml: toml::Value = toml::from_str(text).expect("TOML");
        serde_json::to_value(toml).expect("TOML as JSON")
    }

    #[test]
    fn the_committed_schema_is_what_the_code_generates() {
        let file = scenarios_dir().join("scenario.schema.json");
        let generated = json_schema_text().expect("a schema as JSON");
        if std::env::var_os(UPDATE).is_some() {
            fs::write(&file, &generated).expect("a writable scenarios directory");
            return;
        }
        let committed = fs::read_to_string(&file).unwrap_or_default();
        assert!(
            committed == generated,
            "{} differs from what the code generates; regenerate it with `{UPDATE}=1 cargo test -p scenario \
             schema` (or `mobile-client schema > scenarios/scenario.schema.json`) and commit it",
            file.display()
        );
    }

    #[test]
    fn every_shipped_scenario_names_the_schema_and_validates() {
        let mut files = Vec::new();
        shipped(&scenarios_dir(), 0, &mut files);
        assert!(files.len() >= 27, "{} scenario files", files.len());
        let validator = validator();
        for (file, depth) in files {
            let text = fs::read_to_string(&file).expect("a readable scenario");
            let relative = if depth == 0 {
                "./".to_owned()
            } else {
                "../".repeat(depth)
            };
            let expected = format!("#:schema {relative}scenario.schema.json");
            assert_eq!(
                text.lines().next(),
                Some(expected.as_str()),
                "{}",
                file.display()
            );
            let errors: Vec<String> = validator
                .iter_errors(&as_json(&text))
                .map(|error| format!("{} at {}", error, error.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
        }
    }

    const MINIMAL: &str = "[consumer]\nserial_number = \"SN-1\"\n\n[[sale]]\namount_centis = 1\ncurrency = \"EUR\"\n\
        card = { number = \"4111111111111111\", security_code = \"123\", expiry_month = 1, expiry_year = 2030 }\n\
        expect = { state = \"APPROVED\" }\n";

    #[test]
    fn the_schema_refuses_what_the_parser_refuses() {
        let validator = validator();
        assert!(validator.is_valid(&as_json(MINIMAL)));
        assert!(crate::parse(MINIMAL, Path::new("x.toml")).is_ok());
        for (from, to) in [
            ("amount_centis", "amuont_centis"),
            ("\"APPROVED\"", "\"APROVED\""),
            ("\"APPROVED\"", "\"PROCESSING\""),
            ("amount_centis = 1", "amount_centis = 0"),
            ("\"EUR\"", "\"eur\""),
            ("expiry_month = 1", "expiry_month = 13"),
            ("serial_number = \"SN-1\"", "serial_number = \"\""),
            ("[[sale]]", "[[sales]]"),
        ] {
            let text = MINIMAL.replace(from, to);
            assert!(
                !validator.is_valid(&as_json(&text)),
                "the schema takes {to}"
            );
            assert!(
                crate::parse(&text, Path::new("x.toml")).is_err(),
                "the parser takes {to}"
            );
        }
    }

    const VERIFIED: &str = "[consumer]\nserial_number = \"SN-1\"\nemail = \"a@example.com\"\n\n[[verification]]\n\
        currency = \"EUR\"\n\
        card = { number = \"4111111111111111\", security_code = \"123\", expiry_month = 1, expiry_year = 2030 }\n\
        expect = { state = \"APPROVED\" }\n\n[[sale]]\namount_centis = 1\ncurrency = \"EUR\"\n\
        card_reference = { from_verification = 1, security_code = \"123\" }\nexpect = { state = \"APPROVED\" }\n";

    #[test]
    fn the_schema_refuses_what_the_parser_refuses_in_verifications() {
        let validator = validator();
        assert!(validator.is_valid(&as_json(VERIFIED)));
        assert!(crate::parse(VERIFIED, Path::new("x.toml")).is_ok());
        let only_verification = VERIFIED
            .split("[[sale]]")
            .next()
            .unwrap_or_default()
            .to_owned();
        assert!(validator.is_valid(&as_json(&only_verification)));
        assert!(crate::parse(&only_verification, Path::new("x.toml")).is_ok());
        let neither = only_verification
            .split("[[verification]]")
            .next()
            .unwrap_or_default()
            .to_owned();
        let both_references = VERIFIED.replace(
            "from_verification = 1,",
            "from_verification = 1, from_sale = 1,",
        );
        let no_reference = VERIFIED.replace("from_verification = 1,", "");
        let verification_amount = VERIFIED.replace(
            "currency = \"EUR\"\ncard =",
            "amount_centis = 1\ncurrency = \"EUR\"\ncard =",
        );
        for text in [neither, both_references, no_reference, verification_amount] {
            assert!(
                !validator.is_valid(&as_json(&text)),
                "the schema takes {text}"
            );
            assert!(
                crate::parse(&text, Path::new("x.toml")).is_err(),
                "the parser takes {text}"
            );
        }
    }

    /// `MINIMAL` with its `expect` line replaced by `sale`: the keys of one sale and its expectation.
    fn with_sale(sale: &str) -> String {
        MINIMAL.replace("expect = { state = \"APPROVED\" }\n", sale)
    }

    #[test]
    fn refusals_attacks_and_the_three_ds_forms_are_taken_by_both_or_neither() {
        let validator = validator();
        let taken = [
            "three_ds = \"ignore\"\nexpect = { state = \"DECLINED\" }\n",
            "random_sum_centis = 37\nthree_ds = { password = \"hint\", random_sum_centis = 37 }\n\
             expect = { state = \"APPROVED\", random_sum = \"AUTHENTICATED\" }\n",
            "mistake = \"tamper-amount\"\nexpect = { refused = { step = 7, status = 400, cause = \"INVALID_REQUEST\" } }\n",
            "expect = { refused = { step = 5, status = \"4xx\", cause = \"FILTERED\", code = \"X\" } }\n",
            "attack = \"callback-twice\"\nexpect = { state = \"APPROVED\", attack_answer = { status = 200 } }\n",
        ];
        for sale in taken {
            let text = with_sale(sale);
            assert!(
                validator.is_valid(&as_json(&text)),
                "the schema refuses {sale}"
            );
            if let Err(error) = crate::parse(&text, Path::new("x.toml")) {
                panic!("the parser refuses {sale}: {error}");
            }
        }
        let refused = [
            "three_ds = \"skip\"\nexpect = { state = \"DECLINED\" }\n",
            "three_ds = { password = \"hint\", sum = 1 }\nexpect = { state = \"DECLINED\" }\n",
            "mistake = \"tamper-amount\"\nexpect = { refused = { step = 6, status = 400 } }\n",
            "mistake = \"tamper-amounts\"\nexpect = { refused = { step = 7, status = 400 } }\n",
            "expect = { refused = { step = 7, status = \"6xx\" } }\n",
            "expect = { refused = { step = 7, status = 600 } }\n",
            "expect = { refused = { step = 7, status = 400, cause = \"NOT_A_CAUSE\" } }\n",
            "expect = { refused = { step = 7, status = 400, message = \" \" } }\n",
            "expect = { error_code = 116 }\n",
            "attack = \"check-wrong-nonces\"\nexpect = { state = \"APPROVED\", attack_answer = { status = 403 } }\n",
            "random_sum_centis = 0\nexpect = { state = \"APPROVED\" }\n",
        ];
        for sale in refused {
            let text = with_sale(sale);
            assert!(
                !validator.is_valid(&as_json(&text)),
                "the schema takes {sale}"
            );
            assert!(
                crate::parse(&text, Path::new("x.toml")).is_err(),
                "the parser takes {sale}"
            );
        }
    }

    #[test]
    fn misbehaviour_names_and_steps_are_enumerated() {
        let schema = json_schema().to_value();
        let text = schema.to_string();
        for name in [
            "wrong-check-signature",
            "http-500",
            "wrong-control",
            "NOT_AUTHENTICATED",
            "check-wrong-nonce",
            "tamper-amount",
        ] {
            assert!(text.contains(name), "{name} is not in the schema");
        }
        let step = &schema["$defs"]["RawViolation"]["properties"]["step"];
        assert_eq!(
            (step["minimum"].as_u64(), step["maximum"].as_u64()),
            (Some(1), Some(24))
        );
    }
}
