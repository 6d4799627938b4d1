//! `connpay-gateway healthcheck` and `party-server healthcheck`, the container HEALTHCHECK: exit 0 for a
//! server that answers `/health`, 1 with one stderr line for a closed port, a server that never answers and
//! an answer other than 200, and over HTTPS for a server started with `--tls-self-signed`.

use crate::{finish, start_pair};
use e2e::{Server, TempDir, bin_path};
use std::time::Duration;
use tokio::process::Command;

/// Runs `binary args…` and returns its exit code and stderr.
async fn healthcheck(binary: &str, args: &[&str]) -> (Option<i32>, String) {
    let mut command = Command::new(bin_path(binary));
    command
        .args(args)
        .env_remove("GATEWAY_LISTEN")
        .env_remove("PARTY_LISTEN");
    let (code, _, stderr) = finish(command, Duration::from_secs(20)).await;
    (code, stderr)
}

#[tokio::test]
async fn a_running_server_is_healthy_by_url_and_by_its_listen_address() {
    let (party, gateway) = start_pair().await;
    let (code, stderr) =
        healthcheck("connpay-gateway", &["healthcheck", "--url", &gateway.url]).await;
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    let party_addr = party.url.strip_prefix("http://").unwrap();
    let (code, stderr) =
        healthcheck("party-server", &["--listen", party_addr, "healthcheck"]).await;
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
}

#[tokio::test]
async fn a_closed_port_a_silent_server_and_a_404_are_unhealthy() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (code, stderr) = healthcheck(
        "party-server",
        &["--listen", &closed.to_string(), "healthcheck"],
    )
    .await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.starts_with(&format!("unhealthy: http://{closed}/health: no answer: ")),
        "{stderr}"
    );
    // Bound and listening, never accepted: the kernel completes the handshake, nobody answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    let args = ["healthcheck", "--url", &silent_url, "--timeout-ms", "200"];
    let (code, stderr) = healthcheck("connpay-gateway", &args).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("no answer"), "{stderr}");
    let (_party, gateway) = start_pair().await;
    let wrong_path = format!("{}/no-such-prefix", gateway.url);
    let (code, stderr) =
        healthcheck("connpay-gateway", &["healthcheck", "--url", &wrong_path]).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("/no-such-prefix/health: answered 404"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_tls_server_is_checked_over_https_by_its_own_flags() {
    let dir = TempDir::new("healthcheck-tls");
    let ca = dir.0.join("ca.pem");
    let ca = ca.to_str().unwrap();
    let tls = ["--tls-self-signed", "--tls-ca-out", ca];
    let party = Server::start(
        "party-server",
        &[&["--listen", "127.0.0.1:0"][..], &tls].concat(),
    )
    .await;
    let addr = party.url.strip_prefix("https://").unwrap();
    // The same flags as the server (as in a container, where both read PARTY_TLS_SELF_SIGNED): https.
    let (code, stderr) = healthcheck(
        "party-server",
        &[&["--listen", addr][..], &tls, &["healthcheck"]].concat(),
    )
    .await;
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    // Without them the check speaks plain HTTP to a TLS port: unhealthy, not a false "healthy".
    let (code, stderr) = healthcheck("party-server", &["--listen", addr, "healthcheck"]).await;
    assert_eq!(code, Some(1), "{stderr}");
}
