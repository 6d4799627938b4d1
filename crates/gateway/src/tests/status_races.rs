//! Sale status under concurrency (spec 3.5): polls racing the transitions of sales through 3-D Secure (passed,
//! failed, cancelled, abandoned) always get a consistent body, and every sequence of states a poller observes is
//! one the state machine allows; a final state never changes.

use super::reference_party::ReferenceParty;
use super::support::*;
use crate::AppState;
use axum::http::StatusCode;
use serde_json::Value;
use std::time::Duration;

/// Polls after the first final answer, to see that it stays.
const POLLS_AFTER_FINAL: usize = 20;

/// One body on its own: the state and the fields it requires or forbids.
fn check_body(body: &Value, redirect_url: &str) {
    let has = |field: &str| body.get(field).is_some_and(|value| !value.is_null());
    match body["state"].as_str() {
        Some("PROCESSING") => assert!(!has("redirectUrl") && !has("bankOrderId"), "{body}"),
        Some("REDIRECT_REQUEST") => {
            assert_eq!(
                body["redirectUrl"], redirect_url,
                "a stable redirectUrl: {body}"
            );
            assert!(!has("bankOrderId") && has("orderId"), "{body}");
        }
        Some("APPROVED" | "DECLINED") => {
            assert!(
                has("bankOrderId") && has("orderId") && !has("redirectUrl"),
                "{body}"
            );
        }
        _ => unreachable!("unknown state: {body}"),
    }
}

/// A poller's observations, consecutive duplicates removed, against the state machine: `PROCESSING` may go to
/// `REDIRECT_REQUEST` only before 3-D Secure was left; `REDIRECT_REQUEST` goes to `PROCESSING` or a final state
/// (polls may miss the `PROCESSING` in between); a final body never changes; `orderId`, once given, stays.
fn check_sequence(bodies: &[Value]) {
    let mut left_redirect = false;
    for pair in bodies.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let states = (before["state"].as_str(), after["state"].as_str());
        match states {
            (Some("APPROVED" | "DECLINED"), _) => {
                assert_eq!(before, after, "a final body never changes")
            }
            (Some("REDIRECT_REQUEST"), Some("PROCESSING")) => left_redirect = true,
            (Some("PROCESSING"), Some("REDIRECT_REQUEST")) => {
                assert!(!left_redirect, "3-D Secure twice: {bodies:#?}")
            }
            _ => {}
        }
        if before.get("orderId").is_some() {
            assert_eq!(before["orderId"], after["orderId"], "orderId stays");
        }
    }
}

/// Polls a sale until it has been final for [`POLLS_AFTER_FINAL`] polls; the distinct bodies seen, in order.
async fn observe(state: AppState, sale: Terms, token: String) -> Vec<Value> {
    let redirect_url = format!("http://gw.test/sim/3ds/{token}");
    let mut seen: Vec<Value> = Vec::new();
    let mut after_final = 0;
    while after_final < POLLS_AFTER_FINAL {
        let body = status(&state, &sale, &token).await;
        check_body(&body, &redirect_url);
        if matches!(body["state"].as_str(), Some("APPROVED" | "DECLINED")) {
            after_final += 1;
        }
        if seen.last() != Some(&body) {
            seen.push(body);
        }
        tokio::task::yield_now().await;
    }
    seen
}

/// Plays the consumer: waits for the page, then answers it (or abandons it).
async fn answer(state: AppState, sale: Terms, token: String, form: Option<&'static str>) {
    wait_for_state(&state, &sale, &token, &["REDIRECT_REQUEST"]).await;
    if let Some(form) = form {
        let request = post_raw(
            &format!("/sim/3ds/{token}"),
            "application/x-www-form-urlencoded",
            form,
        );
        let (code, _, _) = send_full(&state, request).await;
        assert_eq!(code, StatusCode::SEE_OTHER);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_polls_see_consistent_bodies_and_allowed_state_sequences() {
    let party = ReferenceParty::start().await;
    let state = gateway(&party.url, |config| {
        config.timings.three_ds_timeout = Duration::from_secs(1);
    });
    let answers = [
        Some("password=hint&action=submit"),
        Some("password=guess&action=submit"),
        Some("action=cancel"),
        None,
    ];
    let mut pollers = Vec::new();
    let mut consumers = Vec::new();
    for form in answers.iter().cycle().take(8) {
        let sale = party.sale().await;
        let token = perform_card(&state, &sale, "321").await;
        for _ in 0..2 {
            let job = observe(state.clone(), sale.clone(), token.clone());
            pollers.push((sale.invoice.clone(), tokio::spawn(job)));
        }
        consumers.push(tokio::spawn(answer(state.clone(), sale, token, *form)));
    }
    let all = async {
        for consumer in consumers {
            consumer.await.expect("the consumer should not panic");
        }
        let mut finals = Vec::new();
        for (invoice, poller) in pollers {
            let seen = poller.await.expect("every body should be consistent");
            check_sequence(&seen);
            let last = seen.last().expect("at least one poll");
            finals.push((invoice, last["state"].clone()));
        }
        finals
    };
    let finals = tokio::time::timeout(Duration::from_secs(30), all)
        .await
        .expect("every sale should end within 30 s");
    let approved = finals
        .iter()
        .filter(|(_, state)| *state == "APPROVED")
        .count();
    assert_eq!(
        approved, 4,
        "the right password approves, the rest decline: {finals:?}"
    );
}

#[test]
fn the_sequence_check_refuses_what_the_state_machine_forbids() {
    let body = |state: &str| serde_json::json!({"state": state, "orderId": "1"});
    let allowed = [
        body("PROCESSING"),
        body("REDIRECT_REQUEST"),
        body("APPROVED"),
    ];
    check_sequence(&allowed);
    for forbidden in [
        vec![body("APPROVED"), body("PROCESSING")],
        vec![
            body("REDIRECT_REQUEST"),
            body("PROCESSING"),
            body("REDIRECT_REQUEST"),
        ],
    ] {
        let refused = std::panic::catch_unwind(|| check_sequence(&forbidden));
        assert!(refused.is_err(), "{forbidden:?}");
    }
}
