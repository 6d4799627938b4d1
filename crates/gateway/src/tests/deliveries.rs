//! The delivery mechanism against the reference party on real sockets, its faults set per sale, with retry
//! delays in milliseconds: the attempt log follows the schedule, dead letters, replay once the party recovers,
//! transport errors, shutdown.

use super::reference_party::ReferenceParty;
use super::support::*;
use crate::{AppState, Retry};
use axum::http::StatusCode;
use dapi::CallbackStatus;
use sandbox_api::DeliveryKind;
use sandbox_api::DeliveryRecord;
use sandbox_api::DeliveryState;
use sandbox_api::paths::replay_path;
use serde_json::json;
use std::time::Duration;

/// A sale declined by the issuer (CVV 101): no notification, one callback.
async fn declined_sale(state: &AppState, sale: &Terms) {
    perform_card_until(state, sale, "101", &["DECLINED"]).await;
}

fn statuses(record: &DeliveryRecord) -> Vec<Option<u16>> {
    record
        .attempts
        .iter()
        .map(|attempt| attempt.status)
        .collect()
}

#[tokio::test]
async fn callback_attempts_follow_the_schedule_until_the_party_accepts() {
    let mut party = ReferenceParty::start().await;
    let sale = party.misbehaving_sale(json!({"callbackFailFirst":2})).await;
    let retry = Retry {
        attempts: 5,
        first_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(150),
    };
    let state = gateway(&party.url, |config| config.timings.callback_retry = retry);
    declined_sale(&state, &sale).await;
    let record = wait_for_callback(&state, &sale.invoice, DeliveryState::Delivered).await;
    assert_eq!(statuses(&record), [Some(503), Some(503), Some(200)]);
    let numbers: Vec<u32> = record.attempts.iter().map(|a| a.number).collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert!(
        record.attempts[0].excerpt.contains("SERVER_UNAVAILABLE"),
        "{record:#?}"
    );
    assert_eq!(record.attempts[2].excerpt, "OK");
    assert_eq!(
        violations(&state, &sale.invoice),
        [],
        "a documented 503 is a fault, not a violation"
    );
    for pair in record.attempts.windows(2) {
        let (previous, next) = (&pair[0], &pair[1]);
        let pause = next.started_after_ms - (previous.started_after_ms + previous.latency_ms);
        let wanted = u64::try_from(retry.delay(next.number).as_millis()).unwrap();
        // Milliseconds are truncated, so the pause may look 2 ms short; scheduling may make it longer.
        assert!(
            (wanted - 2..=wanted + 250).contains(&pause),
            "attempt {}: paused {pause} ms, schedule says {wanted} ms: {record:#?}",
            next.number
        );
    }
    assert_eq!(
        party.callback(&sale.invoice).await,
        (CallbackStatus::Declined, false)
    );
    let received = party.record(&sale.invoice).callback.unwrap();
    assert_eq!(received.deliveries, 1, "refused attempts are no deliveries");
    assert_eq!(party.fault_stats().callbacks_refused, 2);
}

#[tokio::test]
async fn a_notification_is_retried_and_delivered_before_the_sale_shows_approved() {
    let party = ReferenceParty::start().await;
    let sale = party
        .misbehaving_sale(json!({"notificationFailFirst":2}))
        .await;
    let state = gateway(&party.url, |_| {});
    perform_card_until(&state, &sale, "123", &["APPROVED"]).await;
    let notifications = state.deliveries(&crate::DeliveryFilter {
        invoice_id: Some(sale.invoice.as_str().into()),
        state: None,
    });
    let notification = notifications
        .iter()
        .find(|record| record.kind == DeliveryKind::Notification)
        .expect("the notification is in the log");
    assert_eq!(
        notification.state,
        DeliveryState::Delivered,
        "settled before APPROVED is visible"
    );
    assert_eq!(statuses(notification), [Some(503), Some(503), Some(200)]);
    assert_eq!(notification.url, format!("{}/sale/notification", party.url));
    assert!(notification.attempts[2].excerpt.contains("checkSignature"));
    assert_eq!(
        violations(&state, &sale.invoice),
        [],
        "a documented 503 is a fault, not a violation"
    );
    let mapping = party.record(&sale.invoice).card_mapping;
    let server_card_id = mapping.expect("mapped by the third attempt").server_card_id;
    let card = state
        .store()
        .card(&server_card_id)
        .expect("the card is registered");
    assert!(card.confirmed, "and confirmed by the third attempt");
    assert_eq!(party.fault_stats().notifications_refused, 2);
}

