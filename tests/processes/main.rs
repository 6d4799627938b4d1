//! The three real binaries as processes: a 3-D Secure sale and a repeat sale by card reference through them,
//! readiness lines, health and the healthcheck subcommand, exit codes (the attack pack's too) and graceful
//! shutdown; `demo` the demo mode and its dashboard's Play form; `deliveries` and `reports` the client's other
//! commands; `shared` the sandbox token, the exposure warning and bad start-up input; `restart` both servers
//! killed with `kill -9` and started again on their data directory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod attacks;
mod deliveries;
mod demo;
mod healthcheck;
mod reports;
mod restart;
mod shared;
mod transport;

use e2e::{Server, TempDir, bin_path, scenarios_dir};
use std::time::Duration;
use tokio::process::Command;

pub(crate) async fn start_pair() -> (Server, Server) {
    let party = Server::start("party-server", &["--listen", "127.0.0.1:0"]).await;
    let gateway = Server::start(
        "connpay-gateway",
        &[
            "--listen",
            "127.0.0.1:0",
            "--party-url",
            &party.url,
            "--sandbox-timings",
        ],
    )
    .await;
    (party, gateway)
}

/// Runs `command` to its end, for at most `limit`: its exit code, stdout and stderr.
pub(crate) async fn finish(mut command: Command, limit: Duration) -> (Option<i32>, String, String) {
    let program = command
        .as_std()
        .get_program()
        .to_string_lossy()
        .into_owned();
    let run = command.kill_on_drop(true).output();
    let output = tokio::time::timeout(limit, run)
        .await
        .unwrap_or_else(|_| panic!("{program} finishes within {limit:?}"))
        .unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

/// `mobile-client ARGS`, for at most 60 s: exit code, stdout and stderr.
pub(crate) async fn mobile_client_output(args: &[&str]) -> (Option<i32>, String, String) {
    let mut command = Command::new(bin_path("mobile-client"));
    command.args(args);
    finish(command, Duration::from_secs(60)).await
}

/// `mobile-client ARGS`, for at most 60 s: exit code and stdout.
pub(crate) async fn mobile_client(args: &[&str]) -> (Option<i32>, String) {
    let (code, stdout, _) = mobile_client_output(args).await;
    (code, stdout)
}

#[tokio::test]
async fn a_three_ds_sale_and_a_repeat_sale_run_through_the_three_binaries() {
    let (party, gateway) = start_pair().await;
    let dir = scenarios_dir();
    let three_ds = dir.join("03-3ds-approved.toml");
    let repeat = dir.join("12-repeat-sale-by-reference.toml");
    let args = [
        "run",
        three_ds.to_str().unwrap(),
        repeat.to_str().unwrap(),
        "--gateway",
        &gateway.url,
        "--party",
        &party.url,
    ];
    let (code, stdout) = mobile_client(&args).await;
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|line| line.trim() == "2 passed, 0 failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("3DS status update"),
        "the 3-D Secure page was not played:\n{stdout}"
    );
}

#[tokio::test]
async fn a_card_verification_and_a_sale_by_its_reference_run_through_the_three_binaries() {
    let (party, gateway) = start_pair().await;
    let dir = scenarios_dir();
    let verified = dir.join("40-verification-then-sale-by-reference.toml");
    let with_three_ds = dir.join("41-verification-3ds-approved.toml");
    let report = std::env::temp_dir().join(format!("connpay-verify-{}.json", std::process::id()));
    let args = [
        "run",
        verified.to_str().unwrap(),
        with_three_ds.to_str().unwrap(),
        "--gateway",
        &gateway.url,
        "--party",
        &party.url,
        "--json",
        report.to_str().unwrap(),
    ];
    let (code, stdout) = mobile_client(&args).await;
    assert_eq!(code, Some(0), "{stdout}");
    for line in [
        "verification 1  step  6  Perform validation request",
        "verification 1  step 19  Verification card mapping notification  party mapped serverCardId",
        "sale 1          step  4  Card reference request",
    ] {
        assert!(stdout.contains(line), "{line:?} missing:\n{stdout}");
    }
    assert!(
        stdout.contains("/verification/VER-")
            && stdout.contains("/client-card-id (card of verification 1)"),
        "the sale took its card from the verification:\n{stdout}"
    );
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    std::fs::remove_file(&report).ok();
    let sales = &json["scenarios"][0]["sales"];
    assert_eq!(
        (
            &sales[0]["flow"],
            &sales[0]["state"],
            &sales[1]["flow"],
            &sales[1]["state"]
        ),
        (
            &"verification".into(),
            &"APPROVED".into(),
            &"sale".into(),
            &"APPROVED".into()
        )
    );
    assert!(
        sales[1]["clientCardId"].is_null(),
        "a repeat sale maps no card"
    );
    assert_eq!(
        json["scenarios"][1]["sales"][0]["secure3DAuthStatus"],
        "AUTHENTICATED"
    );
}

#[tokio::test]
async fn every_scenario_passes_against_a_party_server_process_checked_by_the_embedded_gateway() {
    let party = Server::start("party-server", &["--listen", "127.0.0.1:0"]).await;
    let dir = scenarios_dir();
    let (code, stdout) = mobile_client(&[
        "run",
        dir.to_str().unwrap(),
        "--party",
        &party.url,
        "--jobs",
        "16",
    ])
    .await;
    assert_eq!(code, Some(0), "{stdout}");
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.ends_with("0 failed") && !summary.starts_with("0 passed"),
        "{stdout}"
    );
}

#[tokio::test]
async fn servers_announce_their_port_answer_health_and_stop_on_sigterm() {
    let (mut party, mut gateway) = start_pair().await;
    for server in [&party, &gateway] {
        let health = reqwest::get(format!("{}/health", server.url))
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
    }
    for server in [&mut gateway, &mut party] {
        let pid = server.child.id().expect("still running").to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .unwrap();
        assert!(killed.success());
        let exit = tokio::time::timeout(Duration::from_secs(10), server.child.wait())
            .await
            .expect("stops within 10 s")
            .unwrap();
        assert!(exit.success(), "{exit:?}");
    }
}

#[tokio::test]
async fn exit_codes_tell_bad_scenarios_and_unreachable_servers_apart() {
    let dir = TempDir::new("exit-codes");
    let bad = dir.0.join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"broken\"\n[consumer]\nserial_numbr = \"x\"\n",
    )
    .unwrap();
    let (code, _) = mobile_client(&["run", bad.to_str().unwrap()]).await;
    assert_eq!(code, Some(2));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let good = scenarios_dir().join("01-approved-no-3ds.toml");
    let (code, _) = mobile_client(&[
        "run",
        good.to_str().unwrap(),
        "--party",
        &format!("http://{closed}"),
    ])
    .await;
    assert_eq!(code, Some(3));
    let (code, _) = mobile_client(&["run", "--bogus-flag"]).await;
    assert_eq!(code, Some(2));
}
