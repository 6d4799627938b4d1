//! The sandbox-only parts of a sale: a peer made to misbehave on purpose, and the contract
//! violations a sale must cause (and no others).

use std::fmt;

use sandbox_api::ContractViolation;
use sandbox_api::GatewayMisbehaviour;
use sandbox_api::Observer;
use sandbox_api::PartyMisbehaviour;

/// How the sandbox's servers misbehave during one sale (`[sale.misbehave]`), so that negative
/// paths are played, not assumed, and the faults they show (`[sale.faults]`: refusals with 503,
/// latency), so that retries are. Empty (the [`Default`]) for an ordinary sale.
///
/// A real gateway or Connecting Party server ignores this: the client sets it through the
/// sandbox's `/sim/` paths ([`sandbox_api::paths::party_misbehave_path`],
/// [`sandbox_api::paths::gateway_misbehave_path`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Misbehave {
    /// What the reference Connecting Party server does wrong (`party_check`,
    /// `party_notification`, `party_callback`, `party_delay_ms`) and its faults (`party_callback_fail_first`,
    /// `party_notification_fail_first`, `party_latency_ms`).
    pub party: PartyMisbehaviour,
    /// What the fake gateway does wrong (`gateway_callback`) and its faults
    /// (`gateway_latency_ms`).
    pub gateway: GatewayMisbehaviour,
}

impl Misbehave {
    /// Whether neither server misbehaves.
    pub fn is_empty(&self) -> bool {
        self.party_is_empty() && self.gateway_is_empty()
    }

    /// Whether the Connecting Party server behaves (nothing to send it).
    pub fn party_is_empty(&self) -> bool {
        self.party == PartyMisbehaviour::default()
    }

    /// Whether the gateway behaves (nothing to send it).
    pub fn gateway_is_empty(&self) -> bool {
        self.gateway == GatewayMisbehaviour::default()
    }
}

/// A contract violation a sale must cause (`[[sale.expect.violation]]`).
///
/// The expected violations of a sale are compared with the violations every party recorded for
/// it, both ways: each expected violation must [match](Self::matches) at least one observed
/// violation, and each observed violation must be matched by at least one expected violation.
/// Otherwise the scenario fails. So a sale that lists none must cause none, and one expected
/// violation without a `path` covers every violation its observer saw at its step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedViolation {
    /// The party that must see it.
    pub observer: Observer,
    /// The step of spec 2.1's diagrams whose message breaks the rule (1–24).
    pub step: u8,
    /// The field path in dot notation (`session.checkSignature`); `None`: any path, including
    /// the whole message.
    pub path: Option<String>,
    /// `optional = true`: the observer may see it and need not (e.g. the reference server's record of an attack
    /// it refused, which another server does not keep); never a failure, never skipped.
    pub optional: bool,
}

impl ExpectedViolation {
    /// Whether `observed` is this violation: same observer and step, and the same path when
    /// this one names a path.
    pub fn matches(&self, observed: &ContractViolation) -> bool {
        self.observer == observed.observer
            && self.step == observed.step
            && self.path.as_ref().is_none_or(|path| *path == observed.path)
    }
}

impl fmt::Display for ExpectedViolation {
    /// `step 9 (seen by gateway): session.checkSignature`, or `…: any path`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step {} (seen by {}): ", self.step, self.observer)?;
        f.write_str(self.path.as_deref().unwrap_or("any path"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use dapi::steps;
    use sandbox_api::CallbackMisbehaviour;
    use sandbox_api::CheckMisbehaviour;

    fn observed(observer: Observer, path: &str) -> ContractViolation {
        ContractViolation::new(
            observer,
            steps::CHECK_SALE_RESPONSE,
            path,
            "signature mismatch",
        )
    }

    fn expected(observer: Observer, step: u8, path: Option<&str>) -> ExpectedViolation {
        ExpectedViolation {
            observer,
            step,
            path: path.map(str::to_owned),
            optional: false,
        }
    }

    #[test]
    fn an_expected_violation_with_a_path_matches_only_that_path() {
        let rule = expected(Observer::Gateway, 9, Some("session.checkSignature"));
        assert!(rule.matches(&observed(Observer::Gateway, "session.checkSignature")));
        assert!(!rule.matches(&observed(Observer::Gateway, "session.nonce")));
        assert!(!rule.matches(&observed(Observer::Gateway, "")));
    }

    #[test]
    fn an_expected_violation_without_a_path_matches_any_path_of_its_step() {
        let rule = expected(Observer::Gateway, 9, None);
        assert!(rule.matches(&observed(Observer::Gateway, "")));
        assert!(rule.matches(&observed(Observer::Gateway, "session.nonce")));
    }

    #[test]
    fn observer_and_step_must_both_be_equal() {
        let seen = observed(Observer::Gateway, "session.nonce");
        assert!(!expected(Observer::Party, 9, None).matches(&seen));
        assert!(!expected(Observer::App, 9, Some("session.nonce")).matches(&seen));
        assert!(!expected(Observer::Gateway, 20, Some("session.nonce")).matches(&seen));
    }

    #[test]
    fn an_expected_violation_reads_as_one_line() {
        assert_eq!(
            expected(Observer::Gateway, 9, Some("session.nonce")).to_string(),
            "step 9 (seen by gateway): session.nonce"
        );
        assert_eq!(
            expected(Observer::Party, 23, None).to_string(),
            "step 23 (seen by party): any path"
        );
    }

    #[test]
    fn misbehave_is_empty_until_either_server_misbehaves() {
        let mut misbehave = Misbehave::default();
        assert!(misbehave.is_empty());
        misbehave.gateway.callback = Some(CallbackMisbehaviour::WrongControl);
        assert!(!misbehave.is_empty() && misbehave.party_is_empty());
        misbehave.gateway = GatewayMisbehaviour::default();
        misbehave.party.check = Some(CheckMisbehaviour::Filtered);
        assert!(!misbehave.is_empty() && misbehave.gateway_is_empty());
    }
}
