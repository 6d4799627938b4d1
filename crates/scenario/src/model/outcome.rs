//! The outcomes a sale may expect besides a final state: a refusal at a given step ([`ExpectedRefusal`], with the
//! app's deliberate [`Mistake`] that causes it), and the answer a Connecting Party server must give to an attack
//! the gateway sends on purpose ([`ExpectedAnswer`], see [`sandbox_api::Attack`]).

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;

/// Something the app sends wrong on purpose (`mistake = "…"`), so that a refusal is played, not assumed. Each
/// is refused at one step (`Mistake::refused_at`), which the sale's `expect.refused` must name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Mistake {
    /// Perform sale with `amountCentis` one more than initiate sale signed.
    TamperAmount,
    /// Perform sale with another currency than initiate sale signed.
    TamperCurrency,
    /// Perform sale with the nonce and signature of the scenario's previous sale.
    ReuseSession,
    /// Initiate sale with an access token issued to another device.
    OtherDeviceToken,
    /// Perform sale with another device's serial number than initiate sale signed.
    OtherDeviceSerial,
    /// Perform sale twice for the same invoice: the first goes on, the second must be refused (spec 3.3).
    PerformTwice,
    /// Perform sale on an endpoint id the gateway does not have.
    UnknownEndpoint,
}

impl Mistake {
    /// Every mistake.
    pub const ALL: [Self; 7] = [
        Self::TamperAmount,
        Self::TamperCurrency,
        Self::ReuseSession,
        Self::OtherDeviceToken,
        Self::OtherDeviceSerial,
        Self::PerformTwice,
        Self::UnknownEndpoint,
    ];

    /// The kebab-case name, as in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Self::TamperAmount => "tamper-amount",
            Self::TamperCurrency => "tamper-currency",
            Self::ReuseSession => "reuse-session",
            Self::OtherDeviceToken => "other-device-token",
            Self::OtherDeviceSerial => "other-device-serial",
            Self::PerformTwice => "perform-twice",
            Self::UnknownEndpoint => "unknown-endpoint",
        }
    }

    /// The step whose answer refuses it: 5 (initiate sale, the Connecting Party server) or 7 (perform sale, the
    /// gateway).
    pub fn refused_at(self) -> u8 {
        match self {
            Self::OtherDeviceToken => 5,
            _ => 7,
        }
    }
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A refusal the sale must meet (`expect.refused = { step = 7, status = 400, cause = "INVALID_REQUEST" }`): the
/// answer of `step` is a non-2xx one that matches [`ExpectedAnswer`]. A documented refusal is no contract
/// violation; the sale ends there (unless its mistake is [`Mistake::PerformTwice`], whose first perform goes on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedRefusal {
    /// The step of the refused answer: 4 (the card reference), 5 (initiate sale) or 7 (perform sale).
    pub step: u8,
    /// What the refusal must be.
    pub answer: ExpectedAnswer,
}

/// An answer a server must give: its HTTP status and, when given, the documented error body's `error.cause`,
/// `error.code` and a substring of `error.message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedAnswer {
    /// `status = 403`, or a class: `status = "4xx"`.
    pub status: StatusMatch,
    /// `cause = "INVALID_REQUEST"`: one of the message's documented causes (spec 5.1).
    pub cause: Option<String>,
    /// `code = "DAPI-400-SIGNATURE"`: the exact `error.code`.
    pub code: Option<String>,
    /// `message = "signature"`: a substring of `error.message`.
    pub message: Option<String>,
}

impl ExpectedAnswer {
    /// How an answer differs from this one, in words; `None` when it matches. `cause`, `code` and `message` are
    /// the documented error body's, absent when the answer had none.
    pub fn mismatch(
        &self,
        status: u16,
        cause: Option<&str>,
        code: Option<&str>,
        message: Option<&str>,
    ) -> Option<String> {
        let mut wrong = Vec::new();
        if !self.status.matches(status) {
            wrong.push(format!("HTTP {}, got HTTP {status}", self.status));
        }
        let parts = [
            ("error.cause", self.cause.as_deref(), cause, false),
            ("error.code", self.code.as_deref(), code, false),
            ("error.message", self.message.as_deref(), message, true),
        ];
        for (name, expected, got, substring) in parts {
            let Some(expected) = expected else {
                continue;
            };
            let met = got.is_some_and(|got| {
                if substring {
                    got.contains(expected)
                } else {
                    got == expected
                }
            });
            if !met {
                let relation = if substring { "containing " } else { "" };
                let got = got.map_or("no documented error body".to_owned(), |got| {
                    format!("{got:?}")
                });
                wrong.push(format!("{name} {relation}{expected:?}, got {got}"));
            }
        }
        (!wrong.is_empty()).then(|| wrong.join("; "))
    }
}

