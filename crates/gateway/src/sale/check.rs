//! Check sale (spec 3.4), step 8 of a sale — and check verification (addendum §2.4), step 8 of a verification:
//! the gateway asks the Connecting Party whether the transaction may go on, once, within `check_timeout`. The
//! answer (either message's, read as one [`CheckAnswer`]) must keep the rules in `rules`; every breach is recorded
//! as a contract violation (step 9, or step 6 for the perform's e-mail) and the first one names the decline. A
//! passed check starts processing ([`super::processing`]); a failed one ends the transaction.

mod rules;

use super::callback::finish;
use super::violations::call_violations;
use super::{CardFacts, Ending, processing};
use crate::party_client::{Call, CallError};
use crate::state::AppState;
use crate::store::CardRecord;
use crate::verification;
use dapi::messages::check::{
    CheckSaleRequest, CheckSaleResponse, CheckSession, CheckSource, ClientCardRef,
};
use dapi::messages::common::{CheckedSession, DeviceConsumer};
use dapi::messages::verification::check::{CheckVerificationRequest, CheckVerificationResponse};
use dapi::{
    CallbackStatus, ClientCardId, ControlKey, Email, EndpointId, Flow, InvoiceId, Nonce,
    SerialNumber, ServerCardId, SessionToken, paths,
};
use sandbox_api::SaleRef;
use std::time::Duration;

/// Check sale or check verification, then processing or a decline.
pub(crate) async fn check(state: AppState, token: SessionToken) {
    let Some(job) = job(&state, &token) else {
        return;
    };
    // An attack of the sandbox's attack pack goes just before the real check, which it does not change.
    crate::sandbox::attack::before_check(&state, &job).await;
    let timeout = state.config().timings.check_timeout;
    let checked = match job.call(&state, timeout).await {
        Ok(answer) => accept(&state, &job, &answer),
        Err(error) => {
            let step = job.flow.steps().check_response;
            let found = call_violations(step, &error, timeout);
            state.store().record_violations(&token, found);
            Err(CheckFailure::from(error))
        }
    };
    match checked {
        Ok(checked) => processing::start(&state, &token, checked),
        Err(failure) => {
            tracing::warn!(%failure, "check failed");
            finish(&state, &token, failure.ending(job.flow));
        }
    }
}

/// Why a check failed; the transaction is declined with `check sale failed: {reason}` (spec A14), or `check
/// verification failed: {reason}`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CheckFailure {
    /// No usable answer.
    #[error("{0}")]
    Call(#[from] CallError),
    /// The answer's `invoiceId` is not the sale's.
    #[error("invoiceId mismatch")]
    InvoiceId,
    /// The answer's `session.nonce` is not the perform's.
    #[error("nonce mismatch")]
    Nonce,
    /// The answer's `session.token` is not the sale's.
    #[error("token mismatch")]
    Token,
    /// `checkSignature` does not verify with the endpoint's key.
    #[error("bad checkSignature")]
    Signature,
    /// A `clientCardId` was sent and no `serverCardId` came back.
    #[error("no serverCardId for the clientCardId")]
    MissingServerCardId,
    /// The `serverCardId` is not one this gateway issued for this endpoint.
    #[error("unknown serverCardId")]
    UnknownServerCardId,
    /// `transaction.currency` differs from the sale's.
    #[error("transaction.currency mismatch")]
    Currency,
    /// Neither perform validation nor its check answer named the verification's currency (addendum V9).
    #[error("transaction.currency unknown")]
    NoCurrency,
    /// The card was mapped with an e-mail and the perform or the answer carries another (spec 2.2), or a check
    /// verification answers another e-mail than perform validation's (addendum §2.4).
    #[error("consumer.email mismatch")]
    Email,
}

impl CheckFailure {
    /// How the transaction ends.
    pub(crate) fn ending(&self, flow: Flow) -> Ending {
        let status = match self {
            Self::Call(error) => error.callback_status(),
            _ => CallbackStatus::Declined,
        };
        Ending::failed(status, &format!("check {flow} failed: {self}"))
    }
}

/// The request of one check: check sale's, or check verification's (consumer and session only).
#[derive(Debug)]
pub(crate) enum CheckRequest {
    /// `POST {cp}/sale/{invoiceId}/check`.
    Sale(CheckSaleRequest),
    /// `POST {cp}/verification/{invoiceId}/check`.
    Verification(CheckVerificationRequest),
}

/// A check answer of either flow, as its rules read it.
#[derive(Clone, Debug)]
pub(crate) struct CheckAnswer {
    /// `invoiceId`.
    pub(crate) invoice_id: InvoiceId,
    /// `session.{checkSignature,nonce,token}`.
    pub(crate) session: CheckedSession,
    /// `sourceOfFunds.reference.serverCardId` (check sale only).
    pub(crate) server_card_id: Option<ServerCardId>,
    /// `transaction.currency`.
    pub(crate) currency: Option<String>,
    /// `transaction.randomSumCentis`: the Connecting Party asks for a random-sum check (spec A21, addendum §5).
    pub(crate) random_sum_centis: Option<u64>,
    /// `consumer.email`.
    pub(crate) email: Option<Email>,
}

