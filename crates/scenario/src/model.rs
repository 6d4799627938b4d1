//! The typed scenario: what the mobile client plays and what it expects to observe.
//!
//! Every value here has passed the checks of [`crate::check`], so consumers need not re-validate
//! (a `from_sale` always names an earlier sale, a card has digits only, and so on).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use dapi::{AuthStatus, CallbackStatus, Flow, SaleState};
use sandbox_api::ContractViolation;

mod outcome;
mod sandbox;

pub use outcome::{ExpectedAnswer, ExpectedRefusal, Mistake, StatusMatch};
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
    /// Whether the app authenticates the consumer again before this sale (steps 2–3), so that the sale has an
    /// access token of its own (`new_access_token = true`).
    pub new_access_token: bool,
    /// What the app sends wrong on purpose; `expect.refused` says how it must be refused.
    pub mistake: Option<Mistake>,
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
/// In a file: `three_ds = { password = "hint" }` (with `random_sum_centis = 37` to answer a random-sum check,
/// spec A21), `three_ds = "cancel"` or `three_ds = "ignore"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ThreeDs {
    /// Types this password (the sandbox accepts `hint`) and submits.
    Password {
        /// The password.
        password: String,
        /// The amount typed into the random-sum field, in minor units; `None` leaves the field empty.
        random_sum_centis: Option<u64>,
    },
    /// Presses "Cancel".
    Cancel,
    /// Leaves the page open and does nothing: the gateway's 3-D Secure timeout ends the sale, and the app closes
    /// the page when the state leaves `REDIRECT_REQUEST` (spec 3.6).
    Ignore,
}

impl ThreeDs {
    /// `Password` with no random sum.
    pub fn password(password: &str) -> Self {
        Self::Password {
            password: password.to_owned(),
            random_sum_centis: None,
        }
    }
}

/// What the client must observe once a sale is final; `None` fields are not checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    /// The final `state`: `APPROVED` or `DECLINED`; `None` only for a sale refused before it has one
    /// ([`Expect::refused`]).
    pub state: Option<SaleState>,
    /// The refusal the sale must meet: at the card reference, initiate sale or perform sale.
    pub refused: Option<ExpectedRefusal>,
    /// What the Connecting Party server must answer the gateway's attack of this sale
    /// ([`sandbox_api::Attack`], set by the sale's `attack`).
    pub attack_answer: Option<ExpectedAnswer>,
    /// The expected `randomSumAuthStatus`, or that it is absent (spec A21).
    pub random_sum: Option<Secure3dExpectation>,
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
    /// The contract violations the parties must record for this sale, and the only ones they
    /// may record: empty means none at all (see [`ExpectedViolation`]).
    pub violations: Vec<ExpectedViolation>,
}

impl Expect {
    /// An expectation of this final state and nothing else.
    pub fn state(state: SaleState) -> Self {
        Self {
            state: Some(state),
            refused: None,
            attack_answer: None,
            random_sum: None,
            error_code: None,
            error_message: None,
            secure_3d: None,
            callback: None,
            card_mapping: None,
            redirect: None,
            violations: Vec::new(),
        }
    }

    /// The expected violations that no violation in `observed` matches (optional ones are never unmet).
    pub fn unmet_violations<'a>(
        &'a self,
        observed: &[ContractViolation],
    ) -> Vec<&'a ExpectedViolation> {
        self.violations
            .iter()
            .filter(|expected| !expected.optional)
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

/// The expected `secure3DAuthStatus` (or `randomSumAuthStatus`) of the final sale status.
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
mod tests;
