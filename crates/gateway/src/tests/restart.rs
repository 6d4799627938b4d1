//! State that survives a restart: a gateway with a data directory is stopped and started again on it, and finds
//! its sales (status, order ids), its card registry (a repeat sale still works), its delivery log and its open
//! 3-D Secure page (timer armed again), and its card verifications likewise (their status on their own path, the
//! card a verification mapped paying a sale); without a data directory two boots never issue the same ids; a corrupt
//! data file is a start-up error naming it.

use super::reference_party::ReferenceParty;
use super::support::*;
use super::verification::{
    perform_validation, validation, verification_status, wait_for_verification,
};
use crate::{AppState, Config, DeliveryFilter};
use axum::http::StatusCode;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A fresh directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("gateway-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn config(party_url: &str) -> Config {
    let mut config = Config::sandbox("http://gw.test", party_url);
    config.timings = fast_timings();
    config
}

fn boot(party_url: &str, dir: &Path) -> AppState {
    AppState::with_data_dir(config(party_url), dir).expect("the data directory opens")
}

#[tokio::test]
async fn sales_cards_deliveries_and_an_open_page_survive_a_restart() {
    let party = ReferenceParty::start().await;
    let dir = TempDir::new("restart");
    let first = boot(&party.url, &dir.0);
    let (r1, r2, r3) = (party.sale().await, party.sale().await, party.sale().await);
    let approved = perform_card(&first, &r1, "123").await;
    let before = wait_for_state(&first, &r1, &approved, &["APPROVED"]).await;
    let page = perform_card(&first, &r2, "321").await;
    wait_for_state(&first, &r2, &page, &["REDIRECT_REQUEST"]).await;
    wait_for_callback(&first, &r1.invoice, sandbox_api::DeliveryState::Delivered).await;
    let log_before = first.deliveries(&DeliveryFilter::default());
    let card = first.store().card_ids();
    first.shutdown(Duration::ZERO).await;
    drop(first);

    let second = boot(&party.url, &dir.0);
    let after = status(&second, &r1, &approved).await;
    assert_eq!(after, before, "the same final answer, bankOrderId included");
    assert_eq!(second.store().card_ids(), card, "the card registry");
    assert_eq!(
        second.deliveries(&DeliveryFilter::default()),
        log_before,
        "the delivery log"
    );
    let shown = status(&second, &r2, &page).await;
    assert_eq!(shown["state"], "REDIRECT_REQUEST");
    assert_eq!(
        second.live_timers(),
        1,
        "the open page's timer is armed again"
    );

    let client_card_id = party.client_card_id(&r1).await;
    let body = reference_perform(&r3, client_card_id.as_str(), Some(EMAIL));
    let repeat = perform(&second, &r3.invoice, &body).await;
    let repeated = wait_for_state(&second, &r3, &repeat, &["APPROVED", "DECLINED"]).await;
    assert_eq!(
        repeated["state"], "APPROVED",
        "the mapped card still works: {repeated}"
    );
    let order =
        |answer: &serde_json::Value| answer["orderId"].as_str().unwrap().parse::<u64>().unwrap();
    assert!(
        order(&repeated) > order(&before),
        "ids go on from where they were"
    );
    second.shutdown(Duration::ZERO).await;
}

#[tokio::test]
async fn verifications_and_a_verified_card_survive_a_restart() {
    let party = ReferenceParty::start().await;
    let dir = TempDir::new("restart-verification");
    let first = boot(&party.url, &dir.0);
    let (approved, paged) = (party.verification().await, party.verification().await);
    let token = perform_validation(&first, &approved, &validation(&approved, "123")).await;
    let before = wait_for_verification(&first, &approved, &token, &["APPROVED"]).await;
    let page = perform_validation(&first, &paged, &validation(&paged, "321")).await;
    wait_for_verification(&first, &paged, &page, &["REDIRECT_REQUEST"]).await;
    first.shutdown(Duration::ZERO).await;
    drop(first);

    let second = boot(&party.url, &dir.0);
    let (code, after) = verification_status(&second, &approved, &token).await;
    assert_eq!(
        (code, &after),
        (StatusCode::OK, &before),
        "the same final answer"
    );
    let (_, shown) = verification_status(&second, &paged, &page).await;
    assert_eq!(shown["state"], "REDIRECT_REQUEST");
    assert_eq!(
        second.live_timers(),
        1,
        "the open page's timer is armed again"
    );
    let as_sale =
        serde_json::json!({"session":{"accessToken":approved.access_token,"token":token}});
    let sale_status = format!("{}/status", sale_uri(ENDPOINT, &approved.invoice));
    let (code, _) = send(&second, post_json(&sale_status, &as_sale)).await;
    assert_eq!(
        code,
        StatusCode::BAD_REQUEST,
        "still a verification, not a sale"
    );

    let client_card_id = party.verified_card(&approved).await;
    let sale = party.sale_with(&approved).await;
    let body = reference_perform(&sale, client_card_id.as_str(), Some(EMAIL));
    let repeat = perform(&second, &sale.invoice, &body).await;
    let repeated = wait_for_state(&second, &sale, &repeat, &["APPROVED", "DECLINED"]).await;
    assert_eq!(
        repeated["state"], "APPROVED",
        "the verified card still pays: {repeated}"
    );
    second.shutdown(Duration::ZERO).await;
}

#[tokio::test]
async fn two_boots_without_a_data_directory_never_issue_the_same_ids() {
    let record = || crate::store::CardRecord {
        endpoint_id: ENDPOINT.into(),
        card: crate::sale::CardFacts::of(&"4111111111111111".into()),
        email: None,
        confirmed: false,
        origin: dapi::Flow::Sale,
    };
    let first = AppState::new(config("http://127.0.0.1:9"));
    let issued: Vec<u64> = (0..1000)
        .map(|_| first.store().issue_card(record()).as_str().parse().unwrap())
        .collect();
    let first_order: u64 = first.store().next_order_id().as_str().parse().unwrap();
    drop(first);
    let second = AppState::new(config("http://127.0.0.1:9"));
    let next_card: u64 = second
        .store()
        .issue_card(record())
        .as_str()
        .parse()
        .unwrap();
    let next_order: u64 = second.store().next_order_id().as_str().parse().unwrap();
    assert!(
        issued.iter().all(|id| *id < next_card),
        "{next_card} after {:?}",
        issued.last()
    );
    assert!(next_order > first_order, "{next_order} after {first_order}");
}

#[tokio::test]
async fn a_corrupt_data_file_is_an_error_naming_it_and_is_left_alone() {
    let dir = TempDir::new("corrupt");
    std::fs::create_dir_all(&dir.0).unwrap();
    let file = dir.0.join("gateway.redb");
    std::fs::write(&file, b"not a database".repeat(64)).unwrap();
    let error = AppState::with_data_dir(config("http://127.0.0.1:9"), &dir.0).unwrap_err();
    assert!(error.to_string().contains("gateway.redb"), "{error}");
    assert_eq!(std::fs::read(&file).unwrap(), b"not a database".repeat(64));
}