impl From<CheckSaleResponse> for CheckAnswer {
    fn from(response: CheckSaleResponse) -> Self {
        let server_card_id = response.server_card_id().cloned();
        let email = response.email().cloned();
        let transaction = response.transaction;
        Self {
            server_card_id,
            email,
            random_sum_centis: transaction.as_ref().and_then(|t| t.random_sum_centis),
            currency: transaction.and_then(|t| t.currency),
            invoice_id: response.invoice_id,
            session: response.session,
        }
    }
}

/// Everything one check needs, copied out of the store.
#[derive(Debug)]
pub(crate) struct CheckJob {
    /// `{party_url}/{flow}/{invoiceId}/check`, the invoice id one path segment.
    pub(crate) url: String,
    /// The request body.
    pub(crate) request: CheckRequest,
    flow: Flow,
    /// The sale's ids, for the journal.
    pub(crate) sale: SaleRef,
    key: ControlKey,
    /// The transaction's endpoint.
    pub(crate) endpoint_id: EndpointId,
    /// The transaction's invoice.
    pub(crate) invoice_id: InvoiceId,
    /// The transaction.
    pub(crate) token: SessionToken,
    nonce: Nonce,
    serial_number: SerialNumber,
    currency: Option<String>,
    client_card_id: Option<ClientCardId>,
    email: Option<Email>,
}

impl CheckJob {
    /// One attempt: the answer decoded and validated as its flow's message.
    async fn call(&self, state: &AppState, timeout: Duration) -> Result<CheckAnswer, CallError> {
        let party = state.party();
        let call = self.call_for_journal();
        match &self.request {
            CheckRequest::Sale(request) => party
                .post::<_, CheckSaleResponse>(call, &self.url, request, timeout)
                .await
                .map(CheckAnswer::from),
            CheckRequest::Verification(request) => party
                .post::<_, CheckVerificationResponse>(call, &self.url, request, timeout)
                .await
                .map(CheckAnswer::from),
        }
    }

    /// What the check is, for the journal: its flow's steps 8–9 and the sale's ids.
    pub(crate) fn call_for_journal(&self) -> Call {
        let steps = self.flow.steps();
        Call {
            step: steps.check_request,
            answer: steps.check_response,
            sale: self.sale.clone(),
        }
    }

    /// The check sale request, for a sale's job; `None` for a verification's (the attack pack covers sales).
    pub(crate) fn sale_check_request(&self) -> Option<&CheckSaleRequest> {
        match &self.request {
            CheckRequest::Sale(request) => Some(request),
            CheckRequest::Verification(_) => None,
        }
    }
}

/// The check of a sale or verification still being checked.
fn job(state: &AppState, token: &SessionToken) -> Option<CheckJob> {
    let sale = state.store().with_sale(token, Clone::clone)?;
    let endpoint = state.endpoint(&sale.endpoint_id)?;
    let consumer = DeviceConsumer::new(sale.serial_number.clone());
    let session = CheckSession {
        access_token: sale.access_token.clone(),
        nonce: sale.nonce.clone(),
        signature: sale.signature.clone(),
        token: sale.token.clone(),
    };
    let request = match sale.flow {
        Flow::Sale => CheckRequest::Sale(CheckSaleRequest {
            consumer,
            session,
            source_of_funds: sale
                .client_card_id
                .clone()
                .map(|client_card_id| CheckSource {
                    reference: ClientCardRef { client_card_id },
                }),
        }),
        Flow::Verification => {
            CheckRequest::Verification(verification::check_request(consumer, session))
        }
    };
    Some(CheckJob {
        url: format!(
            "{}{}",
            endpoint.party_url,
            paths::check(sale.flow, &sale.invoice_id)
        ),
        request,
        flow: sale.flow,
        sale: sale.sale_ref(),
        key: endpoint.control_key,
        endpoint_id: sale.endpoint_id,
        invoice_id: sale.invoice_id,
        token: sale.token,
        nonce: sale.nonce,
        serial_number: sale.serial_number,
        currency: sale.currency,
        client_card_id: sale.client_card_id,
        email: sale.email,
    })
}

/// Applies every rule to a check answer and records each breach as a contract violation; for a repeat sale,
/// resolves the card in the registry; for a verification that named no currency, keeps the answer's.
///
/// # Errors
/// The first rule the answer breaks (it names the decline).
fn accept(state: &AppState, job: &CheckJob, answer: &CheckAnswer) -> Result<Checked, CheckFailure> {
    let mut breaches = job.answer_breaches(answer);
    let mut card = None;
    let reference = job
        .client_card_id
        .as_ref()
        .and(answer.server_card_id.as_ref());
    if let Some(server_card_id) = reference {
        let record: Option<CardRecord> = state
            .store()
            .card(server_card_id)
            .filter(|record| record.endpoint_id == job.endpoint_id);
        match record {
            Some(record) => {
                breaches.extend(job.email_breaches(&record, answer.email.as_ref()));
                card = Some(record.card);
            }
            None => breaches.push(job.unknown_card(server_card_id)),
        }
    }
    let found = breaches.iter().map(|breach| breach.violation.clone());
    state.store().record_violations(&job.token, found);
    if let Some(breach) = breaches.into_iter().next() {
        return Err(breach.failure);
    }
    if job.currency.is_none() {
        let learned = answer.currency.clone();
        state
            .store()
            .update_sale(&job.token, |sale| sale.currency = learned);
    }
    Ok(Checked {
        card,
        server_card_id: reference.cloned(),
        random_sum_centis: answer.random_sum_centis,
    })
}

