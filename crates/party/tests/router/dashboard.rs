//! The server's message journal and dashboard: every exchange journalled with its step, sender and sale, the
//! dashboard lists the sale and its messages with hostile text escaped, and bad journal queries get the
//! documented body.

use super::support::*;
use dapi::CallbackStatus;
use sandbox_api::{JournalPage, Participant};

#[tokio::test]
async fn every_exchange_is_journalled_with_its_step_sender_and_sale() {
    let sandbox = Sandbox::new();
    let (token, sale) = sandbox.initiated().await;
    sandbox.check(&token, &sale).await;
    sandbox
        .callback(&sale.invoice_id, CallbackStatus::Approved)
        .await;
    let page: JournalPage = sandbox.get("/sim/journal").await.ok();
    let seen: Vec<(Participant, Option<u8>, Option<u16>)> = page
        .entries
        .iter()
        .map(|entry| (entry.from, entry.step, entry.status))
        .collect();
    assert_eq!(
        seen,
        [
            (Participant::App, Some(2), Some(200)),
            (Participant::App, Some(4), Some(200)),
            (Participant::Gateway, Some(8), Some(200)),
            (Participant::Gateway, Some(23), Some(200)),
        ]
    );
    for entry in &page.entries[1..] {
        assert_eq!(
            entry.sale.invoice_id.as_ref(),
            Some(&sale.invoice_id),
            "{entry:?}"
        );
        assert_eq!(
            entry.sale.serial_number.as_ref().map(|s| s.as_str()),
            Some(SERIAL)
        );
    }
    let callback = &page.entries[3];
    assert!(
        callback
            .query
            .as_deref()
            .unwrap()
            .contains("control=%3Cremoved%3E")
    );
    let bad = sandbox.get("/sim/journal?step=100").await;
    assert_eq!(bad.status.as_u16(), 400);
}

#[tokio::test]
async fn the_dashboard_shows_hostile_text_escaped() {
    let sandbox = Sandbox::new();
    let hostile = "<script>alert(1)</script>";
    let token = sandbox.token(hostile, Some("x@example.com")).await;
    let sale = sandbox.initiate(&token, hostile).await;
    let page = sandbox.get("/sandbox/").await;
    assert_eq!(page.status.as_u16(), 200);
    let html = page.text();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"<tr data-invoice="{}">"#, sale.invoice_id)),
        "{html}"
    );
    assert!(html.contains("Initiate sale request") && html.contains("Request access token"));
    let root = sandbox.get("/").await;
    assert_eq!(root.status.as_u16(), 303);
}
