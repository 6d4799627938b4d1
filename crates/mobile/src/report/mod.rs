//! What a run produced: [`ScenarioReport`] with its [`Step`]s, one [`SaleOutcome`] per sale played, the
//! contract violations seen ([`ObservedViolation`]) and the failures. Step numbers and names are those of the
//! spec's diagram (spec 2.1).

use std::fmt::Display;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use dapi::{AuthStatus, CallbackStatus, ClientCardId, InvoiceId, SaleState};
use sandbox_api::ContractViolation;
use scenario::Scenario;

pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod load;
pub(crate) mod mermaid;
#[cfg(test)]
pub(crate) mod sample;
pub(crate) mod text;

/// The result of playing one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioReport {
    /// The scenario's name.
    pub name: String,
    /// The scenario's file.
    pub file: PathBuf,
    /// The steps taken or observed, in the order they happened.
    pub steps: Vec<Step>,
    /// One outcome per sale played (a sale that was never started has none).
    pub sales: Vec<SaleOutcome>,
    /// Everything that went wrong or differed from the expectations; empty when the scenario passed. An
    /// unexpected contract violation, or an expected one not seen, is a failure too.
    pub failures: Vec<String>,
    /// Every contract violation seen in the run, expected or not: by the app in the answers it got, and
    /// by the gateway and the Connecting Party server as their sandbox records of each sale tell.
    pub violations: Vec<ObservedViolation>,
    /// Why the scenario was skipped, when a server it needs cannot play its part (a Connecting Party server
    /// without the sandbox's `/sim/` misbehaviour control); a skipped scenario has no failure.
    pub skipped: Option<String>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// When the run started: each step's [`Step::elapsed`] counts from here.
    started: Instant,
}

/// A contract violation and the sale it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedViolation {
    /// The sale, 1-based; `None` for the consumer's authentication (steps 2–3), which is no sale's.
    pub sale: Option<usize>,
    /// What was broken, where, and who saw it.
    pub violation: ContractViolation,
}

impl ScenarioReport {
    /// An empty report for `scenario`, its clock started.
    pub(crate) fn new(scenario: &Scenario) -> Self {
        Self::named(&scenario.name, scenario.file.clone())
    }

    /// An empty report for a scenario named `name` from `file`, its clock started.
    pub(crate) fn named(name: &str, file: impl Into<PathBuf>) -> Self {
        Self {
            name: name.to_owned(),
            file: file.into(),
            steps: Vec::new(),
            sales: Vec::new(),
            failures: Vec::new(),
            violations: Vec::new(),
            skipped: None,
            elapsed: Duration::ZERO,
            started: Instant::now(),
        }
    }

    /// Sets [`elapsed`](Self::elapsed) to the time since the run started.
    pub(crate) fn finish(&mut self) {
        self.elapsed = self.started.elapsed();
    }

    /// The violations of sale `sale` (1-based).
    pub fn violations_of(&self, sale: usize) -> impl Iterator<Item = &ContractViolation> {
        self.violations
            .iter()
            .filter(move |seen| seen.sale == Some(sale))
            .map(|seen| &seen.violation)
    }

    /// Whether nothing failed (a skipped scenario did not fail).
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// Marks the scenario skipped: it stops, and nothing it did not reach is judged.
    pub(crate) fn skip(&mut self, reason: impl Into<String>) {
        let reason = reason.into();
        tracing::debug!(scenario = %self.name, %reason, "skipped");
        self.skipped = Some(reason);
    }

    /// The line that says best why the scenario failed: its first failure (a sale's violations are judged
    /// before its expectations, so an unexpected violation comes before what it caused); `None` when it
    /// passed.
    pub fn headline(&self) -> Option<&str> {
        self.failures.first().map(String::as_str)
    }

    /// Records a step of sale `sale` (`None`: not tied to a sale) whose message(s) did travel.
    pub(crate) fn step(&mut self, sale: Option<usize>, at: At, detail: impl Into<String>) {
        self.push_step(sale, at, detail.into(), true);
    }

    /// Records a step whose message did not travel, or not observably: no answer, none received, not
    /// observable. The step log shows it all the same; a diagram shows it as a note, not an arrow.
    pub(crate) fn unseen_step(&mut self, sale: Option<usize>, at: At, detail: impl Into<String>) {
        self.push_step(sale, at, detail.into(), false);
    }

    fn push_step(&mut self, sale: Option<usize>, at: At, detail: String, traveled: bool) {
        let step = Step {
            sale,
            number: at.0,
            name: at.1,
            detail,
            elapsed: self.started.elapsed(),
            traveled,
        };
        tracing::debug!(scenario = %self.name, sale = ?step.sale, step = step.number, name = step.name, detail = %step.detail);
        self.steps.push(step);
    }

    /// Records a failure, prefixed with `sale N: ` when it concerns a sale.
    pub(crate) fn fail(&mut self, sale: Option<usize>, message: impl Display) {
        let failure = match sale {
            Some(number) => format!("sale {number}: {message}"),
            None => message.to_string(),
        };
        tracing::debug!(scenario = %self.name, %failure, "failure");
        self.failures.push(failure);
    }

    /// Records a contract violation of sale `sale` (`None`: not tied to a sale).
    pub(crate) fn violation(&mut self, sale: Option<usize>, violation: ContractViolation) {
        tracing::debug!(scenario = %self.name, sale = ?sale, %violation, "contract violation");
        self.violations.push(ObservedViolation { sale, violation });
    }
}

