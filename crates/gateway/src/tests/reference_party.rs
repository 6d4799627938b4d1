//! The real reference Connecting Party server (`party::serve`) on 127.0.0.1:0, driven as the protocol and the
//! sandbox drive it: sales are made through its HTTP API as the app makes them (access token, then initiate
//! sale), so the nonce, signature and invoice id the gateway sees are the party's own; misbehaviour and faults
//! are set per sale through `POST /sim/sales/{invoiceId}/misbehave`; what it did is awaited as its
//! [`PartyEvent`]s, and what it saw is read from its sale record.
//!
//! The server stops when the [`ReferenceParty`] is dropped.

use super::support::{EMAIL, ENDPOINT, SERIAL, Terms};
use dapi::messages::initiate::{AccessTokenResponse, ClientCardIdResponse, InitiateSaleResponse};
use dapi::{CallbackStatus, ClientCardId, Flow, InvoiceId, ServerCardId, paths};
use party::PartyEvent;
use sandbox_api::paths::{party_misbehave_path, party_misbehave_path_of};
use sandbox_api::{PartyMisbehaviour, PartySaleRecord};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::sync::{broadcast, oneshot};

/// How long an awaited event may take.
const EVENT_WAIT: Duration = Duration::from_secs(10);

/// A running reference party: its URL, its state and the events it published since it started.
pub(super) struct ReferenceParty {
    pub(super) url: String,
    state: party::AppState,
    events: broadcast::Receiver<PartyEvent>,
    /// Events received while another one was awaited, oldest first: waits may come in any order.
    backlog: VecDeque<PartyEvent>,
    http: reqwest::Client,
    /// Dropped with the party: the server shuts down.
    _stop: oneshot::Sender<()>,
}

