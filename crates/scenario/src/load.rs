//! Reading scenario files and directories; the only I/O of the crate.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::ScenarioError;
use crate::model::Scenario;

/// What [`load_paths`] found: the scenarios that parsed, and an error for each file that did not.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Parsed scenarios, in the order of the paths given (a directory's files sorted by name).
    pub scenarios: Vec<Scenario>,
    /// One error per file (or directory) that could not be read or parsed.
    pub errors: Vec<ScenarioError>,
}

/// Reads and parses one scenario file.
///
/// # Errors
/// The file cannot be read, or [`crate::parse`] refuses its text.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = fs::read_to_string(path)
        .map_err(|error| ScenarioError::at(path, None, format!("cannot read: {error}")))?;
    crate::parse(&text, path)
}

/// Loads every scenario named by `paths`: a file is read as is, a directory yields every `*.toml` in it and,
/// recursively, in its subdirectories (`scenarios/` then holds `scenarios/attacks/` too): each directory's
/// files sorted by name first, then its subdirectories sorted by name.
///
/// One bad file does not stop the others: its error joins [`Loaded::errors`].
pub fn load_paths(paths: &[PathBuf]) -> Loaded {
    let mut loaded = Loaded::default();
    for path in paths {
        let files = if path.is_dir() {
            match toml_files_in(path) {
                Ok(files) => files,
                Err(error) => {
                    loaded.errors.push(error);
                    continue;
                }
            }
        } else {
            vec![path.clone()]
        };
        for file in files {
            match load_file(&file) {
                Ok(scenario) => loaded.scenarios.push(scenario),
                Err(error) => loaded.errors.push(error),
            }
        }
    }
    loaded
}

