//! The format rules of single fields, beyond their lengths: a `ddMMyyyy` date (`consumer.birthDay`, spec 3.3),
//! three letters (`billing.address.country`, ISO 3166-1 alpha-3), IPv4 text (`consumer.ipAddresses[]`, spec
//! 3.2) and hexadecimal digits (the callback `control`, a SHA-1, spec 3.8). Each broken rule is one violation at
//! the field's path.

use super::{Rule, Violations};
use std::net::Ipv4Addr;

impl Violations {
    /// Checks a `ddMMyyyy` date that exists in the calendar (`29022023` does not).
    pub fn date_ddmmyyyy(&mut self, path: &str, value: &str) {
        if !is_date_ddmmyyyy(value) {
            self.push(
                path,
                Rule::Pattern("a date written ddMMyyyy, e.g. 17051990"),
            );
        }
    }

    /// Checks an ISO 3166-1 alpha-3 country code: three ASCII letters (`DEU`).
    pub fn country_alpha3(&mut self, path: &str, value: &str) {
        if value.len() != 3 || !value.bytes().all(|byte| byte.is_ascii_alphabetic()) {
            self.push(path, Rule::Pattern("three letters (ISO 3166-1 alpha-3)"));
        }
    }

    /// Checks dotted-quad IPv4 text (`10.0.0.7`; no leading zeros, no port).
    pub fn ipv4(&mut self, path: &str, value: &str) {
        if value.parse::<Ipv4Addr>().is_err() {
            self.push(path, Rule::Pattern("an IPv4 address, e.g. 10.0.0.7"));
        }
    }

    /// Checks a SHA-1 in hexadecimal: 40 digits, either case.
    pub fn sha1_hex(&mut self, path: &str, value: &str) {
        if value.len() != 40 || !value.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            self.push(path, Rule::Pattern("40 hexadecimal digits (a SHA-1)"));
        }
    }
}

/// Whether `value` is eight digits `ddMMyyyy` naming a day of the Gregorian calendar.
fn is_date_ddmmyyyy(value: &str) -> bool {
    if value.len() != 8 || !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return false;
    }
    let number =
        |range: std::ops::Range<usize>| value.get(range).and_then(|part| part.parse::<u32>().ok());
    let (Some(day), Some(month), Some(year)) = (number(0..2), number(2..4), number(4..8)) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broken(check: impl FnOnce(&mut Violations)) -> bool {
        let mut violations = Violations::default();
        check(&mut violations);
        !violations.is_empty()
    }

    #[test]
    fn dates_must_exist_in_the_calendar() {
        for good in ["17051990", "29022000", "29022024", "31122099", "01010001"] {
            assert!(!broken(|v| v.date_ddmmyyyy("d", good)), "{good}");
        }
        for bad in [
            "1705199", "19901705", "32011990", "00011990", "29022023", "29021900", "31041990",
            "1705199a", "17.05.90", "00000000",
        ] {
            assert!(broken(|v| v.date_ddmmyyyy("d", bad)), "{bad}");
        }
    }

    #[test]
    fn countries_are_three_letters() {
        assert!(!broken(|v| v.country_alpha3("c", "DEU")));
        assert!(!broken(|v| v.country_alpha3("c", "deu")));
        for bad in ["DE", "DEUT", "D3U", "DÜU", ""] {
            assert!(broken(|v| v.country_alpha3("c", bad)), "{bad}");
        }
    }

    #[test]
    fn ip_addresses_are_ipv4_text() {
        for good in ["10.0.0.7", "255.255.255.255", "0.0.0.0"] {
            assert!(!broken(|v| v.ipv4("ip", good)), "{good}");
        }
        for bad in [
            "10.0.0",
            "10.0.0.256",
            "010.0.0.7",
            "10.0.0.7:80",
            "::1",
            "a.b.c.d",
            "10.0.0.7 ",
        ] {
            assert!(broken(|v| v.ipv4("ip", bad)), "{bad}");
        }
    }

    #[test]
    fn hex_digits_of_either_case_and_the_exact_count() {
        let sha1 = "07f460e264201b0f496f588058b1ee4f28fa16ad";
        assert!(!broken(|v| v.sha1_hex("control", sha1)));
        assert!(!broken(|v| v.sha1_hex("control", &sha1.to_uppercase())));
        assert!(broken(|v| v.sha1_hex("control", &sha1[..39])));
        assert!(broken(|v| v.sha1_hex("control", &sha1.replace('a', "g"))));
    }
}