impl ReferenceParty {
    /// Starts a party with [`party::Config::sandbox`] (the gateway's sandbox endpoint and key).
    pub(super) async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = party::AppState::new(party::Config::sandbox());
        let events = state.subscribe();
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async {
            let _ = stopped.await;
        };
        tokio::spawn(party::serve(listener, state.clone(), shutdown));
        Self {
            url,
            state,
            events,
            backlog: VecDeque::new(),
            http: reqwest::Client::new(),
            _stop: stop,
        }
    }

    /// A sale as the app makes it: an access token for [`SERIAL`] bound to [`EMAIL`], then initiate sale for
    /// 10.50 EUR.
    pub(super) async fn sale(&self) -> Terms {
        let consumer = json!({"consumer":{"device":{"serialNumber":SERIAL},"email":EMAIL}});
        let token: AccessTokenResponse = self.post(paths::ACCESS_TOKEN, &consumer).await;
        let access_token = token.session.access_token.to_string();
        let initiate = json!({"consumer":{"device":{"serialNumber":SERIAL}},
            "session":{"accessToken":access_token},
            "transaction":{"amountCentis":1050,"currency":"EUR"}});
        let sale: InitiateSaleResponse = self.post(paths::INITIATE_SALE, &initiate).await;
        assert_eq!(
            sale.endpoint_id.as_str(),
            ENDPOINT,
            "the gateway's endpoint"
        );
        Terms {
            invoice: sale.invoice_id.to_string(),
            access_token,
            nonce: sale.session.nonce.to_string(),
            signature: sale.session.signature.to_string(),
        }
    }

    /// A card verification as the app makes it: an access token for [`SERIAL`] bound to [`EMAIL`], then initiate
    /// verification in USD (addendum §2.2).
    pub(super) async fn verification(&self) -> Terms {
        let consumer = json!({"consumer":{"device":{"serialNumber":SERIAL},"email":EMAIL}});
        let token: AccessTokenResponse = self.post(paths::ACCESS_TOKEN, &consumer).await;
        let access_token = token.session.access_token.to_string();
        let initiate = json!({"consumer":{"device":{"serialNumber":SERIAL}},
            "session":{"accessToken":access_token},"transaction":{"currency":"USD"}});
        let verification: InitiateSaleResponse =
            self.post(paths::INITIATE_VERIFICATION, &initiate).await;
        Terms {
            invoice: verification.invoice_id.to_string(),
            access_token,
            nonce: verification.session.nonce.to_string(),
            signature: verification.session.signature.to_string(),
        }
    }

    /// `POST /sim/verifications/{invoiceId}/misbehave`, which must be accepted.
    pub(super) async fn misbehave_verification(&self, invoice: &str, settings: Value) {
        let path = party_misbehave_path_of(Flow::Verification, &invoice.into());
        let _: PartyMisbehaviour = self.post(&path, &settings).await;
    }

    /// `POST /verification/{invoiceId}/client-card-id` (addendum V17): the card a verification mapped.
    pub(super) async fn verified_card(&self, verification: &Terms) -> ClientCardId {
        let path =
            paths::client_card_id_of(Flow::Verification, &verification.invoice.as_str().into());
        let body = json!({"session":{"accessToken":verification.access_token}});
        let answer: ClientCardIdResponse = self.post(&path, &body).await;
        answer.client_card_id
    }

    /// A sale for the consumer of `verification` (same access token), 10.50 EUR.
    pub(super) async fn sale_with(&self, verification: &Terms) -> Terms {
        let initiate = json!({"consumer":{"device":{"serialNumber":SERIAL}},
            "session":{"accessToken":verification.access_token},
            "transaction":{"amountCentis":1050,"currency":"EUR"}});
        let sale: InitiateSaleResponse = self.post(paths::INITIATE_SALE, &initiate).await;
        Terms {
            invoice: sale.invoice_id.to_string(),
            access_token: verification.access_token.clone(),
            nonce: sale.session.nonce.to_string(),
            signature: sale.session.signature.to_string(),
        }
    }

    /// A sale made as [`ReferenceParty::sale`], set to misbehave with `settings` before the gateway sees it.
    pub(super) async fn misbehaving_sale(&self, settings: Value) -> Terms {
        let sale = self.sale().await;
        self.misbehave(&sale.invoice, settings).await;
        sale
    }

    /// `POST /sim/sales/{invoiceId}/misbehave`, which must be accepted and answered back as sent.
    pub(super) async fn misbehave(&self, invoice: &str, settings: Value) {
        let path = party_misbehave_path(&invoice.into());
        let stored: PartyMisbehaviour = self.post(&path, &settings).await;
        assert_eq!(serde_json::to_value(stored).unwrap(), settings);
    }

    /// `POST /sale/{invoiceId}/client-card-id` as the app sends it after its first sale (spec A24).
    pub(super) async fn client_card_id(&self, sale: &Terms) -> ClientCardId {
        let path = format!("/sale/{}/client-card-id", sale.invoice);
        let body = json!({"session":{"accessToken":sale.access_token}});
        let answer: ClientCardIdResponse = self.post(&path, &body).await;
        answer.client_card_id
    }

    /// What the party saw of a sale.
    pub(super) fn record(&self, invoice: &str) -> PartySaleRecord {
        let record = self.state.record(&invoice.into());
        record.expect("the party should know the sale")
    }

    /// What the party's faults did so far.
    pub(super) fn fault_stats(&self) -> party::FaultStats {
        self.state.fault_stats()
    }

    /// Whether a check sale for the invoice was answered with 200.
    pub(super) async fn checked(&mut self, invoice: &str) -> bool {
        let invoice = InvoiceId::from(invoice);
        self.wait_for("a check sale", |event| match event {
            PartyEvent::Checked {
                invoice_id,
                accepted,
            } if *invoice_id == invoice => Some(*accepted),
            _ => None,
        })
        .await
    }

    /// The card reference the party made for the sale from the gateway's notification.
    pub(super) async fn card_mapped(&mut self, invoice: &str) -> (ClientCardId, ServerCardId) {
        let invoice = InvoiceId::from(invoice);
        self.wait_for("a card mapping", |event| match event {
            PartyEvent::CardMapped {
                invoice_id,
                client_card_id,
                server_card_id,
            } if *invoice_id == invoice => Some((client_card_id.clone(), server_card_id.clone())),
            _ => None,
        })
        .await
    }

    /// The status of the sale's next callback the party accepted (its `control` verified), and whether it
    /// repeated an earlier one.
    pub(super) async fn callback(&mut self, invoice: &str) -> (CallbackStatus, bool) {
        let invoice = InvoiceId::from(invoice);
        self.wait_for("a verified callback", |event| match event {
            PartyEvent::CallbackReceived {
                invoice_id,
                status,
                duplicate,
            } if *invoice_id == invoice => Some((*status, *duplicate)),
            _ => None,
        })
        .await
    }

    /// The first event, kept or new, that `pick` takes; the others stay kept. At most [`EVENT_WAIT`].
    async fn wait_for<T>(
        &mut self,
        what: &str,
        mut pick: impl FnMut(&PartyEvent) -> Option<T>,
    ) -> T {
        if let Some((index, found)) = self
            .backlog
            .iter()
            .enumerate()
            .find_map(|(index, event)| pick(event).map(|found| (index, found)))
        {
            self.backlog.remove(index);
            return found;
        }
        let wait = async {
            loop {
                let event = self
                    .events
                    .recv()
                    .await
                    .expect("the party's events should neither lag nor stop");
                match pick(&event) {
                    Some(found) => return found,
                    None => self.backlog.push_back(event),
                }
            }
        };
        tokio::time::timeout(EVENT_WAIT, wait)
            .await
            .unwrap_or_else(|_| panic!("the party should publish {what} within 10 s"))
    }

    /// A POST of JSON that must be answered 200 with a `T`.
    async fn post<T: DeserializeOwned>(&self, path: &str, body: &Value) -> T {
        let answer = self
            .http
            .post(format!("{}{path}", self.url))
            .json(body)
            .send()
            .await
            .expect("the party should answer");
        let status = answer.status();
        let text = answer.text().await.expect("a body");
        assert_eq!(status, reqwest::StatusCode::OK, "{path}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path}: {error}: {text}"))
    }
}
