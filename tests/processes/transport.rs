//! The binaries' transport: HTTPS with `--tls-self-signed` through all three processes, an untrusted
//! certificate (exit 3), bad certificate input (exit 2), and SIGTERM within its bound with the largest latency
//! fault armed on a request in flight.

use crate::{finish, mobile_client_output};
use e2e::{Server, TempDir, bin_path, scenarios_dir};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// The documented shutdown bound (docs/reliability.md): 5 s for in-flight requests, 5 s for deliveries.
const SHUTDOWN_BOUND: Duration = Duration::from_secs(10);

async fn https_pair(ca: &Path) -> (Server, Server) {
    let ca = ca.to_str().unwrap();
    let tls = ["--tls-self-signed", "--tls-ca-out", ca];
    let party = Server::start(
        "party-server",
        &[&["--listen", "127.0.0.1:0"][..], &tls].concat(),
    )
    .await;
    let gateway_args = [
        &[
            "--listen",
            "127.0.0.1:0",
            "--party-url",
            &party.url,
            "--sandbox-timings",
            "--ca-file",
            ca,
        ][..],
        &tls,
    ]
    .concat();
    let gateway = Server::start("connpay-gateway", &gateway_args).await;
    (party, gateway)
}

#[tokio::test]
async fn a_three_ds_sale_and_a_repeat_sale_run_over_https_and_an_untrusted_certificate_exits_3() {
    let dir = TempDir::new("transport-https");
    let ca = dir.0.join("connpay-sandbox-ca.pem");
    let (party, gateway) = https_pair(&ca).await;
    assert!(party.url.starts_with("https://127.0.0.1:"), "{}", party.url);
    assert!(
        gateway.url.starts_with("https://127.0.0.1:"),
        "{}",
        gateway.url
    );
    let scenarios = scenarios_dir();
    let (three_ds, repeat) = (
        scenarios.join("03-3ds-approved.toml"),
        scenarios.join("12-repeat-sale-by-reference.toml"),
    );
    let mut args = vec!["run", three_ds.to_str().unwrap(), repeat.to_str().unwrap()];
    args.extend(["--gateway", &gateway.url, "--party", &party.url]);
    let (code, stdout, stderr) =
        mobile_client_output(&[&args[..], &["--ca-file", ca.to_str().unwrap()]].concat()).await;
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("2 passed, 0 failed"),
        "{stdout}"
    );
    let (code, _, stderr) = mobile_client_output(&args).await;
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(&gateway.url) && stderr.contains("not trusted"),
        "{stderr}"
    );
    assert!(stderr.contains("--ca-file"), "{stderr}");
    let deliveries = ["deliveries", "--gateway", &gateway.url];
    let (code, _, stderr) = mobile_client_output(&deliveries).await;
    assert_eq!(code, Some(3), "deliveries without the CA: {stderr}");
    let (code, stdout, _) =
        mobile_client_output(&[&deliveries[..], &["--ca-file", ca.to_str().unwrap()]].concat())
            .await;
    assert_eq!(code, Some(0));
    assert!(stdout.contains("delivered"), "{stdout}");
}

/// Starts a server binary expected to refuse its command line; its exit code and stderr.
async fn refused(name: &str, args: &[&str]) -> (Option<i32>, String) {
    let mut command = Command::new(bin_path(name));
    command.args(args);
    let (code, _, stderr) = finish(command, Duration::from_secs(20)).await;
    (code, stderr)
}

#[tokio::test]
async fn bad_certificate_input_is_a_start_up_error_naming_the_file() {
    let dir = TempDir::new("transport-bad-input");
    let missing = dir.0.join("missing-cert.pem");
    let not_pem = dir.0.join("not-pem.txt");
    std::fs::write(&not_pem, "hello").unwrap();
    let listen = ["--listen", "127.0.0.1:0"];
    let cases: [(&str, Vec<&str>, &Path); 3] = [
        (
            "party-server",
            vec![
                "--tls-cert",
                missing.to_str().unwrap(),
                "--tls-key",
                missing.to_str().unwrap(),
            ],
            &missing,
        ),
        (
            "connpay-gateway",
            vec![
                "--tls-cert",
                not_pem.to_str().unwrap(),
                "--tls-key",
                not_pem.to_str().unwrap(),
            ],
            &not_pem,
        ),
        (
            "connpay-gateway",
            vec!["--ca-file", not_pem.to_str().unwrap()],
            &not_pem,
        ),
    ];
    for (name, args, file) in cases {
        let (code, stderr) = refused(name, &[&listen[..], &args].concat()).await;
        assert_eq!(code, Some(2), "{name} {args:?}: {stderr}");
        assert!(
            stderr.contains(file.to_str().unwrap()),
            "{name} {args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[tokio::test]
async fn sigterm_with_the_largest_latency_armed_on_a_request_in_flight_exits_within_the_bound() {
    let party = Server::start("party-server", &["--listen", "127.0.0.1:0"]).await;
    let mut gateway = Command::new(bin_path("connpay-gateway"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--party-url",
            &party.url,
            "--sandbox-timings",
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(gateway.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(10), stdout.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let url = line.strip_prefix("listening on ").unwrap().to_owned();
    let client = reqwest::Client::new();
    let misbehave = format!("{url}/sim/sales/1234/INV-SIGTERM/misbehave");
    let armed = client
        .post(&misbehave)
        .json(&serde_json::json!({"latencyMs": 300_000}))
        .send()
        .await
        .unwrap();
    assert!(armed.status().is_success(), "{}", armed.status());
    let perform = format!("{url}{}/sale/1234/INV-SIGTERM", dapi::DEFAULT_DAPI_PREFIX);
    let in_flight = tokio::spawn(client.post(perform).json(&serde_json::json!({})).send());
    // The gateway says when it holds the answer back: then the request is in flight for 5 minutes.
    let mut stderr = BufReader::new(gateway.stderr.take().unwrap()).lines();
    let held = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = stderr.next_line().await.unwrap() {
            if line.contains("answer held back") {
                return;
            }
        }
        panic!("the gateway ended before holding the answer back");
    });
    held.await.expect("the latency fault holds the answer back");
    let pid = gateway.id().unwrap().to_string();
    let sent = Instant::now();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .unwrap()
            .success()
    );
    let exit = tokio::time::timeout(SHUTDOWN_BOUND + Duration::from_secs(5), gateway.wait())
        .await
        .expect("the gateway exits after SIGTERM")
        .unwrap();
    let took = sent.elapsed();
    eprintln!("SIGTERM with a 300 s latency in flight: exited after {took:?}");
    assert!(exit.success(), "{exit:?}");
    assert!(took < SHUTDOWN_BOUND, "shutdown took {took:?}");
    let answer = tokio::time::timeout(Duration::from_secs(5), in_flight)
        .await
        .unwrap()
        .unwrap();
    assert!(
        answer.is_err(),
        "the held-back request is cut off, not answered: {answer:?}"
    );
}
