//! The gateway's message journal: which of its routes is which diagram step (one line each — a new route's
//! step is one more line in [`routes`]), whose sale an answered request is, and `GET /sim/journal`.
//!
//! Inbound, [`around`] records every request but the sandbox's own (`journal::is_sandbox_path`), a request to
//! an unknown path included; outbound, `party_client` records every call with the step its caller names. The
//! sandbox's `/sim` calls and the dashboard are not recorded.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use dapi::{EndpointId, InvoiceId, SerialNumber, SessionToken, StatusCause, steps};
use journal::query::QueryError;
use journal::{Journal, PathIds, Recorder, Route, RouteTable, Seen};
use sandbox_api::Participant::{App, Gateway};
use sandbox_api::SaleRef;
use serde::Deserialize;
use server_kit::Failure;

/// The gateway's inbound routes and their steps, the DAPI ones under `prefix`.
pub(crate) fn routes(prefix: &str) -> RouteTable {
    let sale = format!("{prefix}/sale/{{endpoint}}/{{invoice}}");
    let verification = format!("{prefix}/verification/{{endpoint}}/{{invoice}}");
    RouteTable::new(App, Gateway)
        .line(
            "POST",
            &sale,
            steps::PERFORM_SALE_REQUEST,
            steps::PERFORM_SALE_RESPONSE,
        )
        .line(
            "POST",
            &format!("{sale}/status"),
            steps::SALE_STATUS_REQUEST,
            steps::SALE_STATUS_RESPONSE,
        )
        .line(
            "POST",
            &verification,
            steps::PERFORM_VALIDATION_REQUEST,
            steps::PERFORM_VALIDATION_RESPONSE,
        )
        .line(
            "POST",
            &format!("{verification}/status"),
            steps::VERIFICATION_STATUS_REQUEST,
            steps::VERIFICATION_STATUS_RESPONSE,
        )
        .line("GET", "/sim/3ds/{token}", steps::OPEN_BROWSER, None)
        .line(
            "POST",
            "/sim/3ds/{token}",
            steps::THREE_DS_STATUS_UPDATE,
            None,
        )
        .line(
            "GET",
            "/sim/3ds/{token}/done",
            None,
            steps::CLOSE_BROWSER_REQUEST,
        )
}

/// `GET /sim/journal`.
pub(super) async fn query(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Failure<QueryError<StatusCause>>> {
    journal::query::answer(state.messages(), &uri, &headers)
}

impl Recorder for AppState {
    fn messages(&self) -> &Journal {
        AppState::messages(self)
    }

    fn route(&self, method: &Method, path: &str) -> Option<Route> {
        self.journal_routes().classify(method, path)
    }

    fn sale(&self, ids: &PathIds, seen: &Seen<'_>) -> SaleRef {
        let store = self.store();
        let token = match (&ids.token, &ids.endpoint, &ids.invoice) {
            (Some(token), _, _) => Some(SessionToken::from(token.as_str())),
            (None, Some(endpoint), Some(invoice)) => store.token_of(
                &EndpointId::from(endpoint.as_str()),
                &InvoiceId::from(invoice.as_str()),
            ),
            _ => None,
        };
        if let Some(sale) =
            token.and_then(|token| store.with_sale(&token, crate::sale::Sale::sale_ref))
        {
            return sale;
        }
        // A refused perform (or a path the gateway does not know): what the request itself says.
        SaleRef {
            endpoint_id: ids.endpoint.as_deref().map(EndpointId::from),
            invoice_id: ids.invoice.as_deref().map(InvoiceId::from),
            serial_number: serial_in(seen.request),
        }
    }

    fn refine(&self, route: Route, seen: &Seen<'_>) -> Route {
        let is_final = || {
            serde_json::from_slice::<StateProbe>(seen.response).is_ok_and(|answer| {
                matches!(answer.state.as_deref(), Some("APPROVED" | "DECLINED"))
            })
        };
        if route.step == Some(steps::SALE_STATUS_REQUEST) && is_final() {
            return Route {
                step: Some(steps::FINAL_STATUS_REQUEST),
                answer: Some(steps::FINAL_STATUS_RESPONSE),
                ..route
            };
        }
        route
    }
}

#[derive(Deserialize)]
struct StateProbe {
    state: Option<String>,
}

/// `consumer.device.serialNumber` of a JSON request, if it has one.
fn serial_in(body: &[u8]) -> Option<SerialNumber> {
    #[derive(Deserialize)]
    struct Probe {
        consumer: Option<Consumer>,
    }
    #[derive(Deserialize)]
    struct Consumer {
        device: Option<Device>,
    }
    #[derive(Deserialize)]
    struct Device {
        #[serde(rename = "serialNumber")]
        serial_number: Option<SerialNumber>,
    }
    let probe: Probe = serde_json::from_slice(body).ok()?;
    probe.consumer?.device?.serial_number
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gateway_route_has_its_step() {
        let table = routes("/paynet/dapi/v1");
        let step = |method: Method, path: &str| {
            let route = table.classify(&method, path).unwrap();
            (
                route.step.map(|step| step.number),
                route.answer.map(|step| step.number),
            )
        };
        assert_eq!(
            step(Method::POST, "/paynet/dapi/v1/sale/1234/INV-1"),
            (Some(6), Some(7))
        );
        assert_eq!(
            step(Method::POST, "/paynet/dapi/v1/sale/1234/INV-1/status"),
            (Some(11), Some(12))
        );
        assert_eq!(
            step(Method::POST, "/paynet/dapi/v1/verification/1234/INV-1"),
            (Some(6), Some(7))
        );
        assert_eq!(
            step(
                Method::POST,
                "/paynet/dapi/v1/verification/1234/INV-1/status"
            ),
            (Some(11), Some(12))
        );
        assert_eq!(step(Method::GET, "/sim/3ds/0b9f6a4e"), (Some(13), None));
        assert_eq!(step(Method::POST, "/sim/3ds/0b9f6a4e"), (Some(16), None));
        assert_eq!(
            step(Method::GET, "/sim/3ds/0b9f6a4e/done"),
            (None, Some(17))
        );
        assert_eq!(
            step(Method::POST, "/paynet/dapi/v1/sale/1234"),
            (None, None),
            "recorded, unnamed"
        );
        assert!(table.classify(&Method::GET, "/sim/journal").is_none());
    }

    #[test]
    fn the_serial_number_is_read_from_a_perform_body() {
        let body = br#"{"consumer":{"device":{"serialNumber":"SN-1"}},"session":{}}"#;
        assert_eq!(serial_in(body), Some(SerialNumber::from("SN-1")));
        assert_eq!(serial_in(b"not json"), None);
    }
}
