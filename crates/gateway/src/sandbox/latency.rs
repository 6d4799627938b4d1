//! The latency fault (`latencyMs` of [`sandbox_api::GatewayMisbehaviour`]): a layer around the protocol routes
//! that lets the handler compute its answer first, then holds that answer back for the sale's latency before it
//! goes out. Only requests whose path names a sale by `{endpoint_id}` and `{invoice_id}` — perform sale and sale
//! status — are looked up; the 3-D Secure pages name theirs by token and pass straight through.

use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use dapi::{EndpointId, InvoiceId};
use serde::Deserialize;
use std::time::Duration;

/// The path parameters that name a sale: those of perform sale and sale status.
#[derive(Debug, Deserialize)]
pub(super) struct SaleIds {
    endpoint_id: EndpointId,
    invoice_id: InvoiceId,
}

/// Answers, then waits for the sale's latency fault, if any, before the answer leaves. The setting is copied out
/// first: no guard is held while sleeping. A path that does not name a sale (or does not decode) is not held back;
/// until some sale was given a latency, nothing is looked up at all.
pub(super) async fn hold_back(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !state.sandbox().any_latency() {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let ids = Path::<SaleIds>::from_request_parts(&mut parts, &state).await;
    let answer = next.run(Request::from_parts(parts, body)).await;
    let Ok(Path(ids)) = ids else {
        return answer;
    };
    let misbehaviour = state
        .sandbox()
        .misbehaviour(&ids.endpoint_id, &ids.invoice_id);
    if let Some(millis) = misbehaviour.latency_ms.filter(|millis| *millis > 0) {
        tracing::info!(latency_ms = millis, "answer held back (latency fault)");
        tokio::time::sleep(Duration::from_millis(millis)).await;
    }
    answer
}
