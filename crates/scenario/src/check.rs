//! Semantic checks: turns a [`RawScenario`] into a [`Scenario`], or says which line is wrong.
//!
//! Only contradictions inside the file are refused (an `APPROVED` sale with an `errorCode`, a
//! reference to a later sale). What the gateway does with the data is not judged here: a
//! scenario may send a PAN that fails Luhn on purpose.

use std::path::Path;
use std::time::Duration;

use crate::error::{ScenarioError, line_of};
use crate::model::{Consumer, Holder, Sale, Scenario};
use crate::raw::{RawConsumer, RawSale, RawScenario, RawVerification};
use dapi::Flow;
use toml::Spanned;

mod faults;
mod outcome;
mod reference;
mod sale;
mod sandbox;
#[cfg(test)]
mod verification_tests;

/// `timeout_ms` when the file gives none.
const DEFAULT_TIMEOUT_MS: u64 = 30_000;

/// Checks `raw` (parsed from `text`, read from `file`) and builds the typed scenario.
pub(crate) fn scenario(
    raw: RawScenario,
    text: &str,
    file: &Path,
) -> Result<Scenario, ScenarioError> {
    let at = |offset: usize, message: String| {
        ScenarioError::at(file, Some(line_of(text, offset)), message)
    };
    let name = match raw.name {
        Some(name) if name.get_ref().trim().is_empty() => {
            return Err(at(name.span().start, "name must not be empty".to_owned()));
        }
        Some(name) => name.into_inner(),
        None => file
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let timeout_ms = match raw.timeout_ms {
        Some(ms) if *ms.get_ref() == 0 => {
            return Err(at(
                ms.span().start,
                "timeout_ms must be greater than 0".to_owned(),
            ));
        }
        Some(ms) => ms.into_inner(),
        None => DEFAULT_TIMEOUT_MS,
    };
    let consumer_offset = raw.consumer.span().start;
    let consumer =
        consumer(raw.consumer.into_inner()).map_err(|message| at(consumer_offset, message))?;
    if raw.sale.is_empty() && raw.verification.is_empty() {
        return Err(ScenarioError::at(
            file,
            None,
            "a scenario needs at least one [[sale]] or [[verification]]",
        ));
    }
    let mut sales: Vec<Sale> = Vec::with_capacity(raw.sale.len() + raw.verification.len());
    for (offset, entry) in in_file_order(raw.sale, raw.verification) {
        let line = line_of(text, offset);
        let ordinal = 1 + sales.iter().filter(|s| s.flow == entry.flow()).count();
        let label = format!("{} {ordinal}", entry.flow());
        let checked = match entry {
            Entry::Sale(raw) => sale::sale(raw, line, &sales),
            Entry::Verification(raw) => sale::verification(raw, line, &sales),
        };
        let mut sale = checked
            .and_then(|sale| needs_email(sale, &consumer))
            .map_err(|message| {
                ScenarioError::at(file, Some(line), format!("{label}: {message}"))
            })?;
        sale.ordinal = ordinal;
        sales.push(sale);
    }
    Ok(Scenario {
        name,
        description: raw.description,
        tags: raw.tags,
        file: file.to_path_buf(),
        consumer,
        sales,
        timeout: Duration::from_millis(timeout_ms),
    })
}

/// A `[[sale]]` or a `[[verification]]` of the file.
enum Entry {
    Sale(RawSale),
    Verification(RawVerification),
}

impl Entry {
    fn flow(&self) -> Flow {
        match self {
            Self::Sale(_) => Flow::Sale,
            Self::Verification(_) => Flow::Verification,
        }
    }
}

/// The sales and verifications in the order the file has them (serde gives each kind its own list), with the
/// byte offset each starts at.
fn in_file_order(
    sales: Vec<Spanned<RawSale>>,
    verifications: Vec<Spanned<RawVerification>>,
) -> Vec<(usize, Entry)> {
    let spanned = |start: usize, entry: Entry| (start, entry);
    let mut entries: Vec<(usize, Entry)> = sales
        .into_iter()
        .map(|sale| spanned(sale.span().start, Entry::Sale(sale.into_inner())))
        .chain(verifications.into_iter().map(|verification| {
            let start = verification.span().start;
            spanned(start, Entry::Verification(verification.into_inner()))
        }))
        .collect();
    entries.sort_by_key(|(start, _)| *start);
    entries
}

/// Perform validation requires `consumer.email` (addendum §2.3): a verification needs one.
fn needs_email(sale: Sale, consumer: &Consumer) -> Result<Sale, String> {
    let has_email = sale.email.is_some() || consumer.email.is_some();
    if sale.flow == Flow::Verification && !has_email {
        return Err(
            "needs an e-mail: consumer.email or email (perform validation requires consumer.email)"
                .to_owned(),
        );
    }
    Ok(sale)
}

fn consumer(raw: RawConsumer) -> Result<Consumer, String> {
    let serial_length = raw.serial_number.chars().count();
    if !(1..=50).contains(&serial_length) {
        return Err(format!(
            "consumer.serial_number must have 1-50 characters, not {serial_length}"
        ));
    }
    non_empty("consumer.email", raw.email.as_deref())?;
    let holder = match (raw.first_name, raw.last_name, raw.printed_name) {
        (None, None, None) => Holder::default(),
        (None, None, Some(printed)) => {
            non_empty("consumer.printed_name", Some(&printed))?;
            Holder::Printed(printed)
        }
        (Some(first), Some(last), None) => {
            non_empty("consumer.first_name", Some(&first))?;
            non_empty("consumer.last_name", Some(&last))?;
            Holder::Names { first, last }
        }
        (_, _, Some(_)) => {
            return Err(
                "give consumer.printed_name or first_name + last_name, not both".to_owned(),
            );
        }
        (Some(_), None, None) | (None, Some(_), None) => {
            return Err("consumer.first_name and consumer.last_name go together".to_owned());
        }
    };
    Ok(Consumer {
        serial_number: raw.serial_number,
        email: raw.email,
        holder,
    })
}

/// A CVV: 1-4 digits (spec 3.3 says 3-4; shorter ones may be sent on purpose).
fn security_code(key: &str, code: &str) -> Result<(), String> {
    if (1..=4).contains(&code.len()) && is_digits(code) {
        Ok(())
    } else {
        // The value is not repeated: CVVs stay out of messages (STYLE 10).
        Err(format!("{key} must be 1-4 digits"))
    }
}

fn non_empty(key: &str, value: Option<&str>) -> Result<(), String> {
    match value {
        Some(text) if text.trim().is_empty() => Err(format!("{key} must not be empty")),
        _ => Ok(()),
    }
}

fn is_digits(text: &str) -> bool {
    text.bytes().all(|byte| byte.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::ScenarioError;

    /// Two sales: a card sale approved with a mapping (line 4), a repeat sale by reference (line 10).
    const BASE: &str = r#"[consumer]
serial_number = "SN-1"

[[sale]]
amount_centis = 100
currency = "EUR"
card = { number = "4111111111111111", security_code = "123", expiry_month = 1, expiry_year = 2030 }
expect = { state = "APPROVED", card_mapping = true }

[[sale]]
amount_centis = 200
currency = "EUR"
card_reference = { from_sale = 1, security_code = "123" }
expect = { state = "APPROVED" }
"#;

    /// Parses `BASE` with `from` replaced by `to`, expecting a refusal.
    pub(super) fn refused(from: &str, to: &str) -> ScenarioError {
        assert!(BASE.contains(from), "BASE has no {from:?}");
        crate::parse(&BASE.replacen(from, to, 1), Path::new("x.toml"))
            .expect_err("the scenario should be refused")
    }

    /// Asserts that `refused(from, to)` points at `line` and its message contains `message`;
    /// shared with the tests of `check::sale`.
    pub(super) fn assert_refused(from: &str, to: &str, line: Option<usize>, message: &str) {
        let error = refused(from, to);
        assert_eq!(error.line, line, "{error}");
        assert!(error.message.contains(message), "{error}");
    }

    #[test]
    fn the_base_scenario_is_accepted() {
        crate::parse(BASE, Path::new("x.toml")).expect("BASE is valid");
    }

    #[test]
    fn a_bad_serial_number_is_refused_at_the_consumer_table() {
        assert_refused(
            "\"SN-1\"",
            "\"\"",
            Some(1),
            "serial_number must have 1-50 characters, not 0",
        );
        let long = format!("\"{}\"", "S".repeat(51));
        assert_refused("\"SN-1\"", &long, Some(1), "not 51");
    }

    #[test]
    fn a_half_given_or_doubled_holder_is_refused() {
        assert_refused(
            "\"SN-1\"\n",
            "\"SN-1\"\nfirst_name = \"JANE\"\n",
            Some(1),
            "first_name and consumer.last_name go together",
        );
        assert_refused(
            "\"SN-1\"\n",
            "\"SN-1\"\nprinted_name = \"J D\"\nlast_name = \"D\"\n",
            Some(1),
            "not both",
        );
    }

    #[test]
    fn a_scenario_without_sales_is_refused() {
        let error = crate::parse(
            "[consumer]\nserial_number = \"SN-1\"\n",
            Path::new("x.toml"),
        )
        .expect_err("no sales");
        assert_eq!(
            error.to_string(),
            "x.toml: a scenario needs at least one [[sale]] or [[verification]]"
        );
    }

    #[test]
    fn a_zero_timeout_and_an_empty_name_are_refused_at_their_lines() {
        assert_refused(
            "[consumer]",
            "name = \"n\"\ntimeout_ms = 0\n[consumer]",
            Some(2),
            "timeout_ms must be greater than 0",
        );
        assert_refused(
            "[consumer]",
            "name = \" \"\n[consumer]",
            Some(1),
            "name must not be empty",
        );
    }

    #[test]
    fn an_empty_email_is_refused() {
        assert_refused(
            "\"SN-1\"\n",
            "\"SN-1\"\nemail = \"\"\n",
            Some(1),
            "consumer.email must not be empty",
        );
        assert_refused(
            "currency = \"EUR\"\ncard_reference",
            "currency = \"EUR\"\nemail = \"\"\ncard_reference",
            Some(10),
            "sale 2: email",
        );
    }
}
