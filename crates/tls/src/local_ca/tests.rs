use super::*;
use crate::Trust;
use std::net::Ipv4Addr;

/// A fresh directory per test: the CA files are created in it.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tls-local-ca-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sandbox_names() -> ServerNames {
    ServerNames::for_sandbox(
        IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        Some("sandbox.example"),
        &["phone.lan".to_owned(), "192.168.1.20".to_owned()],
    )
}

#[test]
fn the_server_certificate_carries_the_documented_names_and_no_other() {
    let dir = temp_dir("names");
    let (ca, created) = LocalCa::load_or_create(&dir.join("ca.pem")).unwrap();
    assert!(created);
    let names = sandbox_names();
    assert_eq!(
        names.as_slice(),
        [
            "localhost",
            "127.0.0.1",
            "::1",
            "10.0.2.2",
            "sandbox.example",
            "phone.lan",
            "192.168.1.20"
        ]
    );
    let issued = ca.issue(&names).unwrap();
    let (leaf, rest) = issued.chain.split_first().unwrap();
    let trust = Trust::only(vec![ca.certificate_der().clone()]);
    for name in names.as_slice() {
        assert_eq!(trust.verify(leaf, rest, name), Ok(()), "{name}");
    }
    let other = trust.verify(leaf, rest, "other.example").unwrap_err();
    assert!(other.contains("not valid for name"), "{other}");
    let public_only = Trust::public().verify(leaf, rest, "localhost").unwrap_err();
    assert!(public_only.contains("UnknownIssuer"), "{public_only}");
}

#[test]
fn the_ca_is_created_once_and_reused_with_the_same_fingerprint() {
    let dir = temp_dir("reuse");
    let path = dir.join("connpay-sandbox-ca.pem");
    let (first, created) = LocalCa::load_or_create(&path).unwrap();
    assert!(created);
    assert_eq!(
        LocalCa::key_path(&path),
        dir.join("connpay-sandbox-ca.key.pem")
    );
    let (second, created_again) = LocalCa::load_or_create(&path).unwrap();
    assert!(!created_again);
    assert_eq!(first.fingerprint(), second.fingerprint());
    assert_eq!(first.fingerprint().len(), 32 * 3 - 1);
    assert!(
        second.issue(&sandbox_names()).is_ok(),
        "a reloaded CA still signs"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(LocalCa::key_path(&path))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the CA key is the owner's only: {mode:o}");
    }
}

#[test]
fn a_ca_whose_key_is_not_its_own_is_refused_naming_the_file() {
    let dir = temp_dir("mismatch");
    let (ours, _) = LocalCa::load_or_create(&dir.join("ours.pem")).unwrap();
    let (_theirs, _) = LocalCa::load_or_create(&dir.join("theirs.pem")).unwrap();
    std::fs::copy(dir.join("theirs.key.pem"), dir.join("ours.key.pem")).unwrap();
    drop(ours);
    let (mixed, _) = LocalCa::load_or_create(&dir.join("ours.pem")).unwrap();
    let error = mixed.issue(&sandbox_names()).unwrap_err().to_string();
    assert!(error.contains("ours.pem"), "{error}");
    assert!(error.contains("delete it"), "{error}");
}

#[test]
fn half_a_ca_is_refused_rather_than_replaced() {
    let dir = temp_dir("half");
    let path = dir.join("ca.pem");
    LocalCa::load_or_create(&path).unwrap();
    std::fs::remove_file(LocalCa::key_path(&path)).unwrap();
    let error = LocalCa::load_or_create(&path).unwrap_err().to_string();
    assert!(
        error.contains("ca.pem") && error.contains("key file is missing"),
        "{error}"
    );
}

#[test]
fn only_dns_names_and_ip_addresses_can_be_extra_names() {
    for good in ["phone.lan", "10.0.0.7", "fe80::1", "sandbox-1.example.com"] {
        assert!(ServerNames::is_valid(good), "{good}");
    }
    for bad in ["", "two words", "https://x", "a/b"] {
        assert!(!ServerNames::is_valid(bad), "{bad}");
    }
}
