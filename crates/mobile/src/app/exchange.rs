//! One JSON exchange of the diagram as the app records it: the request step, then the response step with
//! the answer ([`Answer::describe`]d) and the check that it echoes the sale's `invoiceId`, or with the
//! error, the error's contract violations at the response step and, unless the error is only a breach of
//! the contract, a failure. An exchange the scenario expects to be refused ([`Exchange::refusal_expected`])
//! gives its non-2xx answer back as a [`Reply::Refused`] instead, for the judge to compare.

use dapi::messages::initiate::{AccessTokenResponse, ClientCardIdResponse, InitiateSaleResponse};
use dapi::messages::perform::PerformSaleResponse;
use dapi::{Flow, InvoiceId, Validate};
use sandbox_api::text::short;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::app::client::Client;
use crate::app::wire::CallError;
use crate::judge::answers;
use crate::report::{ObservedRefusal, ScenarioReport, steps};

/// A request/response pair of the diagram: its two steps and the opening words of its failure.
#[derive(Clone, Copy)]
pub(super) struct Pair {
    /// The request's step.
    request: dapi::Step,
    /// The response's step, which its contract violations carry too.
    response: dapi::Step,
    /// The failure's opening words, e.g. `perform sale refused`.
    refused: &'static str,
}

const fn pair(request: dapi::Step, response: dapi::Step, refused: &'static str) -> Pair {
    Pair {
        request,
        response,
        refused,
    }
}

/// Steps 2–3 (spec 3.1): without a token no sale is played.
pub(super) const ACCESS_TOKEN: Pair = pair(
    steps::ACCESS_TOKEN_REQUEST,
    steps::ACCESS_TOKEN_RESPONSE,
    "access token refused, no sale played",
);
/// Spec 2.2 step 4 (spec A24).
pub(super) const CARD_REFERENCE: Pair = pair(
    steps::CARD_REFERENCE_REQUEST,
    steps::CARD_REFERENCE_RESPONSE,
    "card reference refused",
);
/// Steps 4–5 (spec 3.2).
pub(super) const INITIATE_SALE: Pair = pair(
    steps::INITIATE_SALE_REQUEST,
    steps::INITIATE_SALE_RESPONSE,
    "initiate sale refused",
);
/// Steps 6–7 (spec 3.3).
pub(super) const PERFORM_SALE: Pair = pair(
    steps::PERFORM_SALE_REQUEST,
    steps::PERFORM_SALE_RESPONSE,
    "perform sale refused",
);
/// Verification steps 4–5 (addendum §2.2).
pub(super) const INITIATE_VERIFICATION: Pair = pair(
    steps::INITIATE_VERIFICATION_REQUEST,
    steps::INITIATE_VERIFICATION_RESPONSE,
    "initiate verification refused",
);
/// Verification steps 6–7 (addendum §2.3).
pub(super) const PERFORM_VALIDATION: Pair = pair(
    steps::PERFORM_VALIDATION_REQUEST,
    steps::PERFORM_VALIDATION_RESPONSE,
    "perform validation refused",
);

/// The initiate and perform pairs of `flow`.
pub(super) fn pairs_of(flow: Flow) -> (Pair, Pair) {
    match flow {
        Flow::Sale => (INITIATE_SALE, PERFORM_SALE),
        Flow::Verification => (INITIATE_VERIFICATION, PERFORM_VALIDATION),
    }
}

/// One exchange to make, as [`Client::exchange`] records it.
pub(super) struct Exchange<'a> {
    /// Which pair of the diagram.
    pair: Pair,
    /// The sale, if any.
    sale: Option<usize>,
    /// Request detail after `POST {path}`, e.g. ` card 411111******1111`.
    detail: String,
    /// The invoice the answer is about, which it must echo (for the answers that name one).
    invoice: Option<&'a InvoiceId>,
    /// Whether a non-2xx answer is what the scenario expects (a refusal, not a failure).
    refusal_expected: bool,
}

/// What an exchange gave.
pub(super) enum Reply<R> {
    /// The answer.
    Answer(R),
    /// A non-2xx answer where the scenario expects a refusal.
    Refused(ObservedRefusal),
    /// Nothing usable; the failure (or the violation) is recorded.
    Failed,
}

impl<R> Reply<R> {
    /// The answer, if there is one.
    pub(super) fn answer(self) -> Option<R> {
        match self {
            Self::Answer(answer) => Some(answer),
            Self::Refused(_) | Self::Failed => None,
        }
    }
}