/// What a passed check tells processing.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// For a repeat sale, the card resolved in the registry.
    pub(crate) card: Option<CardFacts>,
    /// For a repeat sale, the `serverCardId` the Connecting Party answered.
    pub(crate) server_card_id: Option<ServerCardId>,
    /// `transaction.randomSumCentis`: the Connecting Party asks for a random-sum check (spec A21, addendum §5).
    pub(crate) random_sum_centis: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::sale::Sale;
    use dapi::signature::{CheckSaleSigned, sign};
    use serde_json::json;

    pub(super) const TOKEN: &str = "0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b";
    const INVOICE: &str = "INV-2024-000042";
    pub(super) const NONCE: &str = "7f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60";

    pub(super) fn job_for(source: serde_json::Value, email: Option<&str>) -> CheckJob {
        job_with(INVOICE, source, email)
    }

    fn job_with(invoice: &str, source: serde_json::Value, email: Option<&str>) -> CheckJob {
        let state = AppState::new(Config::sandbox("http://gw.test", "http://cp.test"));
        let perform = json!({"consumer":{"device":{"serialNumber":"SN-ANDROID-0001"},"email":email},
            "session":{"accessToken":"a3f1c2d4e5b60718293a4b5c6d7e8f90","nonce":NONCE,"signature":"2C692B7CBF744A6258EE6AE324A00797D6A2AE9A"},
            "sourceOfFunds":source,"transaction":{"amountCentis":1050,"currency":"EUR"}});
        let sale = Sale::open(
            TOKEN.into(),
            "1234".into(),
            invoice.into(),
            serde_json::from_value(perform).unwrap(),
        );
        state.store().open_sale(sale).unwrap();
        job(&state, &TOKEN.into()).unwrap()
    }

    impl CheckJob {
        /// The check sale request of a sale's job.
        fn sale_request(&self) -> &CheckSaleRequest {
            match &self.request {
                CheckRequest::Sale(request) => request,
                CheckRequest::Verification(_) => unreachable!("a sale's check"),
            }
        }
    }

    pub(super) fn card_job() -> CheckJob {
        job_for(
            json!({"card":{"number":"4111111111111111","securityCode":"123","expiry":{"month":1,"year":2030},"holder":{"printedName":"J D"}}}),
            None,
        )
    }

    pub(super) fn answer(
        job: &CheckJob,
        server_card_id: Option<&str>,
        signature_key_ok: bool,
    ) -> CheckAnswer {
        let signed = CheckSaleSigned {
            serial_number: "SN-ANDROID-0001",
            nonce: NONCE,
            endpoint_id: "1234",
            invoice_id: "INV-2024-000042",
            server_card_id,
        };
        let key = if signature_key_ok {
            job.key.clone()
        } else {
            ControlKey::parse("00112233").unwrap()
        };
        let mut body = json!({"invoiceId":"INV-2024-000042",
            "session":{"checkSignature":sign(&key, &signed.string_to_sign()).to_string(),"nonce":NONCE,"token":TOKEN},
            "transaction":{"currency":"EUR"}});
        if let Some(id) = server_card_id {
            body["sourceOfFunds"] = json!({"reference":{"serverCardId":id}});
        }
        CheckAnswer::from(serde_json::from_value::<CheckSaleResponse>(body).unwrap())
    }

    #[test]
    fn the_check_request_carries_the_session_and_no_card_data() {
        let job = card_job();
        assert_eq!(job.url, "http://cp.test/sale/INV-2024-000042/check");
        let body = serde_json::to_value(job.sale_request()).unwrap();
        assert_eq!(body["session"]["token"], TOKEN);
        assert_eq!(
            body["session"]["signature"],
            "2C692B7CBF744A6258EE6AE324A00797D6A2AE9A"
        );
        assert!(body.get("sourceOfFunds").is_none());
        let card = json!({"card":{"number":"4111111111111111","securityCode":"123","expiry":{"month":1,"year":2030},"holder":{"printedName":"J D"}}});
        let odd = job_with("INV/2?x#y", card, None);
        assert_eq!(
            odd.url, "http://cp.test/sale/INV%2F2%3Fx%23y/check",
            "the invoice id stays one path segment"
        );
        let repeat = job_for(
            json!({"reference":{"clientCardId":"cc-1","securityCode":"123"}}),
            None,
        );
        let body = serde_json::to_value(repeat.sale_request()).unwrap();
        assert_eq!(body["sourceOfFunds"]["reference"]["clientCardId"], "cc-1");
    }
}
