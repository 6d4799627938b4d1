//! `mobile-client deliveries` and `mobile-client replay` against a real gateway whose callbacks cannot be
//! delivered: the callback is dead-lettered, listed with its attempts, and can be re-sent.

use crate::mobile_client;
use e2e::{Server, TempDir};
use std::time::Duration;

const APPROVED_ONLY: &str = r#"
description = "an approved sale whose callback has nowhere to go"
[consumer]
serial_number = "SN-DEAD-LETTER"
printed_name = "JANE DOE"
[[sale]]
amount_centis = 900
currency = "EUR"
card = { number = "4111111111111111", security_code = "123", expiry_month = 12, expiry_year = 2030 }
[sale.expect]
state = "APPROVED"
[[sale.expect.violation]]
observer = "gateway"
step = 24
"#;

#[tokio::test]
async fn a_dead_lettered_callback_is_listed_with_its_attempts_and_can_be_replayed() {
    let dir = TempDir::new("deliveries");
    let party = Server::start("party-server", &["--listen", "127.0.0.1:0"]).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = dir.0.join("gateway.toml");
    std::fs::write(
        &config,
        format!(
            "[timings.callback_retry]\nattempts = 2\nfirst_delay_ms = 10\nmax_delay_ms = 10\n\n\
             [[endpoint]]\nid = \"1234\"\ncontrol_key = \"{}\"\nparty_url = \"{}\"\ncallback_url = \"http://{closed}/callback\"\n",
            dapi::SANDBOX_CONTROL_KEY,
            party.url
        ),
    )
    .unwrap();
    let gateway = Server::start(
        "connpay-gateway",
        &[
            "--listen",
            "127.0.0.1:0",
            "--config",
            config.to_str().unwrap(),
        ],
    )
    .await;
    let scenario = dir.0.join("approved.toml");
    std::fs::write(&scenario, APPROVED_ONLY).unwrap();
    let (code, stdout) = mobile_client(&[
        "run",
        scenario.to_str().unwrap(),
        "--gateway",
        &gateway.url,
        "--party",
        &party.url,
    ])
    .await;
    assert_eq!(code, Some(0), "{stdout}");

    let listed = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let (code, stdout) = mobile_client(&[
                "deliveries",
                "--gateway",
                &gateway.url,
                "--state",
                "dead-lettered",
            ])
            .await;
            assert_eq!(code, Some(0), "{stdout}");
            if stdout
                .lines()
                .any(|line| line.contains(" callback ") && line.contains("dead-lettered"))
            {
                return stdout;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the callback is dead-lettered after its two attempts");
    let attempts = listed
        .lines()
        .filter(|line| line.trim_start().starts_with('#'))
        .count();
    assert_eq!(attempts, 2, "{listed}");
    let id = listed
        .lines()
        .find(|line| line.contains(" callback "))
        .and_then(|line| line.split_whitespace().next())
        .unwrap();

    let (code, stdout) = mobile_client(&["replay", id, "--gateway", &gateway.url]).await;
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!("replay of {id} started")),
        "{stdout}"
    );
    let (code, _) =
        mobile_client(&["replay", "dlv-does-not-exist", "--gateway", &gateway.url]).await;
    assert_eq!(code, Some(2));
}