#[tokio::test]
async fn a_dead_letter_is_replayed_once_the_party_recovers() {
    let mut party = ReferenceParty::start().await;
    let sale = party.misbehaving_sale(json!({"callback":"http-500"})).await;
    let state = gateway(&party.url, |_| {});
    declined_sale(&state, &sale).await;
    let dead = wait_for_callback(&state, &sale.invoice, DeliveryState::DeadLettered).await;
    assert_eq!(statuses(&dead), [Some(500); 3]);

    party.misbehave(&sale.invoice, json!({})).await;
    let (code, body) = send(
        &state,
        post_json(&replay_path(&dead.id), &serde_json::json!({})),
    )
    .await;
    assert_eq!(code, StatusCode::ACCEPTED, "{body}");
    let accepted: DeliveryRecord = serde_json::from_value(body).unwrap();
    assert_eq!(
        (accepted.state, accepted.attempts.len()),
        (DeliveryState::Pending, 3)
    );
    let delivered = wait_for_callback(&state, &sale.invoice, DeliveryState::Delivered).await;
    assert_eq!(delivered.id, dead.id, "the same record");
    assert_eq!(statuses(&delivered)[3..], [Some(200)]);
    assert_eq!(delivered.attempts[3].number, 4, "numbers keep counting");
    assert!(delivered.attempts[3].started_after_ms >= delivered.attempts[2].started_after_ms);
    assert_eq!(
        party.callback(&sale.invoice).await,
        (CallbackStatus::Declined, false),
        "the replay is the first callback the party accepts"
    );
}

#[tokio::test]
async fn unanswered_attempts_keep_the_transport_error() {
    let (_silent, silent) = silent_url().await;
    let closed_url = format!("{}/callback", closed_url().await);
    let party = ReferenceParty::start().await;
    for (url, wanted) in [
        (closed_url, "unreachable"),
        (format!("{silent}/callback"), "timeout"),
    ] {
        let sale = party.sale().await;
        let state = gateway(&party.url, |config| {
            config.endpoints[0].callback_url = Some(url);
            config.timings.outbound_timeout = Duration::from_millis(100);
        });
        declined_sale(&state, &sale).await;
        let dead = wait_for_callback(&state, &sale.invoice, DeliveryState::DeadLettered).await;
        assert_eq!(statuses(&dead), [None; 3], "{dead:#?}");
        for attempt in &dead.attempts {
            assert!(attempt.excerpt.contains(wanted), "{dead:#?}");
        }
        let (_, step, _, _) = only_violation(&state, &sale.invoice);
        assert_eq!(step, 24);
    }
}

#[tokio::test]
async fn shutdown_waits_for_a_retry_within_the_grace_period() {
    let party = ReferenceParty::start().await;
    let sale = party.misbehaving_sale(json!({"callbackFailFirst":1})).await;
    let state = gateway(&party.url, |config| {
        config.timings.callback_retry.first_delay = Duration::from_millis(200);
    });
    declined_sale(&state, &sale).await;
    let pending = wait_for_attempts(&state, &sale.invoice, 1).await;
    assert_eq!(pending.state, DeliveryState::Pending);
    let cut_off = state.shutdown(Duration::from_secs(10)).await;
    assert_eq!(cut_off, []);
    let done = wait_for_attempts(&state, &sale.invoice, 2).await;
    assert_eq!(
        (done.state, statuses(&done)),
        (DeliveryState::Delivered, vec![Some(503), Some(200)])
    );
}

#[tokio::test]
async fn shutdown_reports_each_delivery_it_cuts_off() {
    let party = ReferenceParty::start().await;
    let sale = party.misbehaving_sale(json!({"callback":"http-500"})).await;
    let state = gateway(&party.url, |config| {
        config.timings.callback_retry.first_delay = Duration::from_secs(60);
        config.timings.callback_retry.max_delay = Duration::from_secs(60);
    });
    declined_sale(&state, &sale).await;
    wait_for_attempts(&state, &sale.invoice, 1).await;
    let cut_off = state.shutdown(Duration::from_millis(50)).await;
    assert_eq!(cut_off.len(), 1, "{cut_off:#?}");
    let record = &cut_off[0];
    assert_eq!(
        (
            record.kind,
            record.invoice_id.as_str(),
            record.attempts.len()
        ),
        (DeliveryKind::Callback, sale.invoice.as_str(), 1)
    );
    assert_eq!(
        crate::delivery::pending(&state),
        cut_off,
        "kept as it was: pending"
    );
}

/// Waits up to 10 s until the sale's callback has `count` attempts.
async fn wait_for_attempts(state: &AppState, invoice: &str, count: usize) -> DeliveryRecord {
    let poll = async {
        loop {
            let filter = crate::DeliveryFilter {
                invoice_id: Some(invoice.into()),
                state: None,
            };
            let callback = state
                .deliveries(&filter)
                .into_iter()
                .find(|record| record.kind == DeliveryKind::Callback);
            if let Some(record) = callback.filter(|record| record.attempts.len() >= count) {
                return record;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), poll)
        .await
        .expect("the callback should have its attempts within 10 s")
}
