//! Card data with redacting `Debug`: the PAN is shown masked (BIN + last four), the CVV never.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// A primary account number. `Debug` and [`CardNumber::masked`] show only the BIN and the last four digits.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CardNumber(String);

impl CardNumber {
    /// The full number; use it only inside the request that carries it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// BIN (first six digits) and last four, e.g. `411111******1111`.
    pub fn masked(&self) -> String {
        mask_pan(&self.0)
    }

    /// The BIN as an integer, when the number starts with six digits.
    pub fn bin(&self) -> Option<u32> {
        self.0.get(..6).and_then(|bin| bin.parse().ok())
    }

    /// Whether the number is 9–19 digits and passes the Luhn check.
    pub fn is_luhn_valid(&self) -> bool {
        luhn_valid(&self.0)
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.masked())
    }
}

impl From<&str> for CardNumber {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// 9–19 digits (spec 3.3); the Luhn check is beyond JSON Schema and only described.
impl JsonSchema for CardNumber {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("CardNumber")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "minLength": 9, "maxLength": 19, "pattern": "^[0-9]+$"})
    }
}

/// A CVV/CVC. `Debug` never shows it; it is never stored past the request that carries it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecurityCode(String);

impl SecurityCode {
    /// The code itself; use it only to choose the sandbox outcome (spec 6).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecurityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecurityCode(<redacted>)")
    }
}

impl From<&str> for SecurityCode {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// 3–4 digits (spec 3.3).
impl JsonSchema for SecurityCode {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("SecurityCode")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "minLength": 3, "maxLength": 4, "pattern": "^[0-9]+$"})
    }
}

/// How many digits of a card number masking must hide, at the least.
const HIDDEN_AT_LEAST: usize = 6;

/// The one masking rule for card numbers: BIN (first six) and last four only where at least six digits stay
/// hidden (16 digits and more), the last four only where that still hides six (10–15 digits), and nothing of a
/// shorter number. Characters other than digits (spaces, dashes) keep their place.
pub fn mask_pan(pan: &str) -> String {
    let digits = pan.chars().filter(char::is_ascii_digit).count();
    let (head, tail) = match digits {
        n if n >= 10 + HIDDEN_AT_LEAST => (6, 4),
        n if n >= 4 + HIDDEN_AT_LEAST => (0, 4),
        _ => (0, 0),
    };
    let mut seen = 0;
    pan.chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen <= head || seen > digits - tail {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// The fewest digits a run in free text must have to be masked as a card number.
pub const CARD_LIKE_DIGITS: usize = 12;

/// Free text with every card-like run masked by [`mask_pan`]: [`CARD_LIKE_DIGITS`] or more digits, possibly
/// grouped by single spaces or dashes (`4111 1111 1111 1111`, `4111-1111-1111-1111`). A peer's text goes into
/// records and reports, and a careless peer might echo a card number.
pub fn mask_card_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let joins = matches!(c, ' ' | '-')
            && !run.is_empty()
            && chars.peek().is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() || joins {
            run.push(c);
            continue;
        }
        flush_run(&mut run, &mut out);
        out.push(c);
    }
    flush_run(&mut run, &mut out);
    out
}

fn flush_run(run: &mut String, out: &mut String) {
    if run.chars().filter(char::is_ascii_digit).count() >= CARD_LIKE_DIGITS {
        out.push_str(&mask_pan(run));
    } else {
        out.push_str(run);
    }
    run.clear();
}

/// Luhn check over an all-digit string of 9–19 digits.
pub fn luhn_valid(pan: &str) -> bool {
    if !(9..=19).contains(&pan.len()) || !pan.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = pan
        .bytes()
        .rev()
        .map(|b| u32::from(b - b'0'))
        .enumerate()
        .map(|(index, digit)| match (index % 2 == 1, digit * 2) {
            (true, doubled) if doubled > 9 => doubled - 9,
            (true, doubled) => doubled,
            (false, _) => digit,
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_known_test_cards_and_rejects_a_changed_digit() {
        for pan in [
            "4111111111111111",
            "5555555555554444",
            "4012888888881881",
            "378282246310005",
        ] {
            assert!(luhn_valid(pan), "{pan}");
        }
        for pan in [
            "4111111111111112",
            "41111111",
            "4111a11111111111",
            "41111111111111111111",
            "",
        ] {
            assert!(!luhn_valid(pan), "{pan}");
        }
    }

    #[test]
    fn card_data_is_redacted_in_debug() {
        let pan = CardNumber::from("4111111111111111");
        assert_eq!(format!("{pan:?}"), "CardNumber(411111******1111)");
        assert_eq!(pan.bin(), Some(411_111));
        let cvv = SecurityCode::from("321");
        assert!(!format!("{cvv:?}").contains("321"));
        assert_eq!(mask_pan("12345"), "*****");
    }

    #[test]
    fn masking_always_hides_six_digits() {
        for (pan, masked) in [
            ("4111111111111111", "411111******1111"),
            ("4111111111111111111", "411111*********1111"),
            ("378282246310005", "***********0005"),
            ("411111111111", "********1111"),
            ("41111111111", "*******1111"),
            ("4111111111", "******1111"),
            ("411111111", "*********"),
            ("", ""),
        ] {
            assert_eq!(mask_pan(pan), masked, "{pan}");
            let hidden = masked.chars().filter(|c| *c == '*').count();
            assert!(hidden >= 6 || hidden == pan.len(), "{pan}");
        }
        assert_eq!(mask_pan("4111-1111-1111-1111"), "4111-11**-****-1111");
    }

    #[test]
    fn card_numbers_in_free_text_are_masked_grouped_or_not() {
        assert_eq!(
            mask_card_numbers("pan 4111111111111111, id 12345678901"),
            "pan 411111******1111, id 12345678901"
        );
        assert_eq!(
            mask_card_numbers("4111 1111 1111 1111."),
            "4111 11** **** 1111."
        );
        assert_eq!(
            mask_card_numbers("x 4111-1111-1111-1111 y"),
            "x 4111-11**-****-1111 y"
        );
        assert_eq!(
            mask_card_numbers("2024-05-17 14:03:22"),
            "2024-05-17 14:03:22"
        );
        assert_eq!(mask_card_numbers("a - 1 2 -"), "a - 1 2 -");
    }
}
