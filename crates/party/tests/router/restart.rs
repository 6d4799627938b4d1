//! State that survives a restart: a server with a data directory is closed and opened again on it, and its
//! access token, sale, gateway session token, card mapping and received callback are all still there; a corrupt
//! data file is a start-up error naming it, and left alone; a card verification's record and mapping likewise.

use crate::support::*;
use crate::verification::{
    check_verification_body, check_verification_uri, verification, verification_notification,
};
use dapi::CallbackStatus;
use dapi::messages::check::CheckSaleResponse;
use dapi::messages::initiate::ClientCardIdResponse;
use party::{AppState, Config};
use serde_json::json;
use std::path::PathBuf;

/// A fresh directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("party-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn boot(dir: &TempDir) -> Sandbox {
    let config = Config::sandbox();
    let key = config.control_key.clone();
    Sandbox::of(AppState::with_data_dir(config, &dir.0).unwrap(), key)
}

#[tokio::test]
async fn a_verification_and_its_mapping_survive_a_restart() {
    let dir = TempDir::new("restart-verification");
    let first = boot(&dir);
    let (token, initiated) = verification(&first).await;
    let invoice_id = &initiated.invoice_id;
    let body = check_verification_body(&token, &initiated);
    first
        .post(&check_verification_uri(invoice_id), &body)
        .await
        .ok::<serde_json::Value>();
    let notified = verification_notification(&token, GATEWAY_TOKEN);
    first
        .post("/verification/notification", &notified)
        .await
        .ok::<serde_json::Value>();
    let before = first.stored(invoice_id);
    first.state.close().await;
    drop(first);

    let second = boot(&dir);
    assert_eq!(
        second.stored(invoice_id),
        before,
        "the verification's record"
    );
    let uri = format!("/verification/{invoice_id}/client-card-id");
    let mapped: ClientCardIdResponse = second
        .post(&uri, &json!({"session": {"accessToken": token}}))
        .await
        .ok();
    let client_card_id = before.card_mapping.map(|mapping| mapping.client_card_id);
    assert_eq!(
        Some(mapped.client_card_id.clone()),
        client_card_id,
        "the mapping"
    );
    let sale = second.initiate(&token, SERIAL).await;
    let checked: CheckSaleResponse = second
        .check_card(&token, &sale, mapped.client_card_id.as_str())
        .await
        .ok();
    assert_eq!(
        checked.server_card_id().map(|id| id.as_str()),
        Some("9876544"),
        "the verified card pays a sale after the restart"
    );
}

#[tokio::test]
async fn tokens_sales_sessions_mappings_and_callbacks_survive_a_restart() {
    let dir = TempDir::new("restart");
    let first = boot(&dir);
    let (token, sale) = first.initiated().await;
    first.check(&token, &sale).await.ok::<CheckSaleResponse>();
    first
        .notify(&token, GATEWAY_TOKEN)
        .await
        .ok::<serde_json::Value>();
    first
        .callback(&sale.invoice_id, CallbackStatus::Approved)
        .await;
    let before = first.stored(&sale.invoice_id);
    first.state.close().await;
    drop(first);

    let second = boot(&dir);
    assert_eq!(second.stored(&sale.invoice_id), before, "the sale's record");
    let uri = format!("/sale/{}/client-card-id", sale.invoice_id);
    let mapped: ClientCardIdResponse = second
        .post(&uri, &json!({"session": {"accessToken": token}}))
        .await
        .ok();
    let client_card_id = before.card_mapping.map(|mapping| mapping.client_card_id);
    assert_eq!(
        Some(mapped.client_card_id.clone()),
        client_card_id,
        "the token and the mapping"
    );
    let repeat = second.initiate(&token, SERIAL).await;
    let checked: CheckSaleResponse = second
        .check_card(&token, &repeat, mapped.client_card_id.as_str())
        .await
        .ok();
    assert_eq!(
        checked.server_card_id().map(|id| id.as_str()),
        Some("9876543")
    );
    second
        .callback(&sale.invoice_id, CallbackStatus::Approved)
        .await;
    let callback = second.stored(&sale.invoice_id).callback.unwrap();
    assert_eq!(
        callback.deliveries, 2,
        "the callback is known: a repeat counts as a duplicate"
    );
    second.state.close().await;
}

#[tokio::test]
async fn a_corrupt_data_file_is_an_error_naming_it_and_is_left_alone() {
    let dir = TempDir::new("corrupt");
    std::fs::create_dir_all(&dir.0).unwrap();
    let file = dir.0.join("party.redb");
    std::fs::write(&file, b"garbage".repeat(100)).unwrap();
    let error = AppState::with_data_dir(Config::sandbox(), &dir.0).unwrap_err();
    assert!(error.to_string().contains("party.redb"), "{error}");
    assert_eq!(std::fs::read(&file).unwrap(), b"garbage".repeat(100));
}
