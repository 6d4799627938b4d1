//! The committed documents are what the code generates (`UPDATE_SCHEMAS=1` rewrites them), each server serves
//! its own at `GET /openapi.json`, and every operation they describe is routed.

use super::published;
use e2e::Sandbox;
use reqwest::Method;
use serde_json::Value;

/// Set to rewrite the committed files instead of comparing them.
const UPDATE: &str = "UPDATE_SCHEMAS";

#[test]
fn committed_documents_are_what_the_code_generates() {
    for published in published() {
        let generated = published.text;
        if std::env::var_os(UPDATE).is_some() {
            std::fs::write(&published.file, &generated).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&published.file).unwrap_or_default();
        let first_difference = committed
            .lines()
            .zip(generated.lines())
            .position(|(committed, generated)| committed != generated)
            .map_or(
                committed.lines().count().min(generated.lines().count()),
                |line| line,
            );
        assert!(
            committed == generated,
            "{} differs from what the code generates (from line {}); regenerate it with \
             `{UPDATE}=1 cargo test -p e2e --test in_process openapi` and commit it",
            published.file.display(),
            first_difference + 1
        );
    }
}

#[test]
fn documents_are_openapi_3_1_with_unique_operation_ids() {
    for published in published() {
        let document = &published.document;
        assert_eq!(document["openapi"], "3.1.0");
        let mut ids: Vec<&str> = Vec::new();
        for section in ["paths", "webhooks"] {
            for item in document[section]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(_, item)| item)
            {
                for operation in item.as_object().into_iter().flatten().map(|(_, op)| op) {
                    ids.push(operation["operationId"].as_str().unwrap());
                    assert!(
                        operation["responses"]
                            .as_object()
                            .is_some_and(|r| !r.is_empty())
                    );
                }
            }
        }
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len(),
            count,
            "operationIds are unique in {}",
            published.file.display()
        );
    }
}

#[tokio::test]
async fn each_server_serves_its_document() {
    let sandbox = Sandbox::start().await.unwrap();
    let [gateway, party] = published();
    let client = reqwest::Client::new();
    let served = |url: String| {
        let client = client.clone();
        async move {
            let response = client.get(url).send().await.unwrap();
            assert_eq!(response.status(), 200);
            let content_type = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            assert_eq!(content_type, "application/json");
            response.json::<Value>().await.unwrap()
        }
    };
    let mut expected = gateway.document;
    expected["servers"][0]["url"] = Value::from(sandbox.gateway_url.clone());
    assert_eq!(
        served(format!("{}/openapi.json", sandbox.gateway_url)).await,
        expected
    );
    assert_eq!(
        served(format!("{}/openapi.json", sandbox.party_url)).await,
        party.document
    );
}

/// Values for the path parameters, so a request reaches the route (which may then refuse it).
fn filled(path: &str) -> String {
    path.replace("{endpointId}", dapi::SANDBOX_ENDPOINT_ID)
        .replace("{invoiceId}", "INV-UNKNOWN-1")
        .replace("{token}", "0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b")
        .replace("{id}", "dlv-0")
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let sandbox = Sandbox::start().await.unwrap();
    let [gateway, party] = published();
    let client = reqwest::Client::new();
    let mut checked = 0;
    for (base, document) in [
        (&sandbox.gateway_url, gateway.document),
        (&sandbox.party_url, party.document),
    ] {
        for (path, item) in document["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                let method: Method = method.to_uppercase().parse().unwrap();
                let url = format!("{base}{}", filled(path));
                let response = client
                    .request(method.clone(), &url)
                    .header("content-type", "application/json")
                    .body("{}")
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let body: Value = response.json().await.unwrap_or_default();
                let code = body["error"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                assert!(
                    code != "DAPI-404-PATH" && code != "DAPI-405-METHOD",
                    "{method} {path}: {status} {code}: not routed"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "{checked} operations checked");
}
