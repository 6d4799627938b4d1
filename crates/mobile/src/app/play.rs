//! One scenario, played in the diagram's order: the access token (steps 2–3), then for each sale or card
//! verification, in the file's order, the card reference of a repeat sale (spec 2.2 step 4, from an earlier
//! sale or verification), initiate sale or verification (4–5), the sandbox misbehaviour if any, perform sale or
//! validation (6–7), status polling with the 3-D Secure page (11–22), and what the gateway and the party
//! recorded (8, 19, 23 and their violations). Then the judge gives the verdict. A verification is played like a
//! sale, with its own messages and paths (addendum §1).

use dapi::messages::initiate::{AccessTokenResponse, ClientCardIdResponse, InitiateSaleResponse};
use dapi::messages::perform::{PerformSaleResponse, SourceOfFunds};
use dapi::{AccessToken, Flow, PartyCause, PerformSaleCause};
use scenario::{Refusal, Scenario, Source};

use crate::app::client::Client;
use crate::app::exchange::{ACCESS_TOKEN, CARD_REFERENCE, Exchange, pairs_of};
use crate::app::messages;
use crate::app::{GatewaySale, SaleRun};
use crate::judge;
use crate::report::{SaleOutcome, ScenarioReport};

impl Client {
    /// Plays `scenario` and reports every step, outcome and failure. Never panics.
    pub async fn run(&self, scenario: &Scenario) -> ScenarioReport {
        let mut report = ScenarioReport::new(scenario);
        let access_token = self.access_token(scenario, &mut report).await;
        judge::unattached(&mut report);
        if let Some(access_token) = access_token {
            for (index, sale) in scenario.sales.iter().enumerate() {
                let run = SaleRun {
                    number: index + 1,
                    scenario,
                    sale,
                    access_token: &access_token,
                };
                let outcome = self.play_sale(&run, &mut report).await;
                report.sales.push(outcome);
                if report.skipped.is_some() {
                    break;
                }
            }
        }
        report.finish();
        report
    }

    /// Steps 2–3.
    async fn access_token(
        &self,
        scenario: &Scenario,
        report: &mut ScenarioReport,
    ) -> Option<AccessToken> {
        let detail = format!(" serialNumber {}", scenario.consumer.serial_number);
        let exchange = Exchange::new(ACCESS_TOKEN, None, detail);
        let url = self.party_url(["auth", "request-access-token"]);
        let request = messages::access_token_request(scenario);
        let answer: AccessTokenResponse = self
            .exchange::<_, PartyCause>(exchange, url, &request, report)
            .await?;
        Some(answer.session.access_token)
    }

    /// Plays one sale as far as it goes, then has it judged (unless the scenario was skipped on the way).
    async fn play_sale(&self, run: &SaleRun<'_>, report: &mut ScenarioReport) -> SaleOutcome {
        let mut outcome = SaleOutcome {
            flow: run.sale.flow,
            ..SaleOutcome::new(run.number)
        };
        self.drive_sale(run, &mut outcome, report).await;
        if report.skipped.is_none() {
            judge::sale(run, &outcome, report);
        }
        outcome
    }

    /// The sale's messages; `None` where it stopped (the reason is already in the report).
    async fn drive_sale(
        &self,
        run: &SaleRun<'_>,
        outcome: &mut SaleOutcome,
        report: &mut ScenarioReport,
    ) -> Option<()> {
        let source = self.source_of_funds(run, report).await?;
        let initiated = self.initiate(run, report).await?;
        outcome.invoice_id = Some(initiated.invoice_id.clone());
        self.misbehave(run, &initiated, report).await?;
        let sale = self.perform(run, initiated, source, report).await?;
        let status = self.poll_until_final(run, &sale, outcome, report).await?;
        outcome.state = Some(status.state);
        outcome.error_code = status.error_code;
        outcome.error_message = status.error_message;
        outcome.secure_3d = status.secure_3d_auth_status;
        // The party's record first: it may wait for the callback, which gives the gateway time to record
        // what it saw last (the callback's answer, step 24).
        self.observe_party(run, &sale.invoice_id, outcome, report)
            .await;
        self.observe_gateway(run, &sale, outcome, report).await;
        Some(())
    }

