//! The message journal: every exchange of a sale recorded with its step and sale, card data masked, violations
//! and delivery attempts naming their entries, the query's filters, pages, NDJSON export and bad parameters, and
//! the bound.

use super::reference_party::ReferenceParty;
use super::support::*;
use crate::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sandbox_api::{JournalEntry, JournalPage};
use serde_json::json;

async fn journal(state: &AppState, query: &str) -> (StatusCode, serde_json::Value) {
    let request = Request::get(format!("/sim/journal?{query}"))
        .body(Body::empty())
        .unwrap();
    send(state, request).await
}

async fn page(state: &AppState, query: &str) -> JournalPage {
    let (status, body) = journal(state, query).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

fn steps(entries: &[JournalEntry]) -> Vec<(Option<u8>, Option<u8>)> {
    entries
        .iter()
        .map(|entry| (entry.step, entry.answer_step))
        .collect()
}

#[tokio::test]
async fn a_sale_is_journalled_exchange_by_exchange_with_its_card_masked() {
    let mut party = ReferenceParty::start().await;
    let state = gateway(&party.url, |_| {});
    let sale = party.sale().await;
    let token = perform_card(&state, &sale, "123").await;
    wait_for_state(&state, &sale, &token, &["APPROVED"]).await;
    party.callback(&sale.invoice).await;
    wait_for_delivery(
        &state,
        &sale.invoice,
        sandbox_api::DeliveryKind::Callback,
        sandbox_api::DeliveryState::Delivered,
    )
    .await;
    let entries = page(&state, &format!("invoiceId={}", sale.invoice))
        .await
        .entries;
    let seen = steps(&entries);
    for pair in [
        (Some(6), Some(7)),
        (Some(8), Some(9)),
        (Some(19), Some(20)),
        (Some(21), Some(22)),
        (Some(23), Some(24)),
    ] {
        assert!(seen.contains(&pair), "{pair:?} in {seen:?}");
    }
    let perform = &entries[0];
    assert_eq!((perform.step, perform.status), (Some(6), Some(200)));
    assert_eq!(
        perform.sale.serial_number.as_ref().map(|s| s.as_str()),
        Some(SERIAL)
    );
    let body = &perform.request.body;
    assert!(
        body.contains("411111******1111") && !body.contains("4111111111111111"),
        "{body}"
    );
    assert!(body.contains(r#""securityCode":"<removed>""#), "{body}");
    let callback = entries.iter().find(|entry| entry.step == Some(23)).unwrap();
    let query = callback.query.as_deref().unwrap();
    assert!(
        query.contains("control=%3Cremoved%3E") && query.contains("status=approved"),
        "{query}"
    );
    let check = entries.iter().find(|entry| entry.step == Some(8)).unwrap();
    assert_eq!(
        (check.from, check.to),
        (
            sandbox_api::Participant::Gateway,
            sandbox_api::Participant::Party
        )
    );
    assert!(
        check
            .response
            .as_ref()
            .unwrap()
            .body
            .contains("checkSignature")
    );
    let by_serial = page(&state, &format!("serial={SERIAL}&step=23"))
        .await
        .entries;
    assert_eq!(steps(&by_serial), [(Some(23), Some(24))]);
}

#[tokio::test]
async fn violations_and_delivery_attempts_name_their_journal_entries() {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |config| config.timings = fast_timings());
    let sale = party
        .misbehaving_sale(json!({"callback": "http-500"}))
        .await;
    let token = perform_card(&state, &sale, "123").await;
    wait_for_state(&state, &sale, &token, &["APPROVED"]).await;
    let record = wait_for_delivery(
        &state,
        &sale.invoice,
        sandbox_api::DeliveryKind::Callback,
        sandbox_api::DeliveryState::DeadLettered,
    )
    .await;
    assert_eq!(record.attempts.len(), 3);
    for attempt in &record.attempts {
        let id = attempt.journal_entry.expect("each attempt names its entry");
        let entry = page(&state, &format!("cursor={}&limit=1", id - 1))
            .await
            .entries
            .remove(0);
        assert_eq!(
            (entry.id, entry.step, entry.status),
            (id, Some(23), Some(500))
        );
    }
    let violation = violations(&state, &sale.invoice).remove(0);
    assert_eq!(violation.step, 24);
    let last = record
        .attempts
        .first()
        .and_then(|attempt| attempt.journal_entry);
    assert_eq!(
        violation.journal_entry, last,
        "seen first in the first attempt, kept once"
    );
}

#[tokio::test]
async fn bad_journal_queries_get_the_documented_error_body() {
    let state = gateway("http://127.0.0.1:9", |_| {});
    for query in [
        "step=0",
        "limit=0",
        "limit=1001",
        "cursor=abc",
        "since=yesterday",
        "format=xml",
        "invoice=INV-1",
    ] {
        let (status, body) = journal(&state, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["cause"], "INVALID_REQUEST", "{query}");
        assert_eq!(body["error"]["code"], "DAPI-400-INVALID", "{query}");
    }
}

#[tokio::test]
async fn pages_follow_the_cursor_and_the_export_is_one_entry_a_line() {
    let state = gateway("http://127.0.0.1:9", |_| {});
    for n in 0..5 {
        let terms = Terms::local(&format!("INV-P{n}"));
        send(
            &state,
            post_json(
                &format!("{}/status", sale_uri(ENDPOINT, &terms.invoice)),
                &json!({}),
            ),
        )
        .await;
    }
    let first = page(&state, "limit=2").await;
    assert_eq!(first.entries.len(), 2);
    let cursor = first.next_cursor.expect("more follow");
    let second = page(&state, &format!("limit=2&cursor={cursor}")).await;
    assert!(second.entries[0].id > first.entries[1].id);
    assert_eq!(second.stats.recorded, 5);
    let request = Request::get("/sim/journal")
        .header(header::ACCEPT, "application/x-ndjson")
        .body(Body::empty())
        .unwrap();
    let (status, _, text) = send_full(&state, request).await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<JournalEntry> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert!(
        lines
            .iter()
            .all(|entry| entry.status == Some(400) && entry.step == Some(11))
    );
}

#[tokio::test]
async fn a_full_journal_keeps_its_bound_and_counts_what_it_dropped() {
    let state = gateway("http://127.0.0.1:9", |config| {
        config.journal.max_entries = 3
    });
    for n in 0..7 {
        let uri = format!("{}/status", sale_uri(ENDPOINT, &format!("INV-F{n}")));
        send(&state, post_json(&uri, &json!({}))).await;
    }
    let kept = page(&state, "").await;
    assert_eq!(kept.entries.len(), 3);
    assert_eq!(
        (
            kept.stats.recorded,
            kept.stats.dropped,
            kept.stats.max_entries
        ),
        (7, 4, 3)
    );
    let invoices: Vec<_> = kept
        .entries
        .iter()
        .filter_map(|entry| entry.sale.invoice_id.clone())
        .collect();
    assert_eq!(
        invoices,
        ["INV-F4".into(), "INV-F5".into(), "INV-F6".into()],
        "the newest stay"
    );
}

#[tokio::test]
async fn a_request_to_an_unknown_path_is_journalled_and_sandbox_calls_are_not() {
    let state = gateway("http://127.0.0.1:9", |_| {});
    send(
        &state,
        post_json(
            "/paynet/dapi/v1/sale/1234",
            &json!({"consumer":{"device":{"serialNumber":"SN-X"}}}),
        ),
    )
    .await;
    send(
        &state,
        Request::get("/sim/deliveries").body(Body::empty()).unwrap(),
    )
    .await;
    let entries = page(&state, "").await.entries;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!((entries[0].step, entries[0].status), (None, Some(404)));
    assert_eq!(entries[0].message, "POST /paynet/dapi/v1/sale/1234");
    assert!(
        entries[0].request.body.contains("SN-X"),
        "the body the app sent is kept"
    );
}
