//! The typed scenario: what the mobile client plays and what it expects to observe.
//!
//! Every value here has passed the checks of [`crate::check`], so consumers need not re-validate
//! (a `from_sale` always names an earlier sale, a card has digits only, and so on).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use dapi::{AuthStatus, CallbackStatus, Flow, SaleState};
use sandbox_api::ContractViolation;
use serde::Deserialize;

mod sandbox;

pub use sandbox::{ExpectedViolation, Misbehave};

/// One scenario file: a consumer and the sales they make, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Display name; the file stem when the file gives none.
    pub name: String,
    /// One line saying what the scenario exercises.
    pub description: Option<String>,
    /// Free-form labels, e.g. `3ds`, `declined`.
    pub tags: Vec<String>,
    /// The file the scenario came from.
    pub file: PathBuf,
    /// Who pays: device, e-mail and card holder.
    pub consumer: Consumer,
    /// The sales and card verifications (`[[sale]]`, `[[verification]]`), in file order, played one after
    /// the other; never empty. A verification is a [`Sale`] of [`Flow::Verification`].
    pub sales: Vec<Sale>,
    /// How long the client keeps polling one sale before failing it (`timeout_ms`, default 30 s).
    pub timeout: Duration,
}

impl Scenario {
    /// The sale or verification at the given 1-based position in [`Scenario::sales`], as
    /// [`Source::Reference::from`] names it.
    pub fn sale(&self, number: usize) -> Option<&Sale> {
        number
            .checked_sub(1)
            .and_then(|index| self.sales.get(index))
    }

    /// The e-mail sent with `sale`: its own override, else the consumer's.
    pub fn email_for<'a>(&'a self, sale: &'a Sale) -> Option<&'a str> {
        sale.email.as_deref().or(self.consumer.email.as_deref())
    }
}

/// The consumer and their device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consumer {
    /// `consumer.device.serialNumber` (1–50 characters).
    pub serial_number: String,
    /// `consumer.email` sent in perform sale, unless a sale overrides it.
    pub email: Option<String>,
    /// The card holder, sent with full card data.
    pub holder: Holder,
}

/// The card holder (spec 3.3: `printedName`, or `firstName` and `lastName`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    /// `firstName` and `lastName`.
    Names {
        /// `firstName`.
        first: String,
        /// `lastName`.
        last: String,
    },
    /// `printedName` alone, as the iOS SDK sends it.
    Printed(String),
}

impl Default for Holder {
    fn default() -> Self {
        Self::Printed("TEST CONSUMER".to_owned())
    }
}

/// One sale or card verification: what the client sends and what it must observe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sale {
    /// A sale (`[[sale]]`) or a card verification (`[[verification]]`).
    pub flow: Flow,
    /// Its 1-based number among the scenario's transactions of its flow: `sale 2`, `verification 1`.
    pub ordinal: usize,
    /// 1-based line of the sale's `[[sale]]` header (or its first key), for reports.
    pub line: usize,
    /// `transaction.amountCentis`, greater than zero; 0 for a verification, which moves no money.
    pub amount_centis: u64,
    /// `transaction.currency`, three upper-case letters.
    pub currency: String,
    /// Full card data or a reference to an earlier sale's card (a verification always has card data).
    pub source: Source,
    /// What the consumer does on the 3-D Secure page; `None`: no page is expected.
    pub three_ds: Option<ThreeDs>,
    /// Per-sale override of [`Consumer::email`].
    pub email: Option<String>,
    /// How the sandbox's servers misbehave during this sale; empty for an ordinary sale.
    pub misbehave: Misbehave,
    /// What the client must observe.
    pub expect: Expect,
}

impl Sale {
    /// How reports name it: `sale 2`, `verification 1`.
    pub fn label(&self) -> String {
        format!("{} {}", self.flow, self.ordinal)
    }

    /// The CVV sent with this sale, whichever the source (the sandbox trigger of spec 6).
    pub fn security_code(&self) -> &str {
        match &self.source {
            Source::Card(card) => &card.security_code,
            Source::Reference { security_code, .. } => security_code,
        }
    }
}

