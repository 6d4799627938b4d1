//! One scenario, played in the diagram's order: the access token (steps 2–3), then for each sale or card
//! verification, in the file's order, the card reference of a repeat sale (spec 2.2 step 4, from an earlier
//! sale or verification), initiate sale or verification (4–5), the sandbox misbehaviour if any, perform sale or
//! validation (6–7), status polling with the 3-D Secure page (11–22), and what the gateway and the party
//! recorded (8, 19, 23 and their violations). Then the judge gives the verdict. A verification is played like a
//! sale, with its own messages and paths (addendum §1).
//!
//! A sale with a deliberate mistake (`mistake`) sends the bent message (`app/mistakes.rs`) and expects its
//! refusal: the refusal ends the sale (only `perform-twice` goes on with its first perform), and an answer
//! instead of it is a failure. A sale with `new_access_token` authenticates again first. A card reference the
//! Connecting Party must not hand out (`expect.refused` at step 4) ends the sale there. Mistakes are a sale's:
//! a verification is sent as the scenario has it.

use std::time::Duration;

use dapi::messages::initiate::{
    AccessTokenResponse, ClientCardIdResponse, InitiateSaleResponse, NonceSignature,
};
use dapi::messages::perform::{PerformSaleResponse, SourceOfFunds};
use dapi::{AccessToken, EndpointId, Flow, InvoiceId, PartyCause, PerformSaleCause, SerialNumber};
use scenario::{Mistake, Scenario, Source};

use crate::app::client::Client;
use crate::app::exchange::{ACCESS_TOKEN, CARD_REFERENCE, Exchange, pairs_of};
use crate::app::refusal::{describe_token, expected_refusal, mistake_note};
use crate::app::{GatewaySale, SaleRun, messages, mistakes};
use crate::judge;
use crate::report::{SaleOutcome, ScenarioReport};

impl Client {
    /// Plays `scenario` and reports every step, outcome and failure. Never panics.
    pub async fn run(&self, scenario: &Scenario) -> ScenarioReport {
        let mut report = ScenarioReport::new(scenario);
        let serial = SerialNumber::from(scenario.consumer.serial_number.as_str());
        let access_token = self
            .access_token(scenario, None, &serial, &mut report)
            .await;
        judge::unattached(&mut report);
        let Some(mut access_token) = access_token else {
            report.finish();
            return report;
        };
        let mut previous_session = None;
        for (index, sale) in scenario.sales.iter().enumerate() {
            let number = index + 1;
            if sale.new_access_token {
                match self
                    .access_token(scenario, Some(number), &serial, &mut report)
                    .await
                {
                    Some(token) => access_token = token,
                    None => break,
                }
            }
            let run = SaleRun {
                number,
                scenario,
                sale,
                access_token: &access_token,
                previous_session: previous_session.as_ref(),
            };
            let (outcome, session) = self.play_sale(&run, &mut report).await;
            report.sales.push(outcome);
            previous_session = session;
            if report.skipped.is_some() {
                break;
            }
        }
        report.finish();
        report
    }

    /// Steps 2–3 for the device `serial`, for the scenario (`sale` `None`) or again for one sale.
    async fn access_token(
        &self,
        scenario: &Scenario,
        sale: Option<usize>,
        serial: &SerialNumber,
        report: &mut ScenarioReport,
    ) -> Option<AccessToken> {
        let detail = format!(" serialNumber {serial}");
        let exchange = Exchange::new(ACCESS_TOKEN, sale, detail);
        let url = self.party_url(["auth", "request-access-token"]);
        let request = messages::access_token_request(scenario, serial);
        let answer: AccessTokenResponse = self
            .exchange::<_, PartyCause>(exchange, url, &request, report)
            .await?;
        Some(answer.session.access_token)
    }

    /// Plays one sale as far as it goes, then has it judged (unless the scenario was skipped on the way); the
    /// outcome, and the session initiate sale gave it (for a next sale that reuses it on purpose).
    async fn play_sale(
        &self,
        run: &SaleRun<'_>,
        report: &mut ScenarioReport,
    ) -> (SaleOutcome, Option<NonceSignature>) {
        let mut outcome = SaleOutcome {
            flow: run.sale.flow,
            ..SaleOutcome::new(run.number)
        };
        let mut session = None;
        // The request timeouts follow the sale's latency fault on the gateway's answers.
        let latency = run.sale.misbehave.gateway.latency_ms.unwrap_or(0);
        let client = self.with_latency(Duration::from_millis(latency));
        client
            .drive_sale(run, &mut outcome, &mut session, report)
            .await;
        if report.skipped.is_none() {
            judge::sale(run, &outcome, report);
        }
        (outcome, session)
    }

