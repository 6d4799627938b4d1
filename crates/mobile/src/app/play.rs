//! One scenario, played in the diagram's order: the access token (steps 2–3), then for each sale the card
//! reference of a repeat sale (spec 2.2 step 4), initiate sale (4–5), the sandbox misbehaviour if any,
//! perform sale (6–7), status polling with the 3-D Secure page (11–22), and what the gateway and the party
//! observed (8, 19, 23 and their violations). Then the sale is judged: its violations, its expectations.

use dapi::Step;
use dapi::messages::initiate::{AccessTokenResponse, ClientCardIdResponse, InitiateSaleResponse};
use dapi::messages::perform::{PerformSaleResponse, SourceOfFunds};
use dapi::steps;
use dapi::{
    AccessToken, EndpointId, InvoiceId, PartyCause, PerformSaleCause, SessionToken, Validate,
};
use scenario::{Sale, Scenario, Source};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::judge::answers;
use crate::app::client::Client;
use crate::app::messages::{self, abbreviate};
use crate::report::{self, At, SaleOutcome, ScenarioReport};
use crate::app::wire::CallError;

/// One sale being played: the scenario, the sale and the consumer's access token.
pub(crate) struct SaleRun<'a> {
    /// The sale's 1-based number.
    pub(crate) number: usize,
    /// The scenario it belongs to.
    pub(crate) scenario: &'a Scenario,
    /// The sale.
    pub(crate) sale: &'a Sale,
    /// The consumer's access token (steps 2–3).
    pub(crate) access_token: &'a AccessToken,
}

/// The sale as the gateway knows it, once perform sale succeeded.
pub(crate) struct GatewaySale {
    /// From initiate sale.
    pub(crate) endpoint_id: EndpointId,
    /// From initiate sale.
    pub(crate) invoice_id: InvoiceId,
    /// From perform sale.
    pub(crate) token: SessionToken,
}

/// One JSON request/response pair of the diagram, as [`Client::exchange`] records it.
struct Exchange<'a> {
    /// The sale, if any.
    sale: Option<usize>,
    /// The request's step.
    request: At,
    /// The response's step.
    response: At,
    /// The response's step as a contract violation names it.
    contract: Step,
    /// Request detail after `POST {path}`, e.g. ` card 411111******1111`.
    detail: String,
    /// The failure's opening words, e.g. `perform sale refused`.
    refused: &'a str,
}

impl Client {
    /// Plays `scenario` and reports every step, outcome and failure. Never panics.
    pub async fn run(&self, scenario: &Scenario) -> ScenarioReport {
        let mut report = ScenarioReport::new(scenario);
        let access_token = self.access_token(scenario, &mut report).await;
        crate::judge::violations::judge_unattached(&mut report);
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
        let exchange = Exchange {
            sale: None,
            request: report::REQUEST_ACCESS_TOKEN,
            response: report::RESPONSE_ACCESS_TOKEN,
            contract: steps::ACCESS_TOKEN_RESPONSE,
            detail: format!(" serialNumber {}", scenario.consumer.serial_number),
            refused: "access token refused, no sale played",
        };
        let url = self.party_url(["auth", "request-access-token"]);
        let request = messages::access_token_request(scenario);
        let describe = |answer: &AccessTokenResponse| {
            format!(
                "accessToken {}",
                abbreviate(answer.session.access_token.as_str())
            )
        };
        let answer = self
            .exchange::<_, PartyCause>(exchange, url, &request, describe, report)
            .await?;
        Some(answer.session.access_token)
    }