/// Where the money comes from (`sourceOfFunds`, exactly one of card or reference).
#[derive(Clone, PartialEq, Eq)]
pub enum Source {
    /// `sourceOfFunds.card`.
    Card(Card),
    /// `sourceOfFunds.reference`: the `clientCardId` obtained from an earlier sale or verification of this
    /// scenario.
    Reference {
        /// 1-based position in [`Scenario::sales`] of the earlier sale or verification whose card reference is
        /// used (the file names it by its number among its flow: `from_sale`, `from_verification`).
        from: usize,
        /// `sourceOfFunds.reference.securityCode`.
        security_code: String,
    },
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Card(card) => f.debug_tuple("Card").field(card).finish(),
            // The CVV never appears in logs or reports (STYLE 10).
            Self::Reference { from, .. } => f
                .debug_struct("Reference")
                .field("from", from)
                .field("security_code", &Redacted)
                .finish(),
        }
    }
}

/// Full card data (`sourceOfFunds.card`); `Debug` masks the number and hides the CVV.
#[derive(Clone, PartialEq, Eq)]
pub struct Card {
    /// The PAN, 1–19 digits (not Luhn-checked: a scenario may send a bad card on purpose).
    pub number: String,
    /// The CVV, 1–4 digits; in the sandbox it chooses the outcome (spec 6).
    pub security_code: String,
    /// 1–12.
    pub expiry_month: u32,
    /// Four digits, e.g. 2030.
    pub expiry_year: u32,
}

impl fmt::Debug for Card {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Card")
            .field("number", &MaskedPan(&self.number))
            .field("security_code", &Redacted)
            .field("expiry_month", &self.expiry_month)
            .field("expiry_year", &self.expiry_year)
            .finish()
    }
}

/// A PAN shown by [`dapi::card::mask_pan`], the one masking rule.
struct MaskedPan<'a>(&'a str);

impl fmt::Debug for MaskedPan<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", dapi::card::mask_pan(self.0))
    }
}

/// Stands in for a secret in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// What the consumer does on the 3-D Secure page (spec 3.6).
///
/// In a file: `three_ds = { password = "hint" }` or `three_ds = "cancel"`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ThreeDs {
    /// Types this password and submits (the sandbox accepts `hint`).
    Password(String),
    /// Presses "Cancel".
    Cancel,
}

/// What the client must observe once a sale is final; `None` fields are not checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    /// The final `state`: `APPROVED` or `DECLINED`.
    pub state: SaleState,
    /// The expected `errorCode` (spec 5.5).
    pub error_code: Option<u32>,
    /// A substring expected in `errorMessage`.
    pub error_message: Option<String>,
    /// The expected `secure3DAuthStatus`, or that it is absent.
    pub secure_3d: Option<Secure3dExpectation>,
    /// The final-status callback the Connecting Party server must have received (spec 3.8).
    pub callback: Option<CallbackStatus>,
    /// Whether the Connecting Party server must have received a card mapping notification (spec 3.7).
    pub card_mapping: Option<bool>,
    /// Whether a `REDIRECT_REQUEST` (3-D Secure page) must have been seen.
    pub redirect: Option<bool>,
    /// The sale must never start: this request of its is refused with the documented error body.
    pub refused: Option<Refusal>,
    /// The contract violations the parties must record for this sale, and the only ones they
    /// may record: empty means none at all (see [`ExpectedViolation`]).
    pub violations: Vec<ExpectedViolation>,
}

impl Expect {
    /// The expected violations that no violation in `observed` matches.
    pub fn unmet_violations<'a>(
        &'a self,
        observed: &[ContractViolation],
    ) -> Vec<&'a ExpectedViolation> {
        self.violations
            .iter()
            .filter(|expected| !observed.iter().any(|seen| expected.matches(seen)))
            .collect()
    }

    /// The violations in `observed` that no expected violation matches.
    pub fn unexpected_violations<'a>(
        &self,
        observed: &'a [ContractViolation],
    ) -> Vec<&'a ContractViolation> {
        observed
            .iter()
            .filter(|seen| {
                !self
                    .violations
                    .iter()
                    .any(|expected| expected.matches(seen))
            })
            .collect()
    }
}