    /// The sale's messages; `None` where it stopped (the reason is already in the report, or the refusal in
    /// `outcome`).
    async fn drive_sale(
        &self,
        run: &SaleRun<'_>,
        outcome: &mut SaleOutcome,
        session: &mut Option<NonceSignature>,
        report: &mut ScenarioReport,
    ) -> Option<()> {
        let source = self.source_of_funds(run, outcome, report).await?;
        let initiated = self.initiate(run, outcome, report).await?;
        outcome.invoice_id = Some(initiated.invoice_id.clone());
        *session = Some(initiated.session.clone());
        self.misbehave(run, &initiated, report).await?;
        let sale = self
            .perform(run, initiated, source, outcome, report)
            .await?;
        let status = self.poll_until_final(run, &sale, outcome, report).await?;
        outcome.state = Some(status.state);
        outcome.error_code = status.error_code;
        outcome.error_message = status.error_message;
        outcome.secure_3d = status.secure_3d_auth_status;
        outcome.random_sum = status.random_sum_auth_status;
        // The party's record first: it may wait for the callback, which gives the gateway time to record
        // what it saw last (the callback's answer, step 24, and a repeated callback).
        self.observe_party(run, &sale.invoice_id, outcome, report)
            .await;
        self.observe_gateway(run, &sale, outcome, report).await;
        Some(())
    }

    /// `sourceOfFunds`: the scenario's card, or for a repeat sale the `clientCardId` the party hands out for
    /// the earlier sale or verification (spec 2.2 step 4, A24; addendum V17). Returns it with a masked label
    /// for the perform step. A reference the scenario expects refused ends the sale here.
    async fn source_of_funds(
        &self,
        run: &SaleRun<'_>,
        outcome: &mut SaleOutcome,
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
        let refusal = run.refusal_expected_at(4);
        let exchange = Exchange::new(CARD_REFERENCE, Some(run.number), detail)
            .echoing(&invoice_id)
            .refusal_expected(refusal);
        let flow = origin.flow.as_str();
        let url = self.party_url([flow, invoice_id.as_str(), "client-card-id"]);
        let request = messages::client_card_id_request(run.access_token);
        let reply = self
            .exchange_or_refusal::<ClientCardIdResponse, PartyCause>(
                exchange, url, &request, report,
            )
            .await;
        let step = if refusal { 4 } else { 0 };
        let answer = expected_refusal(run, step, reply, outcome, report, |answer| {
            format!(
                "the Connecting Party server answered clientCardId {}",
                answer.client_card_id
            )
        })?;
        Some(messages::reference_source(
            answer.client_card_id,
            security_code,
        ))
    }

    /// Steps 4–5: initiate sale, or initiate verification (a currency, no amount); with `other-device-token`,
    /// first steps 2–3 for another device, whose token initiate sale then carries.
    async fn initiate(
        &self,
        run: &SaleRun<'_>,
        outcome: &mut SaleOutcome,
        report: &mut ScenarioReport,
    ) -> Option<InitiateSaleResponse> {
        let foreign;
        let access_token = if run.sale.mistake == Some(Mistake::OtherDeviceToken) {
            let other = mistakes::other_device(&run.scenario.consumer.serial_number);
            foreign = self
                .access_token(run.scenario, Some(run.number), &other, report)
                .await?;
            &foreign
        } else {
            run.access_token
        };
        let (scenario, sale) = (run.scenario, run.sale);
        let (amount, currency) = (sale.amount_centis, &sale.currency);
        let refusal = run.refusal_expected_at(5);
        let (pair, _) = pairs_of(sale.flow);
        let reply = match sale.flow {
            Flow::Sale => {
                let detail = format!(" amountCentis {amount} {currency}{}", mistake_note(run));
                let exchange =
                    Exchange::new(pair, Some(run.number), detail).refusal_expected(refusal);
                let url = self.party_url(["sale", "initiate-sale"]);
                let request = messages::initiate_request(scenario, sale, access_token);
                self.exchange_or_refusal::<InitiateSaleResponse, PartyCause>(
                    exchange, url, &request, report,
                )
                .await
            }
            Flow::Verification => {
                let detail = format!(" {currency}");
                let exchange =
                    Exchange::new(pair, Some(run.number), detail).refusal_expected(refusal);
                let url = self.party_url(["verification", "initiate-verification"]);
                let request = messages::initiate_verification_request(scenario, sale, access_token);
                self.exchange_or_refusal::<InitiateSaleResponse, PartyCause>(
                    exchange, url, &request, report,
                )
                .await
            }
        };
        let step = if refusal { 5 } else { 0 };
        expected_refusal(run, step, reply, outcome, report, |answer| {
            format!(
                "the Connecting Party server answered invoiceId {}",
                answer.invoice_id
            )
        })
    }