/// One step of the spec's diagram, taken by the client or observed at the party.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The sale it belongs to, 1-based; `None` for the consumer's authentication.
    pub sale: Option<usize>,
    /// The diagram's step number (spec 2.1; the card reference look-up is spec 2.2's step 4).
    pub number: u8,
    /// The diagram's name of the step, e.g. `Perform sale request`.
    pub name: &'static str,
    /// What happened, briefly: never a full card number, a CVV, a password or a control key.
    pub detail: String,
    /// When it was recorded, counted from the start of the scenario's run.
    pub elapsed: Duration,
    /// Whether the message(s) did travel (see [`ScenarioReport::unseen_step`]); crate-private because it
    /// only steers the diagram.
    pub(crate) traveled: bool,
}

/// What the client saw of one sale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaleOutcome {
    /// The sale's 1-based number in the scenario.
    pub sale: usize,
    /// The invoice id from initiate sale, once known.
    pub invoice_id: Option<InvoiceId>,
    /// The final `state`; `None` when the sale never reached one (refused, timed out, broken answer).
    pub state: Option<SaleState>,
    /// The final `errorCode`.
    pub error_code: Option<u32>,
    /// The final `errorMessage`.
    pub error_message: Option<String>,
    /// The final `secure3DAuthStatus`.
    pub secure_3d: Option<AuthStatus>,
    /// Whether a `REDIRECT_REQUEST` was seen while polling.
    pub redirect: bool,
    /// Whether the party's sandbox record could be read.
    pub party: PartyObservation,
    /// Whether the gateway's sandbox record could be read.
    pub gateway: PartyObservation,
    /// The final-status callback the party recorded (spec 3.8, steps 23–24).
    pub callback: Option<CallbackStatus>,
    /// The card reference the party created from this sale's card mapping notification (steps 19–20).
    pub client_card_id: Option<ClientCardId>,
}

impl SaleOutcome {
    /// The outcome of a sale that has not got anywhere yet.
    pub(crate) fn new(sale: usize) -> Self {
        Self {
            sale,
            invoice_id: None,
            state: None,
            error_code: None,
            error_message: None,
            secure_3d: None,
            redirect: false,
            party: PartyObservation::NotFetched,
            gateway: PartyObservation::NotFetched,
            callback: None,
            client_card_id: None,
        }
    }
}

/// How much of a server's side of a sale (the gateway's or the Connecting Party's) could be observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartyObservation {
    /// Not looked at (the sale never reached a final state).
    NotFetched,
    /// The server has no sandbox record endpoint (a real server). For the Connecting Party: steps 8, 19 and
    /// 23 and the `callback` and `card_mapping` expectations are not observable. For either: the violations
    /// it saw are not observable, so expected violations of that observer are not checked.
    NotObservable,
    /// The server's record was read.
    Seen,
}

/// `timeout` from now, without the overflow panic of `Instant + Duration` for an absurd `timeout_ms`.
pub(crate) fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .or_else(|| now.checked_add(Duration::from_secs(86_400)))
        .unwrap_or(now)
}

/// A diagram step: its number and name.
#[derive(Clone, Copy, Debug)]
pub(crate) struct At(pub(crate) u8, pub(crate) &'static str);

/// Spec 2.1 step 2.
pub(crate) const REQUEST_ACCESS_TOKEN: At = At(2, "Request access token");
/// Spec 2.1 step 3.
pub(crate) const RESPONSE_ACCESS_TOKEN: At = At(3, "Response access token");
/// Spec 2.2 step 4: the app asks the party for the card reference (spec A24) ...
pub(crate) const CARD_REFERENCE_REQUEST: At = At(4, "Card reference request");
/// ... and the party hands it over (spec 2.2 step 4).
pub(crate) const CARD_REFERENCE_RESPONSE: At = At(4, "Card reference response");
/// Spec 2.1 step 4.
pub(crate) const INITIATE_REQUEST: At = At(4, "Initiate sale request");
/// Spec 2.1 step 5.
pub(crate) const INITIATE_RESPONSE: At = At(5, "Initiate sale response");
/// Spec 2.1 step 6.
pub(crate) const PERFORM_REQUEST: At = At(6, "Perform sale request");
/// Spec 2.1 step 7.
pub(crate) const PERFORM_RESPONSE: At = At(7, "Perform sale response");
/// Spec 2.1 steps 8–9, observed at the party.
pub(crate) const CHECK_SALE: At = At(8, "Check sale");
/// Spec 2.1 step 11.
pub(crate) const STATUS_REQUEST: At = At(11, "Sale status request");
/// Spec 2.1 step 12.
pub(crate) const STATUS_RESPONSE: At = At(12, "Sale status response");
/// Spec 2.1 step 13.
pub(crate) const OPEN_BROWSER: At = At(13, "Open browser on redirectUrl");
/// Spec 2.1 step 15.
pub(crate) const ENTER_3DS_DATA: At = At(15, "Consumer enters 3-D Secure data");
/// Spec 2.1 step 16.
pub(crate) const THREE_DS_UPDATE: At = At(16, "3DS status update");
/// Spec 2.1 step 17.
pub(crate) const CLOSE_BROWSER: At = At(17, "Close browser request");
/// Spec 2.1 steps 19–20, observed at the party.
pub(crate) const CARD_MAPPING: At = At(19, "Card mapping notification");
/// Spec 2.1 step 21.
pub(crate) const FINAL_STATUS_REQUEST: At = At(21, "Sale status request");
/// Spec 2.1 step 22.
pub(crate) const FINAL_STATUS_RESPONSE: At = At(22, "Sale status response (final)");
/// Spec 2.1 steps 23–24, observed at the party.
pub(crate) const CALLBACK: At = At(23, "Callback with final status");
/// Not a diagram step (hence 0): the sandbox set-up that makes a server misbehave for one sale.
pub(crate) const MISBEHAVE: At = At(0, "Sandbox misbehaviour");
