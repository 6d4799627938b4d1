//! Bad input for the signature functions: `ControlKey::parse` on any text never panics and never repeats the
//! text in its error, and `signature::verify` on any received value, hex or not, never panics and accepts
//! exactly the right signature, in either letter case.
//!
//! Failures are not persisted to `proptest-regressions/`: a failing case is printed, shrunk, with its input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use dapi::signature::{KeyError, callback_control, sign, verify, verify_callback_control};
use dapi::{ControlKey, SANDBOX_CONTROL_KEY, SignatureError};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..ProptestConfig::default()
    }
}

/// Text that may or may not be a key: any Unicode, hex with dashes (mostly valid), hex with one stray char.
fn key_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9a-fA-F-]{0,80}",
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        ("[0-9a-fA-F]{0,40}", "[^0-9a-fA-F-]", "[0-9a-fA-F]{0,40}")
            .prop_map(|(a, b, c)| a + &b + &c),
    ]
}

/// A received signature: any text, hex of any length, or something near the right length.
fn received() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9a-fA-F]{0,100}",
        "[0-9a-fA-F]{39,41}",
        "[0-9a-fA-Z ]{40}",
        "[0-9a-fA-F]{38}[^0-9a-fA-F]{1,2}",
    ]
}

fn sandbox_key() -> ControlKey {
    ControlKey::parse(SANDBOX_CONTROL_KEY).expect("the sandbox key parses")
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn control_key_parse_never_panics_or_repeats_its_input(text in key_text()) {
        match ControlKey::parse(&text) {
            Ok(key) => {
                prop_assert!(!format!("{key:?}").contains(&text) || text.len() < 5, "Debug shows the key");
                let signature = sign(&key, "string to sign").to_string();
                prop_assert_eq!(verify(&key, "string to sign", &signature), Ok(()));
                prop_assert_eq!(verify(&key, "string to sign", &signature.to_lowercase()), Ok(()));
            }
            Err(error) => {
                let stripped: String = text.chars().filter(|&c| c != '-').collect();
                let expected = if stripped.is_empty() { KeyError::Empty } else { KeyError::NotHex };
                prop_assert_eq!(error, expected);
                // A short key ("e", "edac") may be inside any sentence; from five characters on, a match is an echo.
                if text.chars().count() >= 5 {
                    prop_assert!(!error.to_string().contains(&text), "{error} repeats {text:?}");
                    prop_assert!(!format!("{error:?}").contains(&text), "{error:?} repeats {text:?}");
                }
            }
        }
    }

    #[test]
    fn verify_never_panics_and_accepts_only_the_right_signature(
        string_to_sign in any::<String>(),
        received in received(),
    ) {
        let key = sandbox_key();
        let right = sign(&key, &string_to_sign).to_string();
        let verdict = verify(&key, &string_to_sign, &received);
        if received.eq_ignore_ascii_case(&right) {
            prop_assert_eq!(verdict, Ok(()));
        } else if hex::decode(&received).is_err() {
            prop_assert_eq!(verdict, Err(SignatureError::NotHex));
        } else {
            prop_assert_eq!(verdict, Err(SignatureError::Mismatch));
        }
        prop_assert_eq!(verify(&key, &string_to_sign, &right.to_lowercase()), Ok(()));
    }

    #[test]
    fn callback_control_verification_never_panics(
        fields in (any::<String>(), any::<String>(), any::<String>()),
        received in received(),
    ) {
        let key = sandbox_key();
        let (status, orderid, client_orderid) = &fields;
        let right = callback_control(&key, status, orderid, client_orderid);
        let verdict = verify_callback_control(&key, status, orderid, client_orderid, &received);
        prop_assert_eq!(verdict.is_ok(), received.eq_ignore_ascii_case(&right));
        let upper = right.to_uppercase();
        prop_assert_eq!(verify_callback_control(&key, status, orderid, client_orderid, &upper), Ok(()));
    }
}
