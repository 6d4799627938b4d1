//! The attack pack (`scenarios/attacks/`) against the reference Connecting Party server, which refuses every
//! attack as required, and against a naive one that checks nothing, which fails each attack with a message
//! naming the check it is missing.

use e2e::{NaiveParty, Sandbox, scenarios_dir};
use sandbox_api::Attack;

fn attack_pack() -> Vec<scenario::Scenario> {
    let loaded = scenario::load_paths(&[scenarios_dir().join("attacks")]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(
        loaded.scenarios.len(),
        Attack::ALL.len(),
        "one scenario per attack"
    );
    loaded.scenarios
}

/// The attack a scenario of the pack plays.
fn attack_of(scenario: &scenario::Scenario) -> Attack {
    let attacks: Vec<Attack> = scenario
        .sales
        .iter()
        .filter_map(|sale| sale.misbehave.gateway.attack)
        .collect();
    let [attack] = attacks.as_slice() else {
        panic!("{}: one attack per scenario", scenario.name)
    };
    *attack
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_refuses_every_attack_as_required() {
    let sandbox = Sandbox::start().await.unwrap();
    let reports = connpay::client::run_all(attack_pack(), sandbox.targets.clone(), 8).await;
    for report in &reports {
        let mut text = Vec::new();
        mobile::render(report, &mut text).unwrap();
        assert_eq!(
            report.verdict(),
            mobile::Verdict::Pass,
            "{}",
            String::from_utf8_lossy(&text)
        );
        let attacked = report.sales.iter().filter_map(|sale| sale.attack.as_ref());
        let [answer] = attacked.collect::<Vec<_>>()[..] else {
            panic!(
                "{}: the gateway's record holds the attack's answer",
                report.name
            )
        };
        assert_eq!(
            answer.accepted(),
            !answer.attack.must_refuse(),
            "{answer:?}"
        );
    }
    sandbox.servers.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_naive_server_fails_every_attack_with_the_check_it_is_missing() {
    let naive = NaiveParty::with_record().await.unwrap();
    let sandbox = Sandbox::against(&naive.url).await.unwrap();
    let scenarios = attack_pack();
    let attacks: Vec<Attack> = scenarios.iter().map(attack_of).collect();
    let reports = connpay::client::run_all(scenarios, sandbox.targets.clone(), 8).await;
    for (report, attack) in reports.iter().zip(attacks) {
        assert_eq!(report.verdict(), mobile::Verdict::Fail, "{}", report.name);
        let failures = report.failures.join("\n");
        assert!(
            failures.contains(attack.check()),
            "{}: no failure names the missing check {:?}:\n{failures}",
            report.name,
            attack.check()
        );
        assert!(failures.contains(&format!("attack {attack}")), "{failures}");
    }
    sandbox.servers.stop().await;
}
