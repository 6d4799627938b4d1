use crate::cli::gateway::GatewayArgs;
use crate::cli::mobile::{ClientArgs, ClientCommand};
use crate::cli::party::PartyArgs;
use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;

fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("connpay-transport-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn gateway(args: &[&str]) -> Result<GatewayArgs, clap::Error> {
    GatewayArgs::try_parse_from(["connpay-gateway"].iter().chain(args))
}

const BOUND: &str = "127.0.0.1:8443";

#[test]
fn timeouts_default_sanely_and_flags_override_them() {
    let config = gateway(&[])
        .unwrap()
        .into_config(BOUND.parse().unwrap())
        .unwrap();
    assert_eq!(config.transport.timeouts, server_kit::Timeouts::default());
    assert_eq!(
        config.transport.timeouts.header_read,
        Duration::from_secs(10)
    );
    assert!(config.transport.tls.is_none());
    let args = gateway(&[
        "--header-read-timeout-ms",
        "1500",
        "--request-timeout-ms",
        "90000",
        "--idle-timeout-ms",
        "5000",
    ]);
    let timeouts = args
        .unwrap()
        .into_config(BOUND.parse().unwrap())
        .unwrap()
        .transport
        .timeouts;
    assert_eq!(timeouts.header_read, Duration::from_millis(1500));
    assert_eq!(timeouts.request, Duration::from_secs(90));
    assert_eq!(timeouts.idle, Duration::from_secs(5));
    let party = PartyArgs::try_parse_from(["party-server", "--idle-timeout-ms", "700"]).unwrap();
    assert_eq!(
        party.into_config().unwrap().transport.timeouts.idle,
        Duration::from_millis(700)
    );
}

#[test]
fn bad_timeouts_and_names_and_half_given_certificates_are_usage_errors() {
    for bad in [
        &["--header-read-timeout-ms", "0"][..],
        &["--request-timeout-ms", "soon"],
        &["--tls-cert", "server.pem"],
        &["--tls-key", "server.key"],
        &["--tls-san", "phone.lan"],
        &["--tls-self-signed", "--tls-san", "two words"],
        &[
            "--tls-self-signed",
            "--tls-cert",
            "a.pem",
            "--tls-key",
            "a.key",
        ],
    ] {
        let error = gateway(bad).unwrap_err();
        assert_eq!(error.exit_code(), 2, "{bad:?}: {error}");
    }
}

#[test]
fn missing_certificate_files_and_a_ca_file_that_is_not_pem_are_named() {
    let dir = temp_dir("bad-files");
    let missing = dir.join("missing.pem");
    let args = gateway(&[
        "--tls-cert",
        missing.to_str().unwrap(),
        "--tls-key",
        missing.to_str().unwrap(),
    ]);
    let error = args
        .unwrap()
        .served_tls(BOUND.parse().unwrap())
        .unwrap_err();
    assert!(
        error.contains("missing.pem") && error.contains("cannot read"),
        "{error}"
    );
    let not_pem = dir.join("notes.txt");
    std::fs::write(&not_pem, "hello").unwrap();
    let args = gateway(&["--ca-file", not_pem.to_str().unwrap()]).unwrap();
    let error = args.into_config(BOUND.parse().unwrap()).unwrap_err();
    assert!(
        error.starts_with("--ca-file") && error.contains("notes.txt") && error.contains("not PEM"),
        "{error}"
    );
}

#[test]
fn a_key_that_is_not_the_certificates_is_refused_naming_both_files() {
    let dir = temp_dir("mismatch");
    let (ca, _) = tls::LocalCa::load_or_create(&dir.join("ca.pem")).unwrap();
    // The CA's own certificate with the key of another CA: a pair that does not belong together.
    let (_, _) = tls::LocalCa::load_or_create(&dir.join("other.pem")).unwrap();
    std::fs::write(dir.join("cert.pem"), ca.certificate_pem()).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("other.key.pem"));
    let args = gateway(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ])
    .unwrap();
    let error = args.served_tls(BOUND.parse().unwrap()).unwrap_err();
    assert!(
        error.contains("cert.pem") && error.contains("other.key.pem"),
        "{error}"
    );
    assert!(error.contains("does not belong"), "{error}");
}

#[test]
fn self_signed_serves_https_names_the_public_host_and_tells_where_the_ca_is() {
    let dir = temp_dir("self-signed");
    let ca_out = dir.join("sandbox-ca.pem");
    let args = gateway(&[
        "--tls-self-signed",
        "--tls-ca-out",
        ca_out.to_str().unwrap(),
        "--tls-san",
        "phone.lan,192.168.1.20",
        "--public-url",
        "https://sandbox.example:8443",
    ])
    .unwrap();
    let served = args.served_tls(BOUND.parse().unwrap()).unwrap();
    assert!(served.tls.is_some());
    let notice = served.notice.unwrap();
    let (ca, created) = tls::LocalCa::load_or_create(&ca_out).unwrap();
    assert!(!created, "the CA was written by --tls-self-signed");
    assert!(notice.contains(&ca.fingerprint()), "{notice}");
    assert!(notice.contains("sandbox-ca.pem"), "{notice}");
    for name in [
        "localhost",
        "10.0.2.2",
        "sandbox.example",
        "phone.lan",
        "192.168.1.20",
    ] {
        assert!(notice.contains(name), "{name}: {notice}");
    }
    let plain_public = gateway(&[
        "--tls-self-signed",
        "--tls-ca-out",
        ca_out.to_str().unwrap(),
    ])
    .unwrap();
    let config = plain_public.into_config(BOUND.parse().unwrap()).unwrap();
    assert_eq!(
        config.public_url, "https://127.0.0.1:8443",
        "redirectUrl is https when the gateway is"
    );
}

#[test]
fn every_client_command_takes_ca_files() {
    let dir = temp_dir("clients");
    let (ca, _) = tls::LocalCa::load_or_create(&dir.join("ca.pem")).unwrap();
    let ca_file = ca.certificate_path().to_str().unwrap().to_owned();
    for command in [
        vec!["run", "--ca-file", &ca_file],
        vec!["load", "a.toml", "--ca-file", &ca_file],
        vec![
            "deliveries",
            "--gateway",
            "https://127.0.0.1:1",
            "--ca-file",
            &ca_file,
        ],
        vec![
            "replay",
            "dlv-1",
            "--gateway",
            "https://127.0.0.1:1",
            "--ca-file",
            &ca_file,
        ],
    ] {
        let parsed = ClientArgs::try_parse_from(
            ["mobile-client"].into_iter().chain(command.iter().copied()),
        );
        let trust = match parsed.unwrap().command {
            ClientCommand::Run(args) => args.targets.trust,
            ClientCommand::Load(args) => args.targets.trust,
            ClientCommand::Deliveries(args) => args.access.trust,
            ClientCommand::Replay(args) => args.access.trust,
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(
            trust.trust().unwrap().ca_files(),
            [PathBuf::from(&ca_file)],
            "{command:?}"
        );
    }
}