impl fmt::Display for ExpectedAnswer {
    /// `HTTP 403 INVALID_REQUEST`, `HTTP 4xx`, `HTTP 400 (code DAPI-400-X, message containing "y")`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(cause) = &self.cause {
            write!(f, " {cause}")?;
        }
        let mut details = Vec::new();
        if let Some(code) = &self.code {
            details.push(format!("code {code}"));
        }
        if let Some(message) = &self.message {
            details.push(format!("message containing {message:?}"));
        }
        if !details.is_empty() {
            write!(f, " ({})", details.join(", "))?;
        }
        Ok(())
    }
}

/// An expected HTTP status: exact, or a class such as `4xx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusMatch {
    /// This status, 100–599.
    Exact(u16),
    /// Any status of this class: 1–5 for `1xx`–`5xx`.
    Class(u16),
}

impl StatusMatch {
    /// Whether `status` is one this expects.
    pub fn matches(self, status: u16) -> bool {
        match self {
            Self::Exact(expected) => status == expected,
            Self::Class(class) => status / 100 == class,
        }
    }

    /// Whether it expects a success (2xx).
    pub fn is_success(self) -> bool {
        match self {
            Self::Exact(status) => (200..300).contains(&status),
            Self::Class(class) => class == 2,
        }
    }
}

impl fmt::Display for StatusMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(status) => write!(f, "{status}"),
            Self::Class(class) => write!(f, "{class}xx"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: StatusMatch, cause: Option<&str>) -> ExpectedAnswer {
        ExpectedAnswer {
            status,
            cause: cause.map(str::to_owned),
            code: None,
            message: None,
        }
    }

    #[test]
    fn statuses_match_exactly_or_by_class() {
        assert!(StatusMatch::Exact(403).matches(403) && !StatusMatch::Exact(403).matches(400));
        assert!(StatusMatch::Class(4).matches(400) && StatusMatch::Class(4).matches(499));
        assert!(!StatusMatch::Class(4).matches(500));
        assert_eq!(StatusMatch::Class(4).to_string(), "4xx");
        assert!(StatusMatch::Class(2).is_success() && !StatusMatch::Exact(403).is_success());
    }

    #[test]
    fn a_mismatch_names_each_part_that_differs() {
        let expected = answer(StatusMatch::Exact(403), Some("INVALID_REQUEST"));
        assert_eq!(
            expected.mismatch(403, Some("INVALID_REQUEST"), None, None),
            None
        );
        assert_eq!(
            expected.mismatch(200, None, None, None).as_deref(),
            Some(
                "HTTP 403, got HTTP 200; error.cause \"INVALID_REQUEST\", got no documented error body"
            )
        );
        let with_message = ExpectedAnswer {
            message: Some("signature".into()),
            code: Some("DAPI-400-INVALID".into()),
            ..answer(StatusMatch::Class(4), None)
        };
        assert_eq!(
            with_message.mismatch(400, None, Some("DAPI-400-INVALID"), Some("bad signature")),
            None
        );
        assert_eq!(
            with_message
                .mismatch(400, None, Some("X"), Some("nonce"))
                .as_deref(),
            Some(
                "error.code \"DAPI-400-INVALID\", got \"X\"; error.message containing \"signature\", got \"nonce\""
            )
        );
        assert_eq!(
            with_message.to_string(),
            "HTTP 4xx (code DAPI-400-INVALID, message containing \"signature\")"
        );
        assert_eq!(expected.to_string(), "HTTP 403 INVALID_REQUEST");
    }
}
