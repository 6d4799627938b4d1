//! `mobile-client run scenarios/attacks --party URL` as a merchant's CI runs it: exit code 0 when the server at
//! URL refused every attack as required (the reference `party-server`), 1 otherwise (a naive server).

use crate::mobile_client;
use e2e::{NaiveParty, Server, scenarios_dir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_attack_pack_exits_0_for_the_reference_server_and_1_for_a_naive_one() {
    let attacks = scenarios_dir().join("attacks");
    let attacks = attacks.to_str().unwrap();
    let party = Server::start("party-server", &["--listen", "127.0.0.1:0"]).await;
    let (code, stdout) = mobile_client(&["run", attacks, "--party", &party.url]).await;
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.lines().any(|line| line == "8 passed, 0 failed"),
        "{stdout}"
    );

    let naive = NaiveParty::with_record().await.unwrap();
    let (code, stdout) = mobile_client(&["run", attacks, "--party", &naive.url]).await;
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.lines().any(|line| line == "0 passed, 8 failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("it accepted it: a Connecting Party server must compare session.nonce"),
        "{stdout}"
    );
}
