//! One scenario, played in the diagram's order: the access token (steps 2–3), then for each sale the card
//! reference of a repeat sale (spec 2.2 step 4), initiate sale (4–5), the sandbox misbehaviour if any,
//! perform sale (6–7), status polling with the 3-D Secure page (11–22), and what the gateway and the party
//! recorded (8, 19, 23 and their violations). Then the judge gives the sale's verdict.

use dapi::messages::initiate::{AccessTokenResponse, ClientCardIdResponse, InitiateSaleResponse};
use dapi::messages::perform::{PerformSaleResponse, SourceOfFunds};
use dapi::{AccessToken, PartyCause, PerformSaleCause};
use scenario::{Scenario, Source};

use crate::app::client::Client;
use crate::app::exchange::{ACCESS_TOKEN, CARD_REFERENCE, Exchange, INITIATE_SALE, PERFORM_SALE};
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
        let mut outcome = SaleOutcome::new(run.number);
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
    /// the earlier sale (spec 2.2 step 4, A24). Returns it with a masked label for the perform step.
    async fn source_of_funds(
        &self,
        run: &SaleRun<'_>,
        report: &mut ScenarioReport,
    ) -> Option<(SourceOfFunds, String)> {
        let (from_sale, security_code) = match &run.sale.source {
            Source::Card(card) => return Some(messages::card_source(card, run.scenario)),
            Source::Reference {
                from_sale,
                security_code,
            } => (*from_sale, security_code),
        };
        let earlier = from_sale
            .checked_sub(1)
            .and_then(|index| report.sales.get(index))
            .and_then(|outcome| outcome.invoice_id.clone());
        let Some(invoice_id) = earlier else {
            let text = format!("no card reference: sale {from_sale} has no invoice");
            report.fail(Some(run.number), text);
            return None;
        };
        let detail = format!(" (card of sale {from_sale})");
        let exchange = Exchange::new(CARD_REFERENCE, Some(run.number), detail).echoing(&invoice_id);
        let url = self.party_url(["sale", invoice_id.as_str(), "client-card-id"]);
        let request = messages::client_card_id_request(run.access_token);
        let answer: ClientCardIdResponse = self
            .exchange::<_, PartyCause>(exchange, url, &request, report)
            .await?;
        Some(messages::reference_source(
            answer.client_card_id,
            security_code,
        ))
    }

    /// Steps 4–5.
    async fn initiate(
        &self,
        run: &SaleRun<'_>,
        report: &mut ScenarioReport,
    ) -> Option<InitiateSaleResponse> {
        let (amount, currency) = (run.sale.amount_centis, &run.sale.currency);
        let detail = format!(" amountCentis {amount} {currency}");
        let exchange = Exchange::new(INITIATE_SALE, Some(run.number), detail);
        let url = self.party_url(["sale", "initiate-sale"]);
        let request = messages::initiate_request(run.scenario, run.sale, run.access_token);
        self.exchange::<_, PartyCause>(exchange, url, &request, report)
            .await
    }

    /// Steps 6–7. A refusal ends the sale: its state stays unknown.
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
        let detail = format!(" {label}");
        let exchange = Exchange::new(PERFORM_SALE, Some(run.number), detail).echoing(&invoice_id);
        let url = self.dapi_url(["sale", endpoint_id.as_str(), invoice_id.as_str()]);
        let (scenario, sale) = (run.scenario, run.sale);
        let request =
            messages::perform_request(scenario, sale, run.access_token, session, source_of_funds);
        let answer: PerformSaleResponse = self
            .exchange::<_, PerformSaleCause>(exchange, url, &request, report)
            .await?;
        Some(GatewaySale {
            endpoint_id,
            invoice_id,
            token: answer.session.token,
        })
    }
}
