//! The dashboard through the router: `/` leads to it, the list and a sale's page show what happened (the
//! diagram's arrows, the messages, the deliveries with Replay), every free-text value of a sale is escaped,
//! and the assets are the gateway's own.

use super::reference_party::ReferenceParty;
use super::support::*;
use crate::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use dapi::signature::{SaleSigned, sign};
use sandbox_api::{DeliveryKind, DeliveryState};
use serde_json::json;

async fn get(state: &AppState, uri: &str) -> (StatusCode, Option<String>, String) {
    send_full(state, Request::get(uri).body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn the_root_leads_to_the_dashboard_and_its_assets_are_served_by_the_gateway() {
    let state = gateway("http://127.0.0.1:9", |_| {});
    let (status, location, _) = get(&state, "/").await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/sandbox/"))
    );
    let (status, _, page) = get(&state, "/sandbox/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<p id="no-sales">No sale yet."#), "{page}");
    for asset in ["/sandbox/assets/dashboard.css", "/sandbox/assets/live.js"] {
        let (status, _, text) = get(&state, asset).await;
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{asset} names no other host"
        );
    }
    for reference in ["src=\"", "href=\""] {
        for found in page.split(reference).skip(1) {
            assert!(
                found.starts_with('/'),
                "every asset and link is the gateway's own: {found:.40}"
            );
        }
    }
}

#[tokio::test]
async fn a_sale_page_draws_what_happened_and_replays_a_dead_letter() {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |config| config.timings = fast_timings());
    let sale = party
        .misbehaving_sale(json!({"callback": "http-500"}))
        .await;
    let token = perform_card(&state, &sale, "123").await;
    wait_for_state(&state, &sale, &token, &["APPROVED"]).await;
    let dead = wait_for_delivery(
        &state,
        &sale.invoice,
        DeliveryKind::Callback,
        DeliveryState::DeadLettered,
    )
    .await;
    let (_, _, list) = get(&state, "/sandbox/?fragment=1").await;
    assert!(
        list.contains(&format!(r#"<tr data-invoice="{}">"#, sale.invoice)),
        "{list}"
    );
    assert!(
        list.contains("dead-lettered") && !list.contains("<html"),
        "a fragment: {list}"
    );
    let page_uri = format!("/sandbox/sales/{ENDPOINT}/{}", sale.invoice);
    let (status, _, page) = get(&state, &page_uri).await;
    assert_eq!(status, StatusCode::OK);
    for label in [
        "4 Initiate sale request",
        "6 Perform sale request",
        "8 Check sale request",
        "23 Callback with final status",
    ] {
        assert!(page.contains(label), "{label} drawn: {page}");
    }
    assert!(
        page.contains("✕ 24 Callback response (HTTP 500)"),
        "the refused callback is marked"
    );
    assert!(page.contains(r#"class="violation""#) && page.contains("answered HTTP 500"));
    let replay = format!("/sandbox/deliveries/{}/replay", dead.id);
    assert!(
        page.contains(&format!(r#"action="{replay}""#)),
        "a Replay button"
    );
    party.misbehave(&sale.invoice, json!({})).await;
    let (status, location, _) =
        send_full(&state, Request::post(&replay).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, Some(format!("{page_uri}#delivery-{}", dead.id)));
    wait_for_delivery(
        &state,
        &sale.invoice,
        DeliveryKind::Callback,
        DeliveryState::Delivered,
    )
    .await;
    let (_, _, missing) = get(&state, "/sandbox/sales/1234/INV-none").await;
    assert!(missing.contains("keeps no sale INV-none"), "{missing}");
}

#[tokio::test]
async fn every_free_text_value_of_a_sale_is_shown_escaped() {
    let state = gateway("http://127.0.0.1:9", |_| {});
    let hostile = r#"<script>alert(1)</script>"#;
    // The gateway refuses an invoice id outside [A-Za-z0-9._-] at perform; the party's dashboard shows such ids.
    let (invoice, serial) = ("INV-esc-1", "<svg onload=alert(3)>");
    let signed = SaleSigned {
        access_token: ACCESS_TOKEN,
        serial_number: serial,
        endpoint_id: ENDPOINT,
        nonce: NONCE,
        invoice_id: invoice,
        amount_centis: 1050,
        currency: "EUR",
    };
    let body = json!({"consumer":{"device":{"serialNumber":serial},"email":format!("{hostile}@example.com")},
        "session":{"accessToken":ACCESS_TOKEN,"nonce":NONCE,"signature":sign(&key(), &signed.string_to_sign()).to_string()},
        "sourceOfFunds":{"card":{"number":"4111111111111111","securityCode":"123","expiry":{"month":12,"year":2030},
            "holder":{"printedName":hostile}}},
        "transaction":{"amountCentis":1050,"currency":"EUR"}});
    let uri = format!("/paynet/dapi/v1/sale/{ENDPOINT}/{}", dapi::segment(invoice));
    let (status, answer) = send(&state, post_json(&uri, &body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, _, list) = get(&state, "/sandbox/").await;
    let page_uri = format!("/sandbox/sales/{ENDPOINT}/{}", dapi::segment(invoice));
    let (status, _, page) = get(&state, &page_uri).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for html in [&list, &page] {
        for raw in ["<script>alert", "<svg onload"] {
            assert!(!html.contains(raw), "{raw} shown raw");
        }
    }
    assert!(page.contains("&#60;svg onload=alert(3)&#62;"));
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;@example.com"));
    assert!(
        list.contains(&format!(r#"href="{page_uri}""#)),
        "the link's path is percent-encoded"
    );
}
