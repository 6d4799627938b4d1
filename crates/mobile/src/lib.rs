//! The scripted mobile client of connpay-sandbox: it plays a [`scenario::Scenario`] against a gateway and a
//! Connecting Party server over real HTTP, the way the Connecting Party's app would (spec 2.1 and 2.2; a card
//! verification as the addendum's §1 has it, with its own messages and paths, and a sale by the card it
//! mapped), and returns a [`ScenarioReport`]: the diagram steps it took or observed, each sale's outcome, the contract
//! violations seen, and every mismatch with the scenario's expectations.
//!
//! Every party checks its peers: the client checks every answer it gets (schema, echoes, the status rules,
//! the documented error body) and records what breaks as [`sandbox_api::ContractViolation`]s seen by the
//! app; once a sale is final it collects the violations the gateway and the Connecting Party server saw from
//! their sandbox records. They are kept in [`ScenarioReport::violations`], each with its sale, and compared
//! with the sale's `[[sale.expect.violation]]`s both ways: an unexpected one, or an expected one not seen,
//! is a failure. A sale with `[sale.misbehave]` first makes the sandbox servers misbehave on purpose.
//!
//! Every report has a [`Verdict`]: `FAIL` with a failure, `SKIP` when the scenario or one of its expectations
//! could not be played or observed by any part of the sandbox (a Connecting Party server without a sandbox
//! record is judged from the gateway's delivery log), else `PASS`.
//!
//! The library reads no environment and prints nothing: [`render`], [`render_summary`], [`write_json`],
//! [`write_junit`] and [`write_diagram`] write where the caller says. Card numbers appear only masked, CVVs
//! and passwords never.
//!
//! # Layout
//! Three jobs, one folder each, and the load mode:
//!
//! ```text
//! lib.rs             Targets (where the parties are) and run
//! app/               playing the app and the consumer
//!   client.rs        Client: the one reqwest client; its JSON, page, form and /sim calls
//!   wire.rs          reading answers: the documented error body, excerpts, which errors are a breach
//!   exchange.rs      one JSON request/response pair: its steps, the invoiceId echo, violations, failure
//!   play.rs          one scenario in the diagram's order, sales and verifications; each then goes to the judge
//!   refusal.rs       the refusals a sale expects: the refusal kept or the answer a failure, perform-twice
//!   messages.rs      the app's DAPI messages built from the scenario (a verification's too), masked labels
//!   mistakes.rs      the app's deliberate mistakes: the correct messages bent on purpose
//!   misbehave.rs     a sale's sandbox misbehaviour, set on the servers before perform sale
//!   status.rs        sale status polling until final, the 3-D Secure page open beside it, retries
//!   browser.rs       the consumer on the 3-D Secure page: open, fill, submit, close
//!   form.rs          the page's form and close marker, read with an HTML parser
//! judge/             judging what happened
//!   mod.rs           a sale's verdict: its violations first, then its expectations
//!   answers.rs       the app's own checks of the answers it gets (echoes, sale status rules)
//!   records.rs       the servers' sandbox records: the party's steps 8, 19, 23, both servers' violations
//!   deliveries.rs    the gateway's delivery log, for a party without a record: steps 19, 23 and their verdict
//!   violations.rs    the violations seen against [[sale.expect.violation]], both ways; the unobservable ones
//!   expectations.rs  the outcome against the rest of [sale.expect]
//!   outcomes.rs      the refusal met and the attack's answer against expect.refused and attack_answer
//! report/            the report and its formats
//!   mod.rs           ScenarioReport, Step, ObservedViolation, Verdict, and the wording the formats share
//!   steps.rs         the step log's numbering (spec 2.1's numbers, the diagram's names; each flow's steps)
//!   side_log.rs      SideLog: steps recorded apart (the 3-D Secure page) and merged in time order
//!   outcome.rs       SaleOutcome, ObservedRefusal, PartyObservation
//!   text.rs          render, render_summary: text for people
//!   json.rs          write_json; junit.rs: write_junit, for CI
//!   mermaid/         mermaid, write_diagram: the sequence diagram of what happened (arrows.rs, tests.rs)
//!   load.rs          render_load: the text of a load run
//!   sample.rs        sample reports for the formats' tests
//! load/              load, many flows of one scenario at once
//!   mod.rs           the runner: options, workers, progress
//!   measured.rs      LoadReport, Latency, Hop, HopLatency, FailureKind
//!   tally.rs         the histograms and failure kinds finished flows are folded into
//! ```

mod app;
mod judge;
mod load;
mod report;

use std::time::Duration;

pub use app::Client;
pub use load::{
    FailureKind, Hop, HopLatency, Latency, LoadOptions, LoadProgress, LoadReport, ProgressFn, load,
};
pub use report::json::write_json;
pub use report::junit::write_junit;
pub use report::load::render_load;
pub use report::mermaid::{mermaid, write_diagram};
pub use report::text::{render, render_summary};
pub use report::{
    ObservedRefusal, ObservedViolation, PartyObservation, SaleOutcome, ScenarioReport, Step,
    Verdict,
};

/// Where the gateway and the Connecting Party server listen, and how the client polls.
#[derive(Clone, Debug)]
pub struct Targets {
    /// The gateway's base URL, e.g. `http://127.0.0.1:8080`.
    pub gateway: url::Url,
    /// The Connecting Party server's base URL, e.g. `http://127.0.0.1:8081`.
    pub party: url::Url,
    /// The DAPI path prefix on the gateway (spec A26), default [`dapi::DEFAULT_DAPI_PREFIX`].
    pub dapi_prefix: String,
    /// Pause between two sale status polls (and two looks at the party's record).
    pub poll_interval: Duration,
    /// The roots trusted for `https://` targets (and the 3-D Secure page): public roots by default, plus
    /// `--ca-file` CAs.
    pub trust: tls::Trust,
    /// Sent as `Authorization: Bearer …` on every `/sim` call (records, misbehaviour), for servers started with
    /// `--sandbox-token`; `None` sends none.
    pub sandbox_token: Option<sandbox_api::SandboxToken>,
    /// How long the app waits before each request it sends (access token, initiate, perform, each status poll,
    /// the 3-D Secure page and its answer): a human pace for demos (`mobile-client demo --pace`); zero
    /// otherwise. The client's `/sim` calls are not paced.
    pub pace: Duration,
}

impl Targets {
    /// The sandbox poll interval: short, since the parties are local. A real app polls every 3–5 s (spec 3.5).
    pub const SANDBOX_POLL_INTERVAL: Duration = Duration::from_millis(20);

    /// Targets with the default DAPI prefix and the sandbox poll interval.
    pub fn new(gateway: url::Url, party: url::Url) -> Self {
        Self {
            gateway,
            party,
            dapi_prefix: dapi::DEFAULT_DAPI_PREFIX.to_owned(),
            poll_interval: Self::SANDBOX_POLL_INTERVAL,
            trust: tls::Trust::default(),
            sandbox_token: None,
            pace: Duration::ZERO,
        }
    }
}

/// Plays `scenario` against `targets` with a new [`Client`]. Never panics: a failure to build the client,
/// a refused call or a mismatch with the expectations all end up in the report's `failures`.
pub async fn run(scenario: &scenario::Scenario, targets: &Targets) -> ScenarioReport {
    match Client::new(targets) {
        Ok(client) => client.run(scenario).await,
        Err(error) => {
            let mut report = ScenarioReport::new(scenario);
            report
                .failures
                .push(format!("cannot build the HTTP client: {error}"));
            report
        }
    }
}
