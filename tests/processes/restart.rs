//! `kill -9` in the middle of a run: both servers keep their state in one `--data-dir`; sales are approved, one
//! 3-D Secure page is left open and every callback is still pending (the party refuses each first attempt and
//! the retry waits 10 s) when both are killed. Started again on the same directory and listen addresses, they
//! answer every acknowledged sale the same way, the card mappings still work for a repeat sale, the pending
//! callbacks are delivered, and the open page can still be answered.

use e2e::{Server, TempDir, all_deliveries};
use sandbox_api::three_ds::{THREE_DS_ACTION_FIELD, THREE_DS_PASSWORD_FIELD, THREE_DS_SUBMIT};
use sandbox_api::{DeliveryKind, DeliveryState, PartySaleRecord};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const SERIAL: &str = "SN-KILL-9";

/// The app's side of the run: one client, one consumer.
struct App {
    client: reqwest::Client,
    party: String,
    gateway: String,
    access_token: String,
}

impl App {
    async fn post(&self, url: &str, body: &Value) -> Value {
        let response = self.client.post(url).json(body).send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    async fn sign_in(client: reqwest::Client, party: &str, gateway: &str) -> Self {
        let mut app = Self {
            client,
            party: party.to_owned(),
            gateway: gateway.to_owned(),
            access_token: String::new(),
        };
        let body =
            json!({"consumer": {"device": {"serialNumber": SERIAL}, "email": "kill9@example.com"}});
        let answer = app
            .post(&format!("{party}/auth/request-access-token"), &body)
            .await;
        app.access_token = answer["session"]["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        app
    }

    /// Initiates and performs a sale paid with `source`; its invoice id and session token.
    async fn sale(&self, source: Value) -> (String, String) {
        let device = json!({"device": {"serialNumber": SERIAL}, "email": "kill9@example.com"});
        let transaction = json!({"amountCentis": 1050, "currency": "EUR"});
        let initiate = json!({"consumer": device, "session": {"accessToken": self.access_token},
            "transaction": transaction});
        let initiated = self
            .post(&format!("{}/sale/initiate-sale", self.party), &initiate)
            .await;
        let invoice = initiated["invoiceId"].as_str().unwrap().to_owned();
        let session = &initiated["session"];
        let perform = json!({"consumer": device, "transaction": transaction, "sourceOfFunds": source,
            "session": {"accessToken": self.access_token, "nonce": session["nonce"], "signature": session["signature"]}});
        let url = format!("{}/paynet/dapi/v1/sale/1234/{invoice}", self.gateway);
        let performed = self.post(&url, &perform).await;
        (
            invoice,
            performed["session"]["token"].as_str().unwrap().to_owned(),
        )
    }

    async fn status(&self, invoice: &str, token: &str) -> Value {
        let url = format!("{}/paynet/dapi/v1/sale/1234/{invoice}/status", self.gateway);
        let body = json!({"session": {"accessToken": self.access_token, "token": token}});
        self.post(&url, &body).await
    }

    /// Polls the status (bounded) until its state is `wanted`.
    async fn until(&self, invoice: &str, token: &str, wanted: &str) -> Value {
        let poll = async {
            loop {
                let answer = self.status(invoice, token).await;
                if answer["state"] == wanted {
                    return answer;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(20), poll)
            .await
            .unwrap_or_else(|_| panic!("{invoice} never reached {wanted}"))
    }

    async fn party_record(&self, invoice: &str) -> PartySaleRecord {
        let url = format!("{}/sim/sales/{invoice}", self.party);
        self.client
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

fn card(cvv: &str) -> Value {
    json!({"card": {"number": "4111111111111111", "securityCode": cvv, "expiry": {"month": 12, "year": 2030},
        "holder": {"printedName": "JANE DOE"}}})
}

async fn start_party(dir: &Path, listen: &str, extra: &[&str]) -> Server {
    let mut args = vec!["--listen", listen, "--data-dir", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    Server::start("party-server", &args).await
}

async fn start_gateway(dir: &Path, listen: &str) -> Server {
    let config = dir.join("gateway.toml");
    let args = [
        "--listen",
        listen,
        "--config",
        config.to_str().unwrap(),
        "--data-dir",
        dir.to_str().unwrap(),
    ];
    Server::start("connpay-gateway", &args).await
}

fn listen_of(server: &Server) -> String {
    server.url.trim_start_matches("http://").to_owned()
}

async fn kill_9(mut server: Server) {
    server.child.start_kill().unwrap();
    let exit = tokio::time::timeout(Duration::from_secs(10), server.child.wait()).await;
    assert!(!exit.unwrap().unwrap().success(), "killed, not stopped");
}

#[tokio::test]
async fn both_servers_killed_mid_run_come_back_with_every_acknowledged_sale_mapping_and_delivery() {
    let dir = TempDir::new("kill-9");
    // Every sale's first callback attempt is refused: each callback is pending, its retry 10 s away.
    let party = start_party(&dir.0, "127.0.0.1:0", &["--callback-failure-rate", "1"]).await;
    let toml = format!(
        "[timings.callback_retry]\nattempts = 10\nfirst_delay_ms = 10000\nmax_delay_ms = 10000\n\n\
         [[endpoint]]\nid = \"1234\"\ncontrol_key = \"{}\"\nparty_url = \"{}\"\n",
        dapi::SANDBOX_CONTROL_KEY,
        party.url
    );
    std::fs::write(dir.0.join("gateway.toml"), toml).unwrap();
    let gateway = start_gateway(&dir.0, "127.0.0.1:0").await;
    let (party_listen, gateway_listen) = (listen_of(&party), listen_of(&gateway));
    let client = reqwest::Client::new();
    let app = App::sign_in(client.clone(), &party.url, &gateway.url).await;

    let mut approved = Vec::new();
    for _ in 0..3 {
        let (invoice, token) = app.sale(card("123")).await;
        let answer = app.until(&invoice, &token, "APPROVED").await;
        approved.push((invoice, token, answer));
    }
    let (page_invoice, page_token) = app.sale(card("321")).await;
    let page = app
        .until(&page_invoice, &page_token, "REDIRECT_REQUEST")
        .await;
    let before = all_deliveries(&client, &gateway.url, None).await;
    let pending = |records: &[sandbox_api::DeliveryRecord]| {
        records
            .iter()
            .filter(|record| {
                record.kind == DeliveryKind::Callback && record.state == DeliveryState::Pending
            })
            .count()
    };
    assert_eq!(
        pending(&before),
        3,
        "every callback is pending when the servers die: {before:#?}"
    );
    kill_9(gateway).await;
    kill_9(party).await;

    let party = start_party(&dir.0, &party_listen, &[]).await;
    let gateway = start_gateway(&dir.0, &gateway_listen).await;
    assert_eq!(
        (party.url.as_str(), gateway.url.as_str()),
        (app.party.as_str(), app.gateway.as_str())
    );
    for (invoice, token, answer) in &approved {
        assert_eq!(
            &app.status(invoice, token).await,
            answer,
            "{invoice}: the same final answer"
        );
        let record = app.party_record(invoice).await;
        assert!(
            record.card_mapping.is_some(),
            "{invoice}: the card mapping is kept"
        );
    }
    let delivered = async {
        loop {
            let after = all_deliveries(&client, &gateway.url, None).await;
            let callbacks = after
                .iter()
                .filter(|record| record.kind == DeliveryKind::Callback);
            if callbacks
                .filter(|record| record.state == DeliveryState::Delivered)
                .count()
                == 3
            {
                return after;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let after = tokio::time::timeout(Duration::from_secs(30), delivered)
        .await
        .expect("the pending callbacks are delivered after the restart");
    assert_eq!(after.len(), before.len(), "no delivery lost, none added");
    for (invoice, _, _) in &approved {
        let record = app.party_record(invoice).await;
        let callback = record.callback.expect("the callback arrived");
        assert_eq!(
            (callback.status, callback.deliveries),
            (dapi::CallbackStatus::Approved, 1)
        );
    }

    let mapping = app.party_record(&approved[0].0).await.card_mapping.unwrap();
    let reference =
        json!({"reference": {"clientCardId": mapping.client_card_id, "securityCode": "123"}});
    let (repeat, repeat_token) = app.sale(reference).await;
    app.until(&repeat, &repeat_token, "APPROVED").await;

    assert_eq!(
        app.status(&page_invoice, &page_token).await,
        page,
        "the page is still open"
    );
    let form = [
        (THREE_DS_ACTION_FIELD, THREE_DS_SUBMIT),
        (THREE_DS_PASSWORD_FIELD, "hint"),
    ];
    let url = format!("{}/sim/3ds/{page_token}", gateway.url);
    let answered = client.post(url).form(&form).send().await.unwrap();
    assert!(answered.status().is_success(), "{}", answered.status());
    app.until(&page_invoice, &page_token, "APPROVED").await;
}