impl<'a> Exchange<'a> {
    /// `pair` for sale `sale` (`None`: the consumer's authentication), the request step saying `detail`.
    pub(super) fn new(pair: Pair, sale: Option<usize>, detail: String) -> Self {
        Self {
            pair,
            sale,
            detail,
            invoice: None,
            refusal_expected: false,
        }
    }

    /// The same, whose non-2xx answer is the refusal the scenario expects, when `expected`.
    pub(super) fn refusal_expected(self, expected: bool) -> Self {
        Self {
            refusal_expected: expected,
            ..self
        }
    }

    /// The same, with an answer that must echo `invoice`.
    pub(super) fn echoing(self, invoice: &'a InvoiceId) -> Self {
        Self {
            invoice: Some(invoice),
            ..self
        }
    }
}

/// An answer the app gets in an exchange: what the step log says of it (short, never a secret), and the
/// `invoiceId` it echoes, if it has one.
pub(super) trait Answer: DeserializeOwned + Validate {
    /// The response step's detail.
    fn describe(&self) -> String;

    /// The `invoiceId` the answer names.
    fn invoice_id(&self) -> Option<&InvoiceId> {
        None
    }
}

impl Answer for AccessTokenResponse {
    fn describe(&self) -> String {
        format!("accessToken {}", short(self.session.access_token.as_str()))
    }
}

impl Answer for ClientCardIdResponse {
    fn describe(&self) -> String {
        format!("clientCardId {}", self.client_card_id)
    }

    fn invoice_id(&self) -> Option<&InvoiceId> {
        Some(&self.invoice_id)
    }
}

impl Answer for InitiateSaleResponse {
    fn describe(&self) -> String {
        let (endpoint_id, invoice_id) = (&self.endpoint_id, &self.invoice_id);
        format!("endpointId {endpoint_id}, invoiceId {invoice_id}")
    }
}

impl Answer for PerformSaleResponse {
    fn describe(&self) -> String {
        format!("session.token {}", short(self.session.token.as_str()))
    }

    fn invoice_id(&self) -> Option<&InvoiceId> {
        Some(&self.invoice_id)
    }
}

impl Client {
    /// POSTs `body` to `url` and records the exchange (see the module documentation); `C` is the
    /// message's cause enum.
    pub(super) async fn exchange<R: Answer, C>(
        &self,
        exchange: Exchange<'_>,
        url: Result<Url, CallError>,
        body: &impl Serialize,
        report: &mut ScenarioReport,
    ) -> Option<R>
    where
        C: DeserializeOwned + Serialize,
    {
        self.exchange_or_refusal::<R, C>(exchange, url, body, report)
            .await
            .answer()
    }

    /// [`exchange`](Self::exchange), giving back the refusal the scenario expects, if it came.
    pub(super) async fn exchange_or_refusal<R: Answer, C>(
        &self,
        exchange: Exchange<'_>,
        url: Result<Url, CallError>,
        body: &impl Serialize,
        report: &mut ScenarioReport,
    ) -> Reply<R>
    where
        C: DeserializeOwned + Serialize,
    {
        let Exchange {
            pair,
            sale,
            detail,
            invoice,
            refusal_expected,
        } = exchange;
        let Pair {
            request,
            response,
            refused,
        } = pair;
        let path = url.as_ref().map_or("?", Url::path).to_owned();
        report.step(sale, request, format!("POST {path}{detail}"));
        let answer = match url {
            Ok(url) => self.call::<R, C>(&url, body).await,
            Err(error) => Err(error),
        };
        match answer {
            Ok(answer) => {
                report.step(sale, response, answer.describe());
                if let (Some(expected), Some(echoed)) = (invoice, answer.invoice_id()) {
                    report.violations_seen(sale, answers::invoice_echo(response, expected, echoed));
                }
                Reply::Answer(answer)
            }
            Err(error) => {
                record_error(report, sale, response, &error);
                report.violations_seen(sale, error.violations(response));
                if let Some(refusal) = error.refusal(response.number).filter(|_| refusal_expected) {
                    return Reply::Refused(refusal);
                }
                if !error.is_breach() {
                    report.fail(sale, format!("{refused}: {error}"));
                }
                Reply::Failed
            }
        }
    }
}

/// Records the response step `at` of an exchange that gave `error` instead of the answer.
pub(super) fn record_error(
    report: &mut ScenarioReport,
    sale: Option<usize>,
    at: dapi::Step,
    error: &CallError,
) {
    report.record_step(sale, at, error.to_string(), error.answered());
}
