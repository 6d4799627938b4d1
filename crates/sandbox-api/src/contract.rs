//! Contract violations: a rule of the protocol broken by a peer, as one party saw it, with the message it was
//! in (the spec diagram's step), the field, the rule, and the expected and actual values (never a secret, never
//! a full card number). Parties record them and keep going; what the real gateway would do still happens.

use dapi::steps::Step;
use dapi::{Rule, Violation, Violations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The party that saw a violation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Observer {
    /// The gateway, about the app's requests and the Connecting Party's answers.
    Gateway,
    /// The Connecting Party server, about the gateway's requests and the app's requests.
    Party,
    /// The mobile app, about every answer it gets.
    App,
}

impl fmt::Display for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Gateway => "gateway",
            Self::Party => "party",
            Self::App => "app",
        })
    }
}

/// One broken rule, as recorded and reported (JSON: camelCase).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractViolation {
    /// Who saw it.
    pub observer: Observer,
    /// The diagram step of the message it was in.
    pub step: u8,
    /// The message's name.
    pub message: String,
    /// The field path in dot notation; empty for the whole message (e.g. its HTTP status).
    pub path: String,
    /// The rule, in words.
    pub rule: String,
    /// The expected value, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// The value received, when there is one (masked: never a full card number or a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// The id of the observer's journal entry of the exchange it was seen in (`GET /sim/journal`), when the
    /// observer keeps a journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_entry: Option<u64>,
}

impl ContractViolation {
    /// A violation of `step` at `path`.
    pub fn new(
        observer: Observer,
        step: Step,
        path: impl Into<String>,
        rule: impl Into<String>,
    ) -> Self {
        Self {
            observer,
            step: step.number,
            message: step.name.to_owned(),
            path: path.into(),
            rule: rule.into(),
            expected: None,
            actual: None,
            journal_entry: None,
        }
    }

    /// Whether `other` is the same finding: everything but the journal entry it was seen in, so a retried
    /// call failing the same way is one finding.
    pub fn same_finding(&self, other: &Self) -> bool {
        (
            self.observer,
            self.step,
            &self.message,
            &self.path,
            &self.rule,
        ) == (
            other.observer,
            other.step,
            &other.message,
            &other.path,
            &other.rule,
        ) && (&self.expected, &self.actual) == (&other.expected, &other.actual)
    }

    /// Adds the expected and the actual value.
    #[must_use]
    pub fn values(mut self, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }

    /// One violation per broken validation rule of a message.
    pub fn from_violations(observer: Observer, step: Step, violations: &Violations) -> Vec<Self> {
        violations
            .iter()
            .map(|violation| Self::from_violation(observer, step, violation))
            .collect()
    }

    /// A violation from a broken validation rule; a [`Rule::Mismatch`] carries its values.
    pub fn from_violation(observer: Observer, step: Step, violation: &Violation) -> Self {
        let base = Self::new(
            observer,
            step,
            violation.path.clone(),
            violation.rule.to_string(),
        );
        match &violation.rule {
            Rule::Mismatch { expected, actual } => Self {
                rule: "must match".to_owned(),
                ..base
            }
            .values(expected, actual),
            _ => base,
        }
    }
}

impl fmt::Display for ContractViolation {
    /// One line: `step 9 Check sale response (seen by gateway): session.checkSignature signature mismatch`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step {} {} (seen by {}): ",
            self.step, self.message, self.observer
        )?;
        if !self.path.is_empty() {
            write!(f, "{} ", self.path)?;
        }
        f.write_str(&self.rule)?;
        match (&self.expected, &self.actual) {
            (Some(expected), Some(actual)) => write!(f, ": expected {expected:?}, got {actual:?}"),
            (Some(expected), None) => write!(f, ": expected {expected:?}"),
            (None, Some(actual)) => write!(f, ": got {actual:?}"),
            (None, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dapi::steps;

    #[test]
    fn a_violation_reads_as_one_line_and_serializes_in_camel_case() {
        let violation = ContractViolation::new(
            Observer::Gateway,
            steps::CHECK_SALE_RESPONSE,
            "session.nonce",
            "must echo the nonce",
        )
        .values("7f3b…", "0000…");
        assert_eq!(
            violation.to_string(),
            "step 9 Check sale response (seen by gateway): session.nonce must echo the nonce: expected \"7f3b…\", got \"0000…\""
        );
        let json = serde_json::to_value(&violation).unwrap();
        assert_eq!(json["observer"], "gateway");
        assert_eq!(json["step"], 9);
        assert_eq!(json["path"], "session.nonce");
    }

    #[test]
    fn validation_rules_become_violations_with_their_values() {
        let mut violations = Violations::default();
        violations.push(
            "session.token",
            Rule::Mismatch {
                expected: "a".into(),
                actual: "b".into(),
            },
        );
        violations.push("invoiceId", Rule::Missing);
        let found = ContractViolation::from_violations(
            Observer::Party,
            steps::CARD_MAPPING_NOTIFICATION,
            &violations,
        );
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].expected.as_deref(), found[0].actual.as_deref()),
            (Some("a"), Some("b"))
        );
        assert_eq!(found[1].rule, "is required");
        assert_eq!(found[1].step, 19);
    }
}
