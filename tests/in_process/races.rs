//! Two performs for the same invoice at once: exactly one wins (spec 3.3 [DECISION] 4).

use dapi::messages::initiate::{AccessTokenResponse, InitiateSaleResponse};
use dapi::{ErrorBody, PerformSaleCause};
use e2e::Sandbox;
use serde_json::{Value, json};

async fn post(client: &reqwest::Client, url: String, body: &Value) -> (u16, Value) {
    let response = client
        .post(url)
        .json(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_performs_for_one_invoice_get_exactly_one_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = reqwest::Client::new();
    let device = json!({"device": {"serialNumber": "SN-RACE-1"}});
    let (_, token) = post(
        &client,
        format!("{}/auth/request-access-token", sandbox.party_url),
        &json!({"consumer": device}),
    )
    .await;
    let token: AccessTokenResponse = serde_json::from_value(token).unwrap();
    let access_token = token.session.access_token.as_str();
    let initiate = json!({"consumer": device, "session": {"accessToken": access_token},
        "transaction": {"amountCentis": 1050, "currency": "EUR"}});
    let (status, initiated) = post(
        &client,
        format!("{}/sale/initiate-sale", sandbox.party_url),
        &initiate,
    )
    .await;
    assert_eq!(status, 200, "{initiated}");
    let initiated: InitiateSaleResponse = serde_json::from_value(initiated).unwrap();
    let (url, perform) = crate::card_perform(
        &sandbox.gateway_url,
        &device,
        access_token,
        &initiated,
        "4111111111111111",
    );
    let (first, second) = tokio::join!(
        post(&client, url.clone(), &perform),
        post(&client, url, &perform)
    );
    let mut statuses = [first.0, second.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 400], "{first:?} {second:?}");
    let refused = if first.0 == 400 { first.1 } else { second.1 };
    let refused: ErrorBody<PerformSaleCause> = serde_json::from_value(refused).unwrap();
    assert_eq!(refused.error.cause, PerformSaleCause::InvalidRequest);
    assert_eq!(refused.invoice_id.as_ref(), Some(&initiated.invoice_id));
    drop(client);
    sandbox.servers.stop().await;
}
