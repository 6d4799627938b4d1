//! Server-wide behaviour under load: the seeded callback failure rate (same seed, same refusals; the rate
//! holds), and the caps on sales, access tokens and card mappings (the oldest forgotten first).

use crate::support::*;
use axum::http::StatusCode;
use dapi::messages::check::{CardMappingResponse, CheckSaleResponse};
use dapi::{CallbackStatus, ClientCardId, InvoiceId, PartyCause};
use party::{Config, Faults};

fn with_faults(seed: u64, callback_failure_rate: f64) -> Sandbox {
    Sandbox::with(Config {
        faults: Faults {
            seed,
            callback_failure_rate,
        },
        ..Config::sandbox()
    })
}

/// Makes `count` sales one after the other and sends each its first callback; whether each was refused.
async fn first_callbacks(party: &Sandbox, count: usize) -> Vec<bool> {
    let token = party.token(SERIAL, None).await;
    let mut refused = Vec::with_capacity(count);
    for _ in 0..count {
        let sale = party.initiate(&token, SERIAL).await;
        let reply = party
            .callback(&sale.invoice_id, CallbackStatus::Approved)
            .await;
        match reply.status {
            StatusCode::OK => refused.push(false),
            _ => {
                let code = "DAPI-503-UNAVAILABLE";
                let cause = PartyCause::ServerUnavailable;
                reply.failed(StatusCode::SERVICE_UNAVAILABLE, cause, code);
                // Only the first attempt is at risk: the retry is accepted.
                let retry = party
                    .callback(&sale.invoice_id, CallbackStatus::Approved)
                    .await;
                assert_eq!(retry.status, StatusCode::OK, "{}", retry.text());
                refused.push(true);
            }
        }
    }
    refused
}

#[tokio::test]
async fn the_same_seed_refuses_the_same_first_attempts_and_another_seed_others() {
    let first = first_callbacks(&with_faults(42, 0.5), 200).await;
    let again = first_callbacks(&with_faults(42, 0.5), 200).await;
    let other = first_callbacks(&with_faults(43, 0.5), 200).await;
    assert_eq!(first, again);
    assert_ne!(first, other);
    assert!(first.contains(&true) && first.contains(&false));
}

#[tokio::test]
async fn the_rate_holds_over_many_sales_and_the_stats_count_it() {
    let party = with_faults(7, 0.3);
    let refused = first_callbacks(&party, 1000).await;
    let count = refused.iter().filter(|refused| **refused).count();
    assert!((250..350).contains(&count), "{count} of 1000 refused");
    let stats = party.state.fault_stats();
    assert_eq!(stats.first_attempts_drawn, 1000);
    assert_eq!(stats.first_attempts_refused, u64::try_from(count).unwrap());
    assert_eq!(stats.callbacks_refused, stats.first_attempts_refused);
    assert_eq!(stats.notifications_refused, 0);
}

#[tokio::test]
async fn without_a_rate_no_first_attempt_is_refused_or_drawn() {
    let party = Sandbox::new();
    assert!(!first_callbacks(&party, 50).await.contains(&true));
    assert_eq!(party.state.fault_stats(), party::FaultStats::default());
}

fn capped() -> Sandbox {
    Sandbox::with(Config {
        max_sales: 2,
        max_access_tokens: 2,
        max_card_mappings: 1,
        ..Config::sandbox()
    })
}

#[tokio::test]
async fn past_the_caps_the_oldest_sale_and_access_token_are_forgotten() {
    let party = capped();
    let tokens = [
        party.token(SERIAL, None).await,
        party.token(SERIAL, None).await,
        party.token(SERIAL, None).await,
    ];
    let body = initiate_body(tokens[0].as_str(), SERIAL);
    let reply = party.post("/sale/initiate-sale", &body).await;
    reply.refused(StatusCode::FORBIDDEN, "DAPI-403-TOKEN");
    let mut sales: Vec<InvoiceId> = Vec::new();
    for _ in 0..3 {
        sales.push(party.initiate(&tokens[2], SERIAL).await.invoice_id);
    }
    party.initiate(&tokens[1], SERIAL).await;
    for (index, invoice_id) in sales.iter().enumerate() {
        let known = party.state.record(invoice_id).is_some();
        assert_eq!(known, index == 2, "sale {index}");
    }
    let reply = party
        .get(&sandbox_api::paths::party_record_path(&sales[0]))
        .await;
    reply.refused(StatusCode::NOT_FOUND, "DAPI-404-INVOICE");
}

#[tokio::test]
async fn past_the_cap_the_oldest_card_mapping_is_forgotten() {
    let party = capped();
    let token = party.token(SERIAL, Some(EMAIL)).await;
    let mut cards: Vec<ClientCardId> = Vec::new();
    for gateway_token in [GATEWAY_TOKEN, "22222222-2222-4222-8222-222222222222"] {
        let sale = party.initiate(&token, SERIAL).await;
        let reply = party.check_as(&token, &sale, gateway_token).await;
        reply.ok::<CheckSaleResponse>();
        let reply = party.notify(&token, gateway_token).await;
        reply.ok::<CardMappingResponse>();
        let mapping = party.stored(&sale.invoice_id).card_mapping;
        cards.push(mapping.unwrap().client_card_id);
    }
    let repeat = party.initiate(&token, SERIAL).await;
    let reply = party.check_card(&token, &repeat, cards[0].as_str()).await;
    reply.refused(StatusCode::BAD_REQUEST, "DAPI-400-CLIENT-CARD");
    let answer: CheckSaleResponse = party
        .check_card(&token, &repeat, cards[1].as_str())
        .await
        .ok();
    assert_eq!(
        answer.server_card_id().map(|id| id.as_str()),
        Some("9876543")
    );
}
