//! Inputs the first sweep found answered wrongly, now fixed: invalid UTF-8 in a query replaced instead of
//! refused, a JSON array or a duplicated field taken as a body, a field name (maybe a card number) echoed in the
//! error, a 413 that closed the connection unannounced. Each case states the right answer.

use super::{Case, Cause, JSON, Known, PAN, assert_no_failures, barrage};
use e2e::Sandbox;
use reqwest::Method;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inputs_once_mishandled_get_a_4xx_and_the_error_body() {
    let sandbox = Sandbox::start().await.unwrap();
    let known = Known::sale(&sandbox).await;
    let pan_as_field = format!(r#"{{"{PAN}":1}}"#);
    let party_misbehave = format!("/sim/sales/{}/misbehave", known.invoice_id);
    let party = vec![
        // 200 and a token bound to the serial number "\u{FFFD}\u{FFFD}": the query decoder replaces invalid UTF-8.
        Case::new(
            Method::GET,
            "/auth/request-access-token?serialNumber=%FF%FE",
            Cause::Party,
            "invalid UTF-8",
        )
        .expect(400),
        // 200 `{}`: serde builds a struct from a JSON array of its fields, and every field has a default.
        Case::new(Method::POST, &party_misbehave, Cause::Party, "a JSON array")
            .body(JSON, "[]")
            .expect(400),
        // 400, but the message repeats the field name: "unknown field `4111111111111111`, expected one of ...".
        Case::new(
            Method::POST,
            &party_misbehave,
            Cause::Party,
            "a card number as a field name",
        )
        .body(JSON, pan_as_field.clone())
        .expect(400),
    ];
    let gateway_misbehave = format!(
        "/sim/sales/{}/{}/misbehave",
        known.endpoint_id, known.invoice_id
    );
    let gateway = vec![
        Case::new(
            Method::POST,
            &gateway_misbehave,
            Cause::Status,
            "a card number as a field name",
        )
        .body(JSON, pan_as_field)
        .expect(400),
        // 200: the body is read into a map first, where the last of two `callback` members wins.
        Case::new(
            Method::POST,
            &gateway_misbehave,
            Cause::Status,
            "a duplicated field",
        )
        .body(JSON, r#"{"callback":null,"callback":"wrong-control"}"#)
        .expect(400),
    ];
    let sent = party.len() + gateway.len() + 2;
    let mut failures = barrage(&sandbox.party_url, party).await;
    failures.extend(barrage(&sandbox.gateway_url, gateway).await);
    for (base, path) in [
        (&sandbox.party_url, "/sale/notification".to_owned()),
        (
            &sandbox.gateway_url,
            format!(
                "/paynet/dapi/v1/sale/{}/{}/status",
                known.endpoint_id, known.invoice_id
            ),
        ),
    ] {
        if let Err(problem) = too_large_announces_close(base, &path).await {
            failures.push(format!(
                "POST {path} [100 KB, the rest sent after the 413]: {problem}"
            ));
        }
    }
    assert_no_failures("servers (regressions)", sent, &failures);
    sandbox.servers.stop().await;
}

/// Sends the head and 70 KB of a 100 KB body, reads the 413, then sends the rest and a second request on the
/// same connection. The server stops reading and closes (RFC 9112 9.3: it must read the body or close), so its
/// 413 must say `Connection: close`; without it a keep-alive client (reqwest, the apps) reuses the connection
/// and its next request dies with "connection closed before message completed".
async fn too_large_announces_close(base: &str, path: &str) -> Result<(), String> {
    let address = base.strip_prefix("http://").unwrap_or(base);
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .map_err(|error| error.to_string())?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        100 * 1024
    );
    let mut answer = vec![0; 4096];
    let read = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&[b' '; 70 * 1024]).await?;
        stream.read(&mut answer).await
    };
    let length = read.await.map_err(|error| format!("no answer: {error}"))?;
    let head = String::from_utf8_lossy(&answer[..length]).to_ascii_lowercase();
    if !head.starts_with("http/1.1 413") {
        return Err(format!("not a 413: {head:?}"));
    }
    if head.contains("\r\nconnection: close\r\n") {
        return Ok(());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = async {
        stream.write_all(&[b' '; 30 * 1024]).await?;
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await?;
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).await.map(|_| rest)
    };
    match tokio::time::timeout(Duration::from_secs(2), second).await {
        Ok(Ok(rest)) if rest.starts_with(b"HTTP/1.1 200") => Ok(()), // drained and kept alive: fine too
        other => Err(format!(
            "the 413 did not say `Connection: close`, and the connection then died: {:?}",
            other.map(|result| result.map(|rest| String::from_utf8_lossy(&rest).into_owned()))
        )),
    }
}
