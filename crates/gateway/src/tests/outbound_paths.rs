//! Ids from a path cannot re-route the gateway's calls to the Connecting Party: perform refuses an `invoiceId`
//! it cannot forward as it is, and an accepted one goes out percent-encoded as one segment. A recording party
//! keeps the raw path of every request it receives.

use super::support::*;
use axum::Router;
use axum::http::{StatusCode, Uri};
use dapi::{MAX_INVOICE_ID_CHARS, segment};
use std::time::Duration;
use tokio::sync::mpsc;

/// A Connecting Party that records the raw path (and query) of every request and answers 404.
struct RecordingParty {
    url: String,
    paths: mpsc::UnboundedReceiver<String>,
}

impl RecordingParty {
    async fn start() -> Self {
        let (sender, paths) = mpsc::unbounded_channel();
        let app = Router::new().fallback(move |uri: Uri| {
            let sender = sender.clone();
            async move {
                let _ = sender.send(uri.to_string());
                StatusCode::NOT_FOUND
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, paths }
    }

    async fn next_path(&mut self) -> String {
        let next = tokio::time::timeout(Duration::from_secs(10), self.paths.recv()).await;
        next.expect("a request within 10 s")
            .expect("the party runs")
    }
}

#[tokio::test]
async fn ids_that_could_re_route_a_request_are_refused_and_the_rest_stay_one_segment() {
    let mut party = RecordingParty::start().await;
    // No callbacks: the check sale URL is the one built from the path's invoiceId.
    let state = gateway(&party.url, |config| config.endpoints[0].callback_url = None);
    let too_long = "A".repeat(MAX_INVOICE_ID_CHARS + 1);
    let hostile = [
        "a/b",
        "../x",
        "..",
        ".",
        "x?y=1",
        "x#top",
        "a%2Fb",
        "a b",
        too_long.as_str(),
    ];
    for id in hostile {
        let uri = sale_uri(ENDPOINT, &segment(id));
        let (code, body) = send(
            &state,
            post_json(&uri, &card_perform(&Terms::local(id), "123")),
        )
        .await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{id}: {body}");
        assert_eq!(body["error"]["cause"], "INVALID_REQUEST", "{id}: {body}");
        assert_eq!(body["error"]["code"], "DAPI-400-INVOICE", "{id}: {body}");
        assert!(
            state.sale_record(&ENDPOINT.into(), &id.into()).is_none(),
            "{id}"
        );
    }
    let longest = "B".repeat(MAX_INVOICE_ID_CHARS);
    let odd_but_safe = ["INV.1", "a_b-c", "...", longest.as_str()];
    for id in odd_but_safe {
        perform(&state, id, &card_perform(&Terms::local(id), "123")).await;
        // The first request the party ever sees is this sale's check: nothing hostile got through before it.
        let path = party.next_path().await;
        assert_eq!(path, format!("/sale/{}/check", segment(id)), "{id}");
        let inner = &path["/sale/".len()..path.len() - "/check".len()];
        assert!(!inner.contains(['/', '?', '#', '.']), "{id} -> {path}");
    }
    assert!(
        party.paths.try_recv().is_err(),
        "one request per accepted sale"
    );
}
