//! A sandbox a team shares, through the real binaries: with `--sandbox-token` a scenario that makes the party
//! misbehave passes only when the mobile client brings the token, and so does `mobile-client deliveries`; a
//! server listening beyond loopback with an open control plane says so on stderr; a corrupt `--data-dir` is a
//! start-up error naming the file (exit 2), and so is a malformed token.

use crate::mobile_client;
use e2e::{Server, TempDir, bin_path, scenarios_dir};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const TOKEN: &str = "team-secret-42";

#[tokio::test]
async fn with_a_sandbox_token_only_a_client_that_brings_it_can_bend_a_sale_or_list_deliveries() {
    let token = ["--sandbox-token", TOKEN];
    let mut party_args = vec!["--listen", "127.0.0.1:0"];
    party_args.extend(token);
    let party = Server::start("party-server", &party_args).await;
    let mut gateway_args = vec![
        "--listen",
        "127.0.0.1:0",
        "--party-url",
        &party.url,
        "--sandbox-timings",
    ];
    gateway_args.extend(token);
    let gateway = Server::start("connpay-gateway", &gateway_args).await;
    let scenario = scenarios_dir().join("15-party-check-wrong-signature.toml");
    let run = [
        "run",
        scenario.to_str().unwrap(),
        "--gateway",
        &gateway.url,
        "--party",
        &party.url,
    ];
    let (code, stdout) = mobile_client(&run).await;
    assert_eq!(
        code,
        Some(1),
        "without the token the misbehaviour is refused: {stdout}"
    );
    assert!(stdout.contains("401"), "{stdout}");
    let with_token: Vec<&str> = run.iter().copied().chain(token).collect();
    let (code, stdout) = mobile_client(&with_token).await;
    assert_eq!(code, Some(0), "{stdout}");

    let list = ["deliveries", "--gateway", &gateway.url];
    let (code, _) = mobile_client(&list).await;
    assert_eq!(code, Some(2), "the delivery list needs the token");
    let with_token: Vec<&str> = list.iter().copied().chain(token).collect();
    let (code, stdout) = mobile_client(&with_token).await;
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains(" deliveries: "), "{stdout}");
    let (code, _) = mobile_client(&[
        "deliveries",
        "--gateway",
        &gateway.url,
        "--sandbox-token",
        "short",
    ])
    .await;
    assert_eq!(code, Some(2), "a malformed token is a usage error");
}

/// Starts a binary with `args` and returns its exit code (if it exits within 10 s) and its stderr.
async fn stderr_of(name: &str, args: &[&str], until_line: Option<&str>) -> (Option<i32>, String) {
    let mut child = Command::new(bin_path(name))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    let read = async {
        while let Ok(Some(line)) = lines.next_line().await {
            seen.push_str(&line);
            seen.push('\n');
            if until_line.is_some_and(|wanted| line.contains(wanted)) {
                return None;
            }
        }
        child.wait().await.ok().and_then(|status| status.code())
    };
    let code = tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .unwrap_or(None);
    (code, seen)
}

#[tokio::test]
async fn a_server_beyond_loopback_with_an_open_control_plane_warns_at_start() {
    let (_, stderr) = stderr_of("party-server", &["--listen", "0.0.0.0:0"], Some("WARNING")).await;
    let warning = stderr
        .lines()
        .find(|line| line.contains("WARNING"))
        .unwrap_or_default();
    assert!(
        warning.contains("0.0.0.0") && warning.contains("--sandbox-token"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_corrupt_data_directory_or_a_bad_token_stops_a_server_at_start_with_exit_2() {
    let dir = TempDir::new("corrupt-data-dir");
    for file in ["gateway.redb", "party.redb"] {
        std::fs::write(dir.0.join(file), b"not a database".repeat(64)).unwrap();
    }
    let data_dir = dir.0.to_str().unwrap();
    for name in ["connpay-gateway", "party-server"] {
        let args = ["--listen", "127.0.0.1:0", "--data-dir", data_dir];
        let (code, stderr) = stderr_of(name, &args, None).await;
        assert_eq!(code, Some(2), "{name}: {stderr}");
        let file = if name == "party-server" {
            "party.redb"
        } else {
            "gateway.redb"
        };
        assert!(stderr.contains(file), "{name} names the file: {stderr}");
        let token = [
            "--listen",
            "127.0.0.1:0",
            "--sandbox-token",
            "has space in it",
        ];
        let (code, stderr) = stderr_of(name, &token, None).await;
        assert_eq!(code, Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains("--sandbox-token") && !stderr.contains("has space"),
            "{stderr}"
        );
    }
}