/// A request of a sale that must be refused, so the sale never starts (`refused = "card-reference"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Refusal {
    /// The Connecting Party hands out no `clientCardId` for the card reference (spec A24; a declined
    /// verification or sale mapped no card).
    CardReference,
}

/// The expected `secure3DAuthStatus` of the final sale status.
///
/// In a file: `secure_3d = "AUTHENTICATED"`, `"NOT_AUTHENTICATED"`, `"UNSUPPORTED"` or `"ABSENT"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secure3dExpectation {
    /// The field must carry this value.
    Status(AuthStatus),
    /// The field must be missing.
    Absent,
}

impl Secure3dExpectation {
    /// Whether the observed field (`None`: missing) meets the expectation.
    pub fn is_met_by(self, observed: Option<AuthStatus>) -> bool {
        match self {
            Self::Status(status) => observed == Some(status),
            Self::Absent => observed.is_none(),
        }
    }
}

impl fmt::Display for Secure3dExpectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status(status) => status.fmt(f),
            Self::Absent => f.write_str("ABSENT"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(number: &str) -> Card {
        Card {
            number: number.to_owned(),
            security_code: "321".to_owned(),
            expiry_month: 12,
            expiry_year: 2030,
        }
    }

    #[test]
    fn card_debug_shows_only_first_six_and_last_four_digits_and_never_the_cvv() {
        let shown = format!("{:?}", card("4111111111111111"));
        assert!(shown.contains("\"411111******1111\""), "{shown}");
        assert!(!shown.contains("321"), "{shown}");
    }

    #[test]
    fn short_card_numbers_are_not_shown_whole() {
        assert!(format!("{:?}", card("123456789")).contains("\"*********\""));
        assert!(format!("{:?}", card("1234567890")).contains("\"******7890\""));
        assert!(format!("{:?}", card("12345")).contains("\"*****\""));
    }

    #[test]
    fn reference_debug_hides_the_cvv() {
        let source = Source::Reference {
            from: 1,
            security_code: "1234".to_owned(),
        };
        let shown = format!("{source:?}");
        assert!(
            !shown.contains("1234") && shown.contains("from: 1"),
            "{shown}"
        );
    }

    #[test]
    fn violations_are_compared_both_ways() {
        use dapi::steps;
        use sandbox_api::Observer;
        let expect = Expect {
            state: SaleState::Declined,
            error_code: None,
            error_message: None,
            secure_3d: None,
            callback: None,
            card_mapping: None,
            redirect: None,
            refused: None,
            violations: vec![ExpectedViolation {
                observer: Observer::Gateway,
                step: 9,
                path: Some("session.nonce".to_owned()),
            }],
        };
        let nonce = ContractViolation::new(
            Observer::Gateway,
            steps::CHECK_SALE_RESPONSE,
            "session.nonce",
            "x",
        );
        let callback = ContractViolation::new(Observer::Party, steps::CALLBACK, "control", "x");
        assert!(
            expect
                .unmet_violations(std::slice::from_ref(&nonce))
                .is_empty()
        );
        assert!(
            expect
                .unexpected_violations(std::slice::from_ref(&nonce))
                .is_empty()
        );
        assert_eq!(expect.unmet_violations(&[]), [&expect.violations[0]]);
        let observed = [nonce, callback.clone()];
        assert_eq!(expect.unexpected_violations(&observed), [&callback]);
    }

    #[test]
    fn absent_expectation_is_met_only_by_a_missing_status() {
        assert!(Secure3dExpectation::Absent.is_met_by(None));
        assert!(!Secure3dExpectation::Absent.is_met_by(Some(AuthStatus::Unsupported)));
        let authenticated = Secure3dExpectation::Status(AuthStatus::Authenticated);
        assert!(authenticated.is_met_by(Some(AuthStatus::Authenticated)));
        assert!(!authenticated.is_met_by(None));
    }
}
