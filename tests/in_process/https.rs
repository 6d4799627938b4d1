//! Every hop over HTTPS: the app → gateway and → Connecting Party server, the gateway → Connecting Party server
//! (check sale, notification, callback), and the 3-D Secure page, with certificates from a generated local CA.

use connpay::embedded::{Embedded, any_loopback_port};
use e2e::{scenarios_dir, test_timings};

/// A local CA in a fresh temporary directory.
fn local_ca(test: &str) -> tls::LocalCa {
    let dir = std::env::temp_dir().join(format!("e2e-https-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    tls::LocalCa::load_or_create(&dir.join("ca.pem")).unwrap().0
}

fn server_tls(ca: &tls::LocalCa) -> tls::ServerTls {
    let names = tls::ServerNames::for_sandbox([127, 0, 0, 1].into(), None, &[]);
    ca.issue(&names).unwrap().server_tls().unwrap()
}

/// Both servers on HTTPS; the gateway and the client trust only the local CA, so nothing passes in clear.
async fn https_sandbox(ca: &tls::LocalCa) -> (Embedded, mobile::Targets) {
    let trust = tls::Trust::only(vec![ca.certificate_der().clone()]);
    https_sandbox_with(ca, trust.clone(), trust).await
}

/// Both servers on HTTPS; the gateway trusts `gateway_trust` towards the Connecting Party server.
async fn https_sandbox_with(
    ca: &tls::LocalCa,
    gateway_trust: tls::Trust,
    trust: tls::Trust,
) -> (Embedded, mobile::Targets) {
    let mut servers = Embedded::default();
    let party_config = party::Config {
        transport: server_kit::Transport {
            tls: Some(server_tls(ca)),
            ..server_kit::Transport::default()
        },
        ..party::Config::sandbox()
    };
    let party_url = servers
        .start_party(any_loopback_port(), party_config)
        .await
        .unwrap();
    assert!(party_url.starts_with("https://"), "{party_url}");
    let configure = |own_url: &str| gateway::Config {
        timings: test_timings(),
        party_trust: gateway_trust,
        ..gateway::Config::sandbox(own_url, &party_url)
    };
    let gateway_url = servers
        .start_gateway_with_tls(any_loopback_port(), Some(server_tls(ca)), configure)
        .await
        .unwrap();
    assert!(gateway_url.starts_with("https://"), "{gateway_url}");
    let mut targets = mobile::Targets::new(
        url::Url::parse(&gateway_url).unwrap(),
        url::Url::parse(&party_url).unwrap(),
    );
    targets.trust = trust;
    (servers, targets)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_ds_sale_a_repeat_sale_and_retried_callbacks_pass_with_every_hop_over_https() {
    let ca = local_ca("flows");
    let (servers, targets) = https_sandbox(&ca).await;
    let dir = scenarios_dir();
    let files = [
        "03-3ds-approved.toml",
        "12-repeat-sale-by-reference.toml",
        "24-gateway-callback-wrong-control.toml",
        "25-party-callback-refused-twice.toml",
    ];
    let loaded = scenario::load_paths(&files.map(|file| dir.join(file)));
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let reports = connpay::client::run_all(loaded.scenarios, targets, 4).await;
    assert_eq!(reports.len(), files.len());
    for report in &reports {
        let mut rendered = Vec::new();
        mobile::render(report, &mut rendered).unwrap();
        let rendered = String::from_utf8_lossy(&rendered);
        assert!(
            report.passed(),
            "{} failed over HTTPS:\n{rendered}",
            report.name
        );
    }
    servers.stop().await;
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_is_told_which_host_and_why() {
    let ca = local_ca("untrusted");
    let (servers, targets) = https_sandbox(&ca).await;
    let error = tls::probe(
        &targets.gateway,
        &tls::Trust::public(),
        std::time::Duration::from_secs(5),
    )
    .await
    .unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, tls::ProbeError::Untrusted { .. }), "{text}");
    assert!(
        text.contains("127.0.0.1") && text.contains("not trusted"),
        "{text}"
    );
    assert!(text.contains("--ca-file"), "{text}");
    tls::probe(
        &targets.party,
        &targets.trust,
        std::time::Duration::from_secs(5),
    )
    .await
    .expect("trusted with the local CA");
    servers.stop().await;
}

const APPROVED: &str = r#"
description = "an approved sale without 3-D Secure"
[consumer]
serial_number = "SN-HTTPS-1"
printed_name = "JANE DOE"
[[sale]]
amount_centis = 500
currency = "EUR"
card = { number = "4111111111111111", security_code = "111", expiry_month = 12, expiry_year = 2030 }
[sale.expect]
state = "APPROVED"
"#;

#[tokio::test]
async fn a_gateway_that_does_not_trust_the_party_declines_saying_which_host_and_why() {
    let ca = local_ca("gateway-untrusted");
    let client_trust = tls::Trust::only(vec![ca.certificate_der().clone()]);
    let (servers, targets) = https_sandbox_with(&ca, tls::Trust::public(), client_trust).await;
    let scenario = scenario::parse(APPROVED, std::path::Path::new("inline.toml")).unwrap();
    let report = mobile::run(&scenario, &targets).await;
    assert!(
        !report.passed(),
        "check sale cannot reach an untrusted Connecting Party server"
    );
    let mut rendered = Vec::new();
    mobile::render(&report, &mut rendered).unwrap();
    let rendered = String::from_utf8_lossy(&rendered);
    assert!(
        rendered.contains("certificate of 127.0.0.1 is not trusted"),
        "{rendered}"
    );
    servers.stop().await;
}
