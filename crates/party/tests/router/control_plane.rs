//! The control plane's switch on the Connecting Party server: with a sandbox token the `misbehave` write needs
//! `Authorization: Bearer TOKEN` (401 with the documented body otherwise, and the sale still answers correctly);
//! the record stays readable. With the control plane off the `/sim` routes answer 404 and check sale answers
//! are still published.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dapi::PartyCause;
use dapi::messages::check::CheckSaleResponse;
use party::{Config, PartyEvent};
use sandbox_api::SandboxToken;
use sandbox_api::paths::{party_misbehave_path, party_record_path};
use serde_json::json;
use server_kit::ControlPlane;

const TOKEN: &str = "team-secret-42";

fn misbehave(uri: &str, authorization: Option<&str>) -> Request<Body> {
    let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    request
        .body(Body::from(json!({"check": "filtered"}).to_string()))
        .unwrap()
}

#[tokio::test]
async fn with_a_token_misbehave_needs_it_and_a_refused_one_changes_nothing() {
    let plane = ControlPlane::Protected(SandboxToken::parse(TOKEN).unwrap());
    let party = Sandbox::with(Config {
        control_plane: plane,
        ..Config::sandbox()
    });
    let (token, sale) = party.initiated().await;
    let uri = party_misbehave_path(&sale.invoice_id);
    for wrong in [None, Some("Bearer wrong-secret-42"), Some(TOKEN)] {
        let reply = party.send(misbehave(&uri, wrong)).await;
        let body = reply.refused(StatusCode::UNAUTHORIZED, "DAPI-401-SANDBOX-TOKEN");
        assert!(!body.error.message.contains("secret"), "{wrong:?}");
    }
    party.check(&token, &sale).await.ok::<CheckSaleResponse>();
    let record = party.get(&party_record_path(&sale.invoice_id)).await;
    assert_eq!(record.status, StatusCode::OK, "a record stays readable");
    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(
        party.send(misbehave(&uri, Some(&bearer))).await.status,
        StatusCode::OK
    );
    let reply = party.check(&token, &sale).await;
    reply.failed(
        StatusCode::BAD_REQUEST,
        PartyCause::Filtered,
        "DAPI-400-FILTERED",
    );
}

#[tokio::test]
async fn with_the_control_plane_off_the_sim_routes_are_gone_and_checks_are_still_published() {
    let party = Sandbox::with(Config {
        control_plane: ControlPlane::Off,
        ..Config::sandbox()
    });
    let mut events = party.state.subscribe();
    let (token, sale) = party.initiated().await;
    for uri in [
        party_misbehave_path(&sale.invoice_id),
        party_record_path(&sale.invoice_id),
    ] {
        let reply = if uri.ends_with("/misbehave") {
            party.send(misbehave(&uri, None)).await
        } else {
            party.get(&uri).await
        };
        reply.refused(StatusCode::NOT_FOUND, "DAPI-404-PATH");
    }
    party.check(&token, &sale).await.ok::<CheckSaleResponse>();
    let checked = std::iter::from_fn(|| events.try_recv().ok())
        .find(|event| matches!(event, PartyEvent::Checked { .. }));
    let expected = PartyEvent::Checked {
        invoice_id: sale.invoice_id.clone(),
        accepted: true,
    };
    assert_eq!(checked, Some(expected));
}