    /// Steps 6–7: perform sale, with the sale's mistake if any (`perform-twice` then sends the same request
    /// again, which must be refused, and goes on with the first), or perform validation with the card as
    /// `sourceCard`. A refusal ends the sale: its state stays unknown.
    async fn perform(
        &self,
        run: &SaleRun<'_>,
        initiated: InitiateSaleResponse,
        (source_of_funds, label): (SourceOfFunds, String),
        outcome: &mut SaleOutcome,
        report: &mut ScenarioReport,
    ) -> Option<GatewaySale> {
        let InitiateSaleResponse {
            endpoint_id,
            invoice_id,
            session,
        } = initiated;
        if run.sale.flow == Flow::Verification {
            let ids = (&endpoint_id, &invoice_id);
            let source = (source_of_funds, label);
            let answer = self
                .perform_validation(run, ids, session, source, outcome, report)
                .await?;
            return Some(GatewaySale {
                flow: Flow::Verification,
                endpoint_id,
                invoice_id,
                token: answer.session.token,
            });
        }
        let mistake = run.sale.mistake;
        let endpoint = mistakes::endpoint(mistake, &endpoint_id);
        let url = || self.dapi_url(["sale", endpoint.as_str(), invoice_id.as_str()]);
        let (scenario, sale) = (run.scenario, run.sale);
        let mut request =
            messages::perform_request(scenario, sale, run.access_token, session, source_of_funds);
        mistakes::bend_perform(mistake, &mut request, run.previous_session);
        let twice = mistake == Some(Mistake::PerformTwice);
        let refusal = run.refusal_expected_at(7) && !twice;
        let note = if twice {
            String::new()
        } else {
            mistake_note(run)
        };
        let detail = format!(" {label}{note}");
        let (_, pair) = pairs_of(Flow::Sale);
        let exchange = Exchange::new(pair, Some(run.number), detail)
            .echoing(&invoice_id)
            .refusal_expected(refusal);
        let reply = self
            .exchange_or_refusal::<PerformSaleResponse, PerformSaleCause>(
                exchange,
                url(),
                &request,
                report,
            )
            .await;
        let step = if refusal { 7 } else { 0 };
        let answer = expected_refusal(run, step, reply, outcome, report, describe_token)?;
        if twice {
            let detail = format!(" {label}{}", mistake_note(run));
            let again = Exchange::new(pair, Some(run.number), detail)
                .echoing(&invoice_id)
                .refusal_expected(true);
            self.perform_again(run, again, url(), &request, outcome, report)
                .await;
        }
        Some(GatewaySale {
            flow: Flow::Sale,
            endpoint_id,
            invoice_id,
            token: answer.session.token,
        })
    }
}

impl Client {
    /// Verification steps 6–7: perform validation, the card as `sourceCard` (addendum §2.3).
    async fn perform_validation(
        &self,
        run: &SaleRun<'_>,
        (endpoint_id, invoice_id): (&EndpointId, &InvoiceId),
        session: NonceSignature,
        (source_of_funds, label): (SourceOfFunds, String),
        outcome: &mut SaleOutcome,
        report: &mut ScenarioReport,
    ) -> Option<PerformSaleResponse> {
        let Some(card) = source_of_funds.card else {
            report.fail(
                Some(run.number),
                "a verification needs card data".to_owned(),
            );
            return None;
        };
        let (scenario, sale) = (run.scenario, run.sale);
        let request =
            messages::perform_validation_request(scenario, sale, run.access_token, session, card);
        let refusal = run.refusal_expected_at(7);
        let (_, pair) = pairs_of(Flow::Verification);
        let exchange = Exchange::new(pair, Some(run.number), format!(" {label}"))
            .echoing(invoice_id)
            .refusal_expected(refusal);
        let url = self.dapi_url(["verification", endpoint_id.as_str(), invoice_id.as_str()]);
        let reply = self
            .exchange_or_refusal::<PerformSaleResponse, PerformSaleCause>(
                exchange, url, &request, report,
            )
            .await;
        let step = if refusal { 7 } else { 0 };
        expected_refusal(run, step, reply, outcome, report, describe_token)
    }
}