    /// Plays one sale as far as it goes, then judges it: violations first (they usually explain the
    /// rest), then the expectations.
    async fn play_sale(&self, run: &SaleRun<'_>, report: &mut ScenarioReport) -> SaleOutcome {
        let mut outcome = SaleOutcome::new(run.number);
        self.drive_sale(run, &mut outcome, report).await;
        if report.skipped.is_some() {
            return outcome;
        }
        crate::judge::violations::judge(run, &outcome, report);
        let failures = crate::judge::expectations::compare(&run.sale.expect, &outcome, run.scenario.timeout);
        for failure in failures {
            report.fail(Some(run.number), failure);
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
        let exchange = Exchange {
            sale: Some(run.number),
            request: report::CARD_REFERENCE_REQUEST,
            response: report::CARD_REFERENCE_RESPONSE,
            contract: answers::CARD_REFERENCE_RESPONSE,
            detail: format!(" (card of sale {from_sale})"),
            refused: "card reference refused",
        };
        let url = self.party_url(["sale", invoice_id.as_str(), "client-card-id"]);
        let request = messages::client_card_id_request(run.access_token);
        let describe =
            |answer: &ClientCardIdResponse| format!("clientCardId {}", answer.client_card_id);
        let answer = self
            .exchange::<_, PartyCause>(exchange, url, &request, describe, report)
            .await?;
        let (expected, echoed) = (invoice_id.as_str(), answer.invoice_id.as_str());
        if let Some(violation) = answers::echo(
            answers::CARD_REFERENCE_RESPONSE,
            "invoiceId",
            expected,
            echoed,
        ) {
            report.violation(Some(run.number), violation);
        }
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
        let exchange = Exchange {
            sale: Some(run.number),
            request: report::INITIATE_REQUEST,
            response: report::INITIATE_RESPONSE,
            contract: steps::INITIATE_SALE_RESPONSE,
            detail: format!(
                " amountCentis {} {}",
                run.sale.amount_centis, run.sale.currency
            ),
            refused: "initiate sale refused",
        };
        let url = self.party_url(["sale", "initiate-sale"]);
        let request = messages::initiate_request(run.scenario, run.sale, run.access_token);
        let describe = |answer: &InitiateSaleResponse| {
            format!(
                "endpointId {}, invoiceId {}",
                answer.endpoint_id, answer.invoice_id
            )
        };
        self.exchange::<_, PartyCause>(exchange, url, &request, describe, report)
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
        let exchange = Exchange {
            sale: Some(run.number),
            request: report::PERFORM_REQUEST,
            response: report::PERFORM_RESPONSE,
            contract: steps::PERFORM_SALE_RESPONSE,
            detail: format!(" {label}"),
            refused: "perform sale refused",
        };
        let url = self.dapi_url(["sale", endpoint_id.as_str(), invoice_id.as_str()]);
        let (scenario, sale) = (run.scenario, run.sale);
        let request =
            messages::perform_request(scenario, sale, run.access_token, session, source_of_funds);
        let describe = |answer: &PerformSaleResponse| {
            format!(
                "session.token {}",
                abbreviate(answer.session.token.as_str())
            )
        };
        let answer = self
            .exchange::<_, PerformSaleCause>(exchange, url, &request, describe, report)
            .await?;
        let (expected, echoed) = (invoice_id.as_str(), answer.invoice_id.as_str());
        if let Some(violation) =
            answers::echo(steps::PERFORM_SALE_RESPONSE, "invoiceId", expected, echoed)
        {
            report.violation(Some(run.number), violation);
        }
        Some(GatewaySale {
            endpoint_id,
            invoice_id,
            token: answer.session.token,
        })
    }

    /// POSTs `body` to `url`, recording the request step, then the response step (`describe`d, or the
    /// error) and, on error, its contract violations and, unless the error is only a breach of the
    /// contract, a failure. `C` is the message's cause enum.
    async fn exchange<R, C>(
        &self,
        exchange: Exchange<'_>,
        url: Result<Url, CallError>,
        body: &impl Serialize,
        describe: impl FnOnce(&R) -> String,
        report: &mut ScenarioReport,
    ) -> Option<R>
    where
        R: DeserializeOwned + Validate,
        C: DeserializeOwned + Serialize,
    {
        let path = url.as_ref().map_or("?", Url::path).to_owned();
        let detail = format!("POST {path}{}", exchange.detail);
        report.step(exchange.sale, exchange.request, detail);
        let answer = match url {
            Ok(url) => self.call::<R, C>(&url, body).await,
            Err(error) => Err(error),
        };
        match answer {
            Ok(answer) => {
                report.step(exchange.sale, exchange.response, describe(&answer));
                Some(answer)
            }
            Err(error) => {
                let (sale, detail) = (exchange.sale, error.to_string());
                match error {
                    CallError::Url(_) | CallError::Transport(_) => {
                        report.unseen_step(sale, exchange.response, detail);
                    }
                    _ => report.step(sale, exchange.response, detail),
                }
                for violation in error.violations(exchange.contract) {
                    report.violation(sale, violation);
                }
                if !error.is_breach() {
                    report.fail(sale, format!("{}: {error}", exchange.refused));
                }
                None
            }
        }
    }
}
