//! The Connecting Party server's message journal: which of its routes is which diagram step (one line each —
//! a new route's step is one more line in [`routes`]), whose sale an answered request is, and
//! `GET /sim/journal`. [`around`] records every request but the sandbox's own (`journal::is_sandbox_path`), a
//! request to an unknown path included.

use crate::store::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use dapi::{InvoiceId, PartyCause, SerialNumber, paths, steps};
use journal::query::QueryError;
use journal::{Journal, PathIds, Recorder, Route, RouteTable, Seen};
use sandbox_api::Participant::{App, Gateway, Party};
use sandbox_api::SaleRef;
use serde::Deserialize;
use server_kit::Failure;

/// The server's routes and their steps: the app's requests, then the gateway's.
pub(crate) fn routes() -> RouteTable {
    RouteTable::new(App, Party)
        .line(
            "GET|POST",
            paths::ACCESS_TOKEN,
            steps::ACCESS_TOKEN_REQUEST,
            steps::ACCESS_TOKEN_RESPONSE,
        )
        .line(
            "POST",
            paths::INITIATE_SALE,
            steps::INITIATE_SALE_REQUEST,
            steps::INITIATE_SALE_RESPONSE,
        )
        .line(
            "POST",
            paths::INITIATE_VERIFICATION,
            steps::INITIATE_VERIFICATION_REQUEST,
            steps::INITIATE_VERIFICATION_RESPONSE,
        )
        .line(
            "POST",
            "/sale/{invoice}/client-card-id",
            steps::CARD_REFERENCE_REQUEST,
            steps::CARD_REFERENCE_RESPONSE,
        )
        .line(
            "POST",
            "/verification/{invoice}/client-card-id",
            steps::CARD_REFERENCE_REQUEST,
            steps::CARD_REFERENCE_RESPONSE,
        )
        .sent_by(Gateway)
        .line(
            "POST",
            "/sale/{invoice}/check",
            steps::CHECK_SALE_REQUEST,
            steps::CHECK_SALE_RESPONSE,
        )
        .line(
            "POST",
            "/verification/{invoice}/check",
            steps::CHECK_VERIFICATION_REQUEST,
            steps::CHECK_VERIFICATION_RESPONSE,
        )
        .line(
            "POST",
            paths::CARD_MAPPING_NOTIFICATION,
            steps::CARD_MAPPING_NOTIFICATION,
            steps::CARD_MAPPING_RESPONSE,
        )
        .line(
            "POST",
            paths::VERIFICATION_CARD_MAPPING_NOTIFICATION,
            steps::VERIFICATION_CARD_MAPPING_NOTIFICATION,
            steps::VERIFICATION_CARD_MAPPING_RESPONSE,
        )
        .line(
            "GET",
            paths::CALLBACK,
            steps::CALLBACK,
            steps::CALLBACK_RESPONSE,
        )
}

/// `GET /sim/journal`.
pub(super) async fn query(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Failure<QueryError<PartyCause>>> {
    journal::query::answer(state.messages(), &uri, &headers)
}

impl Recorder for AppState {
    fn messages(&self) -> &Journal {
        AppState::messages(self)
    }

    fn route(&self, method: &Method, path: &str) -> Option<Route> {
        self.journal_routes().classify(method, path)
    }

    /// The sale by the invoice id the path, the answer (`invoiceId`), the callback (`client_orderid`) or the
    /// notification's gateway token names; a sale the server does not know, by what the request says.
    fn sale(&self, ids: &PathIds, seen: &Seen<'_>) -> SaleRef {
        let probe = Probe::of(seen);
        let invoice_id = ids
            .invoice
            .as_deref()
            .map(InvoiceId::from)
            .or_else(|| probe.invoice_id.clone())
            .or_else(|| {
                crate::mapping::token_of(seen.request)
                    .and_then(|token| self.session_invoice(&token))
            });
        let known = invoice_id.as_ref().and_then(|invoice_id| {
            self.read_sale(invoice_id, |sale| SaleRef {
                endpoint_id: Some(sale.terms.endpoint_id.clone()),
                invoice_id: Some(sale.terms.invoice_id.clone()),
                serial_number: Some(sale.terms.serial_number.clone()),
            })
        });
        known.unwrap_or(SaleRef {
            endpoint_id: None,
            invoice_id,
            serial_number: probe.serial_number,
        })
    }
}

/// What the bodies and the query say about the sale, whatever message they are.
#[derive(Debug, Default)]
struct Probe {
    invoice_id: Option<InvoiceId>,
    serial_number: Option<SerialNumber>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    invoice_id: Option<InvoiceId>,
}

#[derive(Deserialize)]
struct Request {
    consumer: Option<Consumer>,
}

#[derive(Deserialize)]
struct Consumer {
    device: Option<Device>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Device {
    serial_number: Option<SerialNumber>,
}

impl Probe {
    fn of(seen: &Seen<'_>) -> Self {
        let query = seen.query.map(form_pairs).unwrap_or_default();
        let from_query = |name: &str| {
            query
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let answered = serde_json::from_slice::<Answer>(seen.response)
            .ok()
            .and_then(|answer| answer.invoice_id);
        let sent = serde_json::from_slice::<Request>(seen.request).ok();
        let serial = sent.and_then(|request| request.consumer?.device?.serial_number);
        Self {
            invoice_id: answered.or_else(|| from_query("client_orderid").map(InvoiceId::from)),
            serial_number: serial.or_else(|| from_query("serialNumber").map(SerialNumber::from)),
        }
    }
}

fn form_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_party_route_has_its_step_and_sender() {
        let table = routes();
        let step = |method: Method, path: &str| {
            let route = table.classify(&method, path).unwrap();
            (
                route.from,
                route.step.map(|step| step.number),
                route.answer.map(|step| step.number),
            )
        };
        assert_eq!(
            step(Method::GET, "/auth/request-access-token"),
            (App, Some(2), Some(3))
        );
        assert_eq!(
            step(Method::POST, "/sale/initiate-sale"),
            (App, Some(4), Some(5))
        );
        assert_eq!(
            step(Method::POST, "/sale/INV-1/client-card-id"),
            (App, Some(4), Some(4))
        );
        assert_eq!(
            step(Method::POST, "/sale/INV-1/check"),
            (Gateway, Some(8), Some(9))
        );
        assert_eq!(
            step(Method::POST, "/sale/notification"),
            (Gateway, Some(19), Some(20))
        );
        assert_eq!(
            step(Method::GET, "/callback"),
            (Gateway, Some(23), Some(24))
        );
        assert!(table.classify(&Method::GET, "/sim/sales/INV-1").is_none());
    }

    #[test]
    fn the_sale_is_read_from_the_answer_or_the_callback_query() {
        let answer = br#"{"invoiceId":"INV-7","endpointId":"1234"}"#;
        let request = br#"{"consumer":{"device":{"serialNumber":"SN-7"}}}"#;
        let seen = Seen {
            query: None,
            request,
            response: answer,
        };
        let probe = Probe::of(&seen);
        assert_eq!(probe.invoice_id, Some("INV-7".into()));
        assert_eq!(probe.serial_number, Some("SN-7".into()));
        let callback = Seen {
            query: Some("status=approved&client_orderid=INV-8"),
            request: b"",
            response: b"OK",
        };
        assert_eq!(Probe::of(&callback).invoice_id, Some("INV-8".into()));
    }
}
