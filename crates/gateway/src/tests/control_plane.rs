//! The control plane's switch: with a sandbox token every `/sim` write, the delivery list and the message
//! journal answer 401 (the documented body, nothing changed) without `Authorization: Bearer TOKEN`, and the
//! dashboard asks for the token; a sale's record stays readable; with the control plane off the routes and the
//! dashboard are gone (404 like any unknown path) and nothing is held back. And `GET /sim/deliveries` a page
//! at a time.

use super::reference_party::ReferenceParty;
use super::support::*;
use crate::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sandbox_api::paths::{
    DASHBOARD_PATH, DELIVERIES_PATH, JOURNAL_PATH, gateway_misbehave_path, gateway_record_path,
    replay_path,
};
use sandbox_api::{DeliveryList, DeliveryState, GatewayMisbehaviour, SandboxToken};
use serde_json::{Value, json};
use server_kit::ControlPlane;

const TOKEN: &str = "team-secret-42";

fn protected() -> ControlPlane {
    ControlPlane::Protected(SandboxToken::parse(TOKEN).unwrap())
}

fn with_authorization(mut request: Request<Body>, value: Option<&str>) -> Request<Body> {
    if let Some(value) = value {
        let value = header::HeaderValue::from_str(value).unwrap();
        request.headers_mut().insert(header::AUTHORIZATION, value);
    }
    request
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// Every guarded route, as a fresh request.
fn guarded_requests(invoice: &str, delivery_id: &str) -> Vec<(&'static str, Request<Body>)> {
    let misbehave = gateway_misbehave_path(&ENDPOINT.into(), &invoice.into());
    vec![
        (
            "misbehave",
            post_json(&misbehave, &json!({"latencyMs": 1000})),
        ),
        ("deliveries", get(DELIVERIES_PATH)),
        ("journal", get(JOURNAL_PATH)),
        ("replay", post_json(&replay_path(delivery_id), &json!({}))),
    ]
}

/// A gateway whose one sale is approved and its deliveries delivered: something a replay would change.
async fn settled_gateway(plane: ControlPlane) -> (ReferenceParty, AppState, Terms) {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |config| config.control_plane = plane);
    let sale = party.sale().await;
    perform_card_until(&state, &sale, "123", &["APPROVED"]).await;
    wait_for_callback(&state, &sale.invoice, DeliveryState::Delivered).await;
    (party, state, sale)
}

fn snapshot(state: &AppState, invoice: &str) -> (GatewayMisbehaviour, Value) {
    let setting = state
        .sandbox()
        .misbehaviour(&ENDPOINT.into(), &invoice.into());
    let log = serde_json::to_value(state.deliveries(&crate::DeliveryFilter::default())).unwrap();
    (setting, log)
}

#[tokio::test]
async fn with_a_token_every_write_and_the_delivery_list_need_it_and_a_refusal_changes_nothing() {
    let (_party, state, sale) = settled_gateway(protected()).await;
    let invoice = sale.invoice.as_str();
    let callback_id = state.deliveries(&crate::DeliveryFilter::default())[1]
        .id
        .clone();
    let before = snapshot(&state, invoice);
    for credentials in [
        None,
        Some("Bearer wrong-secret-42"),
        Some(TOKEN),
        Some("Basic dGVhbQ=="),
    ] {
        for (route, request) in guarded_requests(invoice, &callback_id) {
            let (code, body) = send(&state, with_authorization(request, credentials)).await;
            assert_eq!(
                code,
                StatusCode::UNAUTHORIZED,
                "{route} {credentials:?}: {body}"
            );
            assert_eq!(body["error"]["code"], "DAPI-401-SANDBOX-TOKEN", "{route}");
            assert_eq!(body["error"]["cause"], "INVALID_REQUEST", "{route}");
            assert!(!body.to_string().contains("secret"), "{route}: {body}");
        }
    }
    assert_eq!(snapshot(&state, invoice), before, "nothing changed");
    let record = gateway_record_path(&ENDPOINT.into(), &invoice.into());
    assert_eq!(
        send(&state, get(&record)).await.0,
        StatusCode::OK,
        "a record stays readable"
    );
    let bearer = format!("Bearer {TOKEN}");
    for (route, request) in guarded_requests(invoice, &callback_id) {
        let (code, body) = send(&state, with_authorization(request, Some(&bearer))).await;
        assert!(code.is_success(), "{route}: {code} {body}");
    }
    assert_ne!(
        snapshot(&state, invoice),
        before,
        "with the token the writes happened"
    );
}