    /// `sourceOfFunds`: the scenario's card, or for a repeat sale the `clientCardId` the party hands out for
    /// the earlier sale or verification (spec 2.2 step 4, A24; addendum V17). Returns it with a masked label
    /// for the perform step. A reference the scenario expects refused ends the sale here, without a failure
    /// when it is.
    async fn source_of_funds(
        &self,
        run: &SaleRun<'_>,
        report: &mut ScenarioReport,
    ) -> Option<(SourceOfFunds, String)> {
        let (from, security_code) = match &run.sale.source {
            Source::Card(card) => return Some(messages::card_source(card, run.scenario)),
            Source::Reference {
                from,
                security_code,
            } => (*from, security_code),
        };
        let origin = run.scenario.sale(from)?;
        let earlier = from
            .checked_sub(1)
            .and_then(|index| report.sales.get(index))
            .and_then(|outcome| outcome.invoice_id.clone());
        let label = origin.label();
        let Some(invoice_id) = earlier else {
            let text = format!("no card reference: {label} has no invoice");
            report.fail(Some(run.number), text);
            return None;
        };
        let detail = format!(" (card of {label})");
        let refused = run.sale.expect.refused == Some(Refusal::CardReference);
        let exchange = Exchange::new(CARD_REFERENCE, Some(run.number), detail)
            .echoing(&invoice_id)
            .refused_as_expected(refused);
        let flow = origin.flow.as_str();
        let url = self.party_url([flow, invoice_id.as_str(), "client-card-id"]);
        let request = messages::client_card_id_request(run.access_token);
        let answer: ClientCardIdResponse = self
            .exchange::<_, PartyCause>(exchange, url, &request, report)
            .await?;
        Some(messages::reference_source(
            answer.client_card_id,
            security_code,
        ))
    }

    /// Steps 4–5: initiate sale, or initiate verification (a currency, no amount).
    async fn initiate(
        &self,
        run: &SaleRun<'_>,
        report: &mut ScenarioReport,
    ) -> Option<InitiateSaleResponse> {
        let (scenario, sale, token) = (run.scenario, run.sale, run.access_token);
        let (pair, _) = pairs_of(sale.flow);
        let (amount, currency) = (sale.amount_centis, &sale.currency);
        match sale.flow {
            Flow::Sale => {
                let detail = format!(" amountCentis {amount} {currency}");
                let exchange = Exchange::new(pair, Some(run.number), detail);
                let url = self.party_url(["sale", "initiate-sale"]);
                let request = messages::initiate_request(scenario, sale, token);
                self.exchange::<_, PartyCause>(exchange, url, &request, report)
                    .await
            }
            Flow::Verification => {
                let exchange = Exchange::new(pair, Some(run.number), format!(" {currency}"));
                let url = self.party_url(["verification", "initiate-verification"]);
                let request = messages::initiate_verification_request(scenario, sale, token);
                self.exchange::<_, PartyCause>(exchange, url, &request, report)
                    .await
            }
        }
    }

    /// Steps 6–7: perform sale, or perform validation with the card as `sourceCard`. A refusal ends the sale:
    /// its state stays unknown.
    async fn perform(
        &self,
        run: &SaleRun<'_>,
        initiated: InitiateSaleResponse,
        (source_of_funds, label): (SourceOfFunds, String),
        report: &mut ScenarioReport,
    ) -> Option<GatewaySale> {
        let InitiateSaleResponse {
            endpoint_id,
            invoice_id,
            session,
        } = initiated;
        let (scenario, sale, token) = (run.scenario, run.sale, run.access_token);
        let (_, pair) = pairs_of(sale.flow);
        let detail = format!(" {label}");
        let exchange = Exchange::new(pair, Some(run.number), detail).echoing(&invoice_id);
        let flow = sale.flow.as_str();
        let url = self.dapi_url([flow, endpoint_id.as_str(), invoice_id.as_str()]);
        let answer: PerformSaleResponse = match (sale.flow, source_of_funds.card) {
            (Flow::Verification, Some(card)) => {
                let request =
                    messages::perform_validation_request(scenario, sale, token, session, card);
                self.exchange::<_, PerformSaleCause>(exchange, url, &request, report)
                    .await?
            }
            (_, card) => {
                let source_of_funds = SourceOfFunds {
                    card,
                    ..source_of_funds
                };
                let request =
                    messages::perform_request(scenario, sale, token, session, source_of_funds);
                self.exchange::<_, PerformSaleCause>(exchange, url, &request, report)
                    .await?
            }
        };
        Some(GatewaySale {
            flow: sale.flow,
            endpoint_id,
            invoice_id,
            token: answer.session.token,
        })
    }
}
