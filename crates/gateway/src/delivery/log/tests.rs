//! The delivery log alone: its cap, the attempts a record keeps, pages, replays.

use super::*;
use crate::sale::CallbackJob;

fn callback(invoice: &str) -> Message {
    Message::Callback(CallbackJob::sample(invoice))
}

fn open(log: &mut DeliveryLog, invoice: &str) -> u64 {
    let tamper = Tamper::default();
    log.open(callback(invoice), tamper, invoice.into(), Instant::now())
}

fn ids(log: &DeliveryLog) -> Vec<String> {
    let all = log.list(&DeliveryFilter::default());
    all.into_iter().map(|record| record.id).collect()
}

#[test]
fn past_the_cap_delivered_records_go_before_dead_letters_and_pending_ones_stay() {
    let mut log = DeliveryLog::with_cap(3);
    let (first, second, third) = (
        open(&mut log, "INV-1"),
        open(&mut log, "INV-2"),
        open(&mut log, "INV-3"),
    );
    log.conclude(first, DeliveryState::DeadLettered);
    log.conclude(second, DeliveryState::Delivered);
    open(&mut log, "INV-4");
    assert_eq!(
        ids(&log),
        ["dlv-1", "dlv-3", "dlv-4"],
        "the delivered one went first"
    );
    open(&mut log, "INV-5");
    assert_eq!(
        ids(&log),
        ["dlv-3", "dlv-4", "dlv-5"],
        "then the dead letter"
    );
    open(&mut log, "INV-6");
    assert_eq!(ids(&log).len(), 4, "pending records are never forgotten");
    assert!(log.has_pending(&"INV-3".into()));
    log.conclude(third, DeliveryState::Delivered);
    assert!(!log.has_pending(&"INV-3".into()));
}

fn attempt(number: u32) -> DeliveryAttempt {
    DeliveryAttempt {
        number,
        started_after_ms: 0,
        status: Some(503),
        latency_ms: 1,
        excerpt: String::new(),
        journal_entry: None,
    }
}

#[test]
fn a_record_keeps_its_latest_attempts_and_counts_the_older_ones() {
    let mut log = DeliveryLog::with_cap(10);
    let number = open(&mut log, "INV-1");
    let made = u32::try_from(MAX_ATTEMPTS_KEPT).unwrap() + 7;
    for n in 1..=made {
        log.push_attempt(number, attempt(n));
    }
    let record = &log.list(&DeliveryFilter::default())[0];
    assert_eq!(record.attempts.len(), MAX_ATTEMPTS_KEPT);
    assert_eq!(record.earlier_attempts, 7);
    assert_eq!(record.attempts[0].number, 8, "the oldest went first");
    assert_eq!(record.attempts_made(), made);
    assert_eq!(log.series(number).unwrap().first_number, made + 1);
}

#[test]
fn pages_follow_the_creation_order_and_the_filter() {
    let mut log = DeliveryLog::with_cap(10);
    for n in 1..=5 {
        let number = open(&mut log, &format!("INV-{}", n % 2));
        if n != 3 {
            log.conclude(number, DeliveryState::Delivered);
        }
    }
    let all = DeliveryFilter::default();
    let ids = |records: Vec<DeliveryRecord>| -> Vec<String> {
        records.into_iter().map(|record| record.id).collect()
    };
    let (first, next) = log.page(&all, None, 2);
    assert_eq!(
        (ids(first), next),
        (vec!["dlv-1".to_owned(), "dlv-2".to_owned()], Some(2))
    );
    let (second, next) = log.page(&all, Some(2), 2);
    assert_eq!(
        (ids(second), next),
        (vec!["dlv-3".to_owned(), "dlv-4".to_owned()], Some(4))
    );
    let (last, next) = log.page(&all, Some(4), 2);
    assert_eq!((ids(last), next), (vec!["dlv-5".to_owned()], None));
    let odd = DeliveryFilter {
        invoice_id: Some("INV-1".into()),
        state: Some(DeliveryState::Delivered),
    };
    let (page, next) = log.page(&odd, None, 1);
    assert_eq!((ids(page), next), (vec!["dlv-1".to_owned()], Some(1)));
    let (page, next) = log.page(&odd, Some(1), 1);
    assert_eq!(
        (ids(page), next),
        (vec!["dlv-5".to_owned()], None),
        "dlv-3 is pending"
    );
}

#[test]
fn only_settled_deliveries_replay_and_attempt_numbers_keep_counting() {
    let mut log = DeliveryLog::with_cap(10);
    let number = open(&mut log, "INV-1");
    let pending = log.replay("dlv-1");
    assert_eq!(pending.unwrap_err(), ReplayError::Pending("dlv-1".into()));
    for unknown in ["dlv-9", "9", "dlv-x"] {
        assert_eq!(
            log.replay(unknown).unwrap_err(),
            ReplayError::Unknown(unknown.into())
        );
    }
    let attempt = DeliveryAttempt {
        number: 1,
        started_after_ms: 0,
        status: Some(503),
        latency_ms: 1,
        excerpt: String::new(),
        journal_entry: None,
    };
    log.push_attempt(number, attempt);
    log.conclude(number, DeliveryState::DeadLettered);
    let (again, token, record) = log.replay("dlv-1").unwrap();
    assert_eq!((again, token.as_str()), (number, "INV-1"));
    assert_eq!(
        (record.state, record.attempts.len()),
        (DeliveryState::Pending, 1)
    );
    assert_eq!(log.series(number).unwrap().first_number, 2);
    let filter = |state| DeliveryFilter {
        state: Some(state),
        ..DeliveryFilter::default()
    };
    assert_eq!(log.list(&filter(DeliveryState::Pending)).len(), 1);
    assert_eq!(log.list(&filter(DeliveryState::DeadLettered)).len(), 0);
    let other = DeliveryFilter {
        invoice_id: Some("INV-2".into()),
        state: None,
    };
    assert!(log.list(&other).is_empty());
}