/// The `*.toml` files in `dir` and its subdirectories: the directory's own files sorted by name, then each
/// subdirectory's, in name order. Symbolic links to directories are not followed, so a loop cannot recur.
fn toml_files_in(dir: &Path) -> Result<Vec<PathBuf>, ScenarioError> {
    let cannot_list =
        |error: std::io::Error| ScenarioError::at(dir, None, format!("cannot list: {error}"));
    let mut files = Vec::new();
    let mut subdirectories = Vec::new();
    for entry in fs::read_dir(dir).map_err(cannot_list)? {
        let entry = entry.map_err(cannot_list)?;
        let path = entry.path();
        let is_real_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
        if is_real_dir {
            subdirectories.push(path);
        } else if path.is_file() && path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    subdirectories.sort();
    for subdirectory in subdirectories {
        files.extend(toml_files_in(&subdirectory)?);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::BTreeSet;

    const GOOD: &str = "[consumer]\nserial_number = \"SN-1\"\n\n[[sale]]\namount_centis = 100\ncurrency = \"EUR\"\n\
        card = { number = \"4111111111111111\", security_code = \"123\", expiry_month = 1, expiry_year = 2030 }\n\
        expect = { state = \"APPROVED\" }\n";

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let path =
                std::env::temp_dir().join(format!("scenario-test-{}-{name}", std::process::id()));
            let _ = fs::remove_dir_all(&path);
            fs::create_dir_all(&path).expect("a writable temp dir");
            Self(path)
        }

        fn write(&self, name: &str, text: &str) -> PathBuf {
            let path = self.0.join(name);
            fs::write(&path, text).expect("a writable temp file");
            path
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn load_paths_continues_past_a_bad_file() {
        let dir = TempDir::new("continues");
        dir.write("01-good.toml", GOOD);
        dir.write("02-bad.toml", &GOOD.replace("amount_centis", "amount"));
        dir.write("03-good.toml", GOOD);
        let loaded = load_paths(std::slice::from_ref(&dir.0));
        let names: Vec<&str> = loaded.scenarios.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["01-good", "03-good"]);
        assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
        assert_eq!(loaded.errors[0].file, dir.0.join("02-bad.toml"));
        assert_eq!(loaded.errors[0].line, Some(5));
    }

    #[test]
    fn a_directory_yields_its_toml_files_then_its_subdirectories_sorted_by_name() {
        let dir = TempDir::new("sorted");
        dir.write("b.toml", GOOD);
        dir.write("a.toml", GOOD);
        dir.write("notes.md", "not a scenario");
        for nested in ["z-nested", "attacks", "attacks/deeper"] {
            fs::create_dir_all(dir.0.join(nested)).expect("a writable temp dir");
        }
        dir.write("z-nested/c.toml", GOOD);
        dir.write("attacks/e.toml", GOOD);
        dir.write("attacks/d.toml", GOOD);
        dir.write("attacks/deeper/f.toml", GOOD);
        dir.write("attacks/deeper/notes.txt", "not a scenario");
        let loaded = load_paths(std::slice::from_ref(&dir.0));
        let names: Vec<&str> = loaded.scenarios.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "d", "e", "f", "c"]);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    }

    #[test]
    fn a_missing_file_is_an_error_without_a_line() {
        let dir = TempDir::new("missing");
        let file = dir.write("there.toml", GOOD);
        let loaded = load_paths(&[dir.0.join("absent.toml"), file]);
        assert_eq!(loaded.scenarios.len(), 1);
        assert_eq!(loaded.errors.len(), 1);
        assert_eq!(loaded.errors[0].line, None);
        assert!(
            loaded.errors[0]
                .to_string()
                .contains("absent.toml: cannot read"),
            "{}",
            loaded.errors[0]
        );
    }

    #[test]
    fn every_scenario_in_the_repository_parses() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let loaded = load_paths(std::slice::from_ref(&dir));
        let errors: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        // Each file as its path under `scenarios/`, without `.toml`: `03-3ds-approved`, `attacks/01-…`.
        let names: BTreeSet<String> = loaded
            .scenarios
            .iter()
            .filter_map(|s| s.file.strip_prefix(&dir).ok())
            .map(|relative| {
                relative
                    .with_extension("")
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        let required: BTreeSet<String> = REQUIRED.iter().map(|name| (*name).to_owned()).collect();
        assert_eq!(
            names, required,
            "the shipped scenario files are exactly REQUIRED"
        );
        assert_eq!(loaded.scenarios.len(), REQUIRED.len());
        for scenario in &loaded.scenarios {
            assert!(
                scenario.description.is_some(),
                "{} has no description",
                scenario.file.display()
            );
        }
        let played: BTreeSet<usize> = loaded
            .scenarios
            .iter()
            .flat_map(|scenario| &scenario.sales)
            .flat_map(|sale| misbehaviour_kinds(&sale.misbehave))
            .collect();
        let all: BTreeSet<usize> = (0..MISBEHAVIOUR_KINDS)
            .filter(|kind| !NOT_PLAYED_YET.contains(kind))
            .collect();
        assert_eq!(
            played, all,
            "every misbehaviour and fault kind is played by a scenario"
        );
    }

    /// How many kinds [`misbehaviour_kinds`] numbers.
    const MISBEHAVIOUR_KINDS: usize = 33;

    /// Kinds the reference Connecting Party server has for the gateway's own tests that no scenario plays yet:
    /// check sale `wrong-token`, `wrong-invoice`, `wrong-currency`, `missing-check-signature`, `other-email`;
    /// notification `http-500`, `wrong-nonce`, `missing-token`; callback `http-500`; check sale `cardData`.
    const NOT_PLAYED_YET: [usize; 10] = [14, 15, 16, 17, 18, 19, 20, 21, 22, 32];

    /// A number per misbehaviour or fault kind in `misbehave`; the exhaustive matches and destructurings
    /// make a new kind or field in `sandbox_api::misbehaviour` a compile error here until it is numbered (and
    /// then played by a scenario).
    fn misbehaviour_kinds(misbehave: &crate::Misbehave) -> Vec<usize> {
        use sandbox_api::Attack;
        use sandbox_api::CallbackAnswerMisbehaviour;
        use sandbox_api::CallbackMisbehaviour;
        use sandbox_api::CheckMisbehaviour;
        use sandbox_api::GatewayMisbehaviour;
        use sandbox_api::NotificationMisbehaviour;
        use sandbox_api::PartyMisbehaviour;
        let PartyMisbehaviour {
            check,
            notification,
            callback: party_callback,
            delay_ms: _, // a parameter of `slow`, not a kind
            callback_fail_first,
            notification_fail_first,
            latency_ms,
            random_sum_centis,
            card_data,
        } = &misbehave.party;
        let GatewayMisbehaviour {
            callback,
            latency_ms: gateway_latency_ms,
            attack,
        } = &misbehave.gateway;
        let check = check.map(|kind| match kind {
            CheckMisbehaviour::WrongCheckSignature => 0,
            CheckMisbehaviour::WrongNonce => 1,
            CheckMisbehaviour::MissingServerCardId => 2,
            CheckMisbehaviour::Filtered => 3,
            CheckMisbehaviour::ServerFailed => 4,
            CheckMisbehaviour::Http500 => 5,
            CheckMisbehaviour::Slow => 6,
            CheckMisbehaviour::WrongToken => 14,
            CheckMisbehaviour::WrongInvoice => 15,
            CheckMisbehaviour::WrongCurrency => 16,
            CheckMisbehaviour::MissingCheckSignature => 17,
            CheckMisbehaviour::OtherEmail => 18,
        });
        let notification = notification.map(|kind| match kind {
            NotificationMisbehaviour::Refuse => 7,
            NotificationMisbehaviour::WrongCheckSignature => 8,
            NotificationMisbehaviour::Http500 => 19,
            NotificationMisbehaviour::WrongNonce => 20,
            NotificationMisbehaviour::MissingToken => 21,
        });
        let callback = callback.map(|kind| match kind {
            CallbackMisbehaviour::WrongControl => 9,
        });
        let party_callback = party_callback.map(|kind| match kind {
            CallbackAnswerMisbehaviour::Http500 => 22,
        });
        let attack = attack.map(|kind| match kind {
            Attack::CheckWrongNonce => 24,
            Attack::CheckWrongSerial => 25,
            Attack::CheckForeignToken => 26,
            Attack::CheckUnknownInvoice => 27,
            Attack::NotificationUnknownToken => 28,
            Attack::CallbackForgedControl => 29,
            Attack::CallbackUnknownInvoice => 30,
            Attack::CallbackTwice => 31,
        });
        let faults = [
            callback_fail_first.map(|_| 10),
            notification_fail_first.map(|_| 11),
            latency_ms.map(|_| 12),
            gateway_latency_ms.map(|_| 13),
            random_sum_centis.map(|_| 23),
            card_data.map(|_| 32),
        ];
        [check, notification, callback, party_callback, attack]
            .into_iter()
            .chain(faults)
            .flatten()
            .collect()
    }

    /// Every shipped scenario file, by its path under `scenarios/` without `.toml`: the end-to-end tests rely on
    /// them, and a file added or removed must be added here or removed too.
    const REQUIRED: &[&str] = &[
        "01-approved-no-3ds",
        "02-approved-cvv-1234",
        "03-3ds-approved",
        "04-3ds-wrong-password-declined",
        "05-3ds-cancelled",
        "06-card-without-3ds",
        "07-declined-expired-card",
        "08-declined-insufficient-funds",
        "09-declined-not-permitted",
        "10-declined-stolen-card",
        "11-declined-other-cvv",
        "12-repeat-sale-by-reference",
        "13-repeat-sale-email-mismatch",
        "14-unknown-ending-error",
        "15-party-check-wrong-signature",
        "16-party-check-wrong-nonce",
        "17-party-check-missing-server-card-id",
        "18-party-check-filtered",
        "19-party-check-server-failed",
        "20-party-check-http-500",
        "21-party-check-slow",
        "22-party-notification-refused",
        "23-party-notification-wrong-signature",
        "24-gateway-callback-wrong-control",
        "25-party-callback-refused-twice",
        "26-party-notification-refused-once",
        "27-slow-party-and-gateway",
        "28-refused-tampered-amount",
        "29-refused-tampered-currency",
        "30-refused-reused-session",
        "31-refused-other-device-token",
        "32-refused-other-device-serial",
        "33-refused-second-perform",
        "34-refused-card-failing-luhn",
        "35-refused-unknown-endpoint",
        "36-refused-currency-not-on-endpoint",
        "37-3ds-random-sum-right",
        "38-3ds-random-sum-wrong",
        "39-3ds-random-sum-not-entered",
        "40-verification-then-sale-by-reference",
        "41-verification-3ds-approved",
        "42-verification-3ds-wrong-password",
        "43-verification-declined-cvv",
        "44-verification-party-check-wrong-signature",
        "45-sale-by-declined-verification-refused",
        "attacks/01-check-wrong-nonce",
        "attacks/02-check-wrong-serial",
        "attacks/03-check-foreign-token",
        "attacks/04-check-unknown-invoice",
        "attacks/05-notification-unknown-token",
        "attacks/06-callback-forged-control",
        "attacks/07-callback-unknown-invoice",
        "attacks/08-callback-twice",
    ];
}
