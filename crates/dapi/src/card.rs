//! Card data with redacting `Debug`: the PAN is shown masked (BIN + last four), the CVV never.

use serde::{Deserialize, Serialize};
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

/// Masks a PAN to BIN + last four; anything too short to keep both is fully masked.
pub fn mask_pan(pan: &str) -> String {
    let chars: Vec<char> = pan.chars().collect();
    if chars.len() < 11 {
        return "*".repeat(chars.len());
    }
    let (head, rest) = chars.split_at(6);
    let (middle, tail) = rest.split_at(rest.len() - 4);
    let mut masked: String = head.iter().collect();
    masked.extend(middle.iter().map(|_| '*'));
    masked.extend(tail.iter());
    masked
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
}