/// The dashboard's pages and its Replay form, as a browser without the token sends them.
fn dashboard_requests(invoice: &str, delivery_id: &str) -> Vec<Request<Body>> {
    let replay = Request::post(format!("/sandbox/deliveries/{delivery_id}/replay"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::empty())
        .unwrap();
    vec![
        get(DASHBOARD_PATH),
        get(&format!("/sandbox/sales/{ENDPOINT}/{invoice}")),
        get("/sandbox/events"),
        replay,
    ]
}

#[tokio::test]
async fn with_a_token_the_dashboard_asks_for_it_and_shows_nothing_without_it() {
    let (_party, state, sale) = settled_gateway(protected()).await;
    let invoice = sale.invoice.as_str();
    let callback_id = state.deliveries(&crate::DeliveryFilter::default())[1]
        .id
        .clone();
    let before = snapshot(&state, invoice);
    for request in dashboard_requests(invoice, &callback_id) {
        let path = request.uri().path().to_owned();
        let (code, _, page) = send_full(&state, request).await;
        assert_eq!(code, StatusCode::UNAUTHORIZED, "{path}");
        assert!(
            page.contains(r#"action="/sandbox/login""#),
            "{path}: {page}"
        );
        // The form's `next` names the path asked for; what the sale is never shows.
        assert!(
            !page.contains("APPROVED") && !page.contains(TOKEN),
            "{path}: {page}"
        );
    }
    assert_eq!(
        snapshot(&state, invoice),
        before,
        "the Replay form changed nothing"
    );
    let with_token = with_authorization(get(DASHBOARD_PATH), Some(&format!("Bearer {TOKEN}")));
    let (code, _, page) = send_full(&state, with_token).await;
    assert_eq!(code, StatusCode::OK);
    assert!(
        page.contains(invoice) && page.contains("APPROVED"),
        "the list shows the sale"
    );
    let (code, _, _) = send_full(&state, get("/sandbox/assets/dashboard.css")).await;
    assert_eq!(
        code,
        StatusCode::OK,
        "the stylesheet holds no data and stays open"
    );
}

#[tokio::test]
async fn with_the_control_plane_off_the_routes_are_gone_and_nothing_is_held_back() {
    let (_party, state, sale) = settled_gateway(ControlPlane::Off).await;
    let invoice = sale.invoice.as_str();
    let callback_id = state.deliveries(&crate::DeliveryFilter::default())[1]
        .id
        .clone();
    let record = gateway_record_path(&ENDPOINT.into(), &invoice.into());
    let mut requests = guarded_requests(invoice, &callback_id);
    requests.push(("record", get(&record)));
    requests.push(("root", get("/")));
    requests.extend(
        dashboard_requests(invoice, &callback_id)
            .into_iter()
            .map(|request| ("dashboard", request)),
    );
    for (route, request) in requests {
        let (code, body) = send(&state, request).await;
        assert_eq!(code, StatusCode::NOT_FOUND, "{route}: {body}");
        assert_eq!(body["error"]["code"], "DAPI-404-PATH", "{route}");
    }
    let page = format!("/sim/3ds/{}", "0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b");
    let (_, body) = send(&state, get(&page)).await;
    let routed = body["error"]["code"] != "DAPI-404-PATH";
    assert!(
        routed,
        "the 3-D Secure pages are the bank, not a control: {body}"
    );
}

async fn page(state: &AppState, query: &str) -> (StatusCode, Value) {
    send(state, get(&format!("{DELIVERIES_PATH}{query}"))).await
}

#[tokio::test]
async fn the_delivery_list_comes_a_page_at_a_time_and_bad_pages_are_refused() {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |_| {});
    let mut invoices = Vec::new();
    for _ in 0..3 {
        let sale = party.sale().await;
        perform_card_until(&state, &sale, "101", &["DECLINED"]).await;
        invoices.push(sale.invoice);
    }
    let mut seen = Vec::new();
    let mut query = "?limit=2".to_owned();
    loop {
        let (code, body) = page(&state, &query).await;
        assert_eq!(code, StatusCode::OK, "{body}");
        let list: DeliveryList = serde_json::from_value(body).unwrap();
        assert!(list.deliveries.len() <= 2);
        seen.extend(
            list.deliveries
                .into_iter()
                .map(|record| record.invoice_id.to_string()),
        );
        match list.next_cursor {
            Some(cursor) => query = format!("?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, invoices, "one callback each, in order");
    for bad in [
        "?limit=0",
        "?limit=1001",
        "?limit=x",
        "?cursor=42",
        "?cursor=dlv-x",
        "?page=2",
    ] {
        let (code, body) = page(&state, bad).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["error"]["cause"], "INVALID_REQUEST", "{bad}");
    }
}
