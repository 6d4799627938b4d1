//! Nothing is lost: 1,000 sales against a Connecting Party server that refuses 30% of first callback attempts
//! (seeded), every callback delivered or dead-lettered, and the attempt log following the retry schedule.

use dapi::messages::initiate::{AccessTokenResponse, InitiateSaleResponse};
use e2e::Sandbox;
use sandbox_api::DeliveryKind;
use sandbox_api::DeliveryRecord;
use sandbox_api::DeliveryState;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const SALES: usize = 1_000;

fn retry() -> gateway::Retry {
    gateway::Retry {
        attempts: 5,
        first_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(80),
    }
}

async fn post(client: &reqwest::Client, url: &str, body: &Value) -> Value {
    let response = client
        .post(url)
        .json(body)
        .send()
        .await
        .expect("the server answers");
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    response.json().await.expect("a JSON body")
}

/// Initiate and perform one approved (CVV 123) sale; returns its invoice id.
async fn one_sale(
    client: reqwest::Client,
    sandbox: Arc<(String, String)>,
    access_token: String,
) -> String {
    let (party, gateway) = (&sandbox.0, &sandbox.1);
    let device = json!({"device": {"serialNumber": "SN-RELIABILITY"}});
    let initiate = json!({"consumer": device, "session": {"accessToken": access_token},
        "transaction": {"amountCentis": 1050, "currency": "EUR"}});
    let initiated: InitiateSaleResponse = serde_json::from_value(
        post(&client, &format!("{party}/sale/initiate-sale"), &initiate).await,
    )
    .unwrap();
    let (url, perform) = crate::card_perform(
        gateway,
        &device,
        &access_token,
        &initiated,
        "5555555555554444",
    );
    post(&client, &url, &perform).await;
    initiated.invoice_id.to_string()
}

async fn callbacks(client: &reqwest::Client, gateway: &str) -> Vec<DeliveryRecord> {
    e2e::all_deliveries(client, gateway, None)
        .await
        .into_iter()
        .filter(|delivery| delivery.kind == DeliveryKind::Callback)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callbacks_with_thirty_percent_first_failures_are_all_delivered_or_dead_lettered()
 {
    let party = party::Config {
        faults: party::Faults {
            seed: 7,
            callback_failure_rate: 0.3,
        },
        ..party::Config::sandbox()
    };
    let sandbox = Sandbox::start_configured(party, |mut config| {
        config.timings.callback_retry = retry();
        config
    })
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let token = json!({"consumer": {"device": {"serialNumber": "SN-RELIABILITY"}}});
    let token: AccessTokenResponse = serde_json::from_value(
        post(
            &client,
            &format!("{}/auth/request-access-token", sandbox.party_url),
            &token,
        )
        .await,
    )
    .unwrap();
    let access_token = token.session.access_token.to_string();

    let urls = Arc::new((sandbox.party_url.clone(), sandbox.gateway_url.clone()));
    let permits = Arc::new(Semaphore::new(32));
    let mut sales = JoinSet::new();
    for _ in 0..SALES {
        let (client, urls, token, permits) = (
            client.clone(),
            Arc::clone(&urls),
            access_token.clone(),
            Arc::clone(&permits),
        );
        sales.spawn(async move {
            let _permit = permits.acquire_owned().await;
            one_sale(client, urls, token).await
        });
    }
    let mut invoices = Vec::new();
    while let Some(invoice) = sales.join_next().await {
        invoices.push(invoice.unwrap());
    }

    // Wait (bounded) until no callback is pending any more: each is delivered or dead-lettered.
    let settled = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let all = callbacks(&client, &sandbox.gateway_url).await;
            if all.len() == SALES
                && all
                    .iter()
                    .all(|delivery| delivery.state != DeliveryState::Pending)
            {
                return all;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("every callback settles within 60 s");

    let delivered = settled
        .iter()
        .filter(|delivery| delivery.state == DeliveryState::Delivered)
        .count();
    let dead = settled
        .iter()
        .filter(|delivery| delivery.state == DeliveryState::DeadLettered)
        .count();
    assert_eq!(delivered + dead, SALES, "none silently lost");
    let mut seen: Vec<&str> = settled
        .iter()
        .map(|delivery| delivery.invoice_id.as_str())
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), SALES, "one callback delivery per sale");
    invoices.sort_unstable();
    assert_eq!(
        seen,
        invoices.iter().map(String::as_str).collect::<Vec<_>>()
    );

    let refused_first = settled
        .iter()
        .filter(|delivery| delivery.attempts[0].status == Some(503))
        .count();
    assert!(
        (250..=350).contains(&refused_first),
        "{refused_first} first attempts refused of {SALES} at a 30% rate"
    );
    let schedule = retry();
    for delivery in &settled {
        let attempts = &delivery.attempts;
        let last = attempts.last().unwrap();
        match delivery.state {
            DeliveryState::Delivered => assert_eq!(last.status, Some(200), "{delivery:?}"),
            _ => assert_eq!(
                attempts.len(),
                usize::try_from(schedule.attempts).unwrap(),
                "{delivery:?}"
            ),
        }
        for (index, pair) in attempts.windows(2).enumerate() {
            let number = u32::try_from(index).unwrap() + 2;
            assert_eq!(pair[1].number, number);
            let earliest = pair[0].started_after_ms
                + pair[0].latency_ms
                + u64::try_from(schedule.delay(number).as_millis()).unwrap();
            assert!(
                pair[1].started_after_ms + 2 >= earliest,
                "attempt {number} started at {} ms, before the schedule allows ({earliest} ms): {delivery:?}",
                pair[1].started_after_ms
            );
        }
    }
    // Every refused first attempt was followed by exactly one successful retry: a 30% first-attempt fault never
    // needs the dead-letter queue.
    assert_eq!(dead, 0);
    assert_eq!(
        settled
            .iter()
            .filter(|delivery| delivery.attempts.len() == 2)
            .count(),
        refused_first
    );
    sandbox.servers.stop().await;
}
