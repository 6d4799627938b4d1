//! `mobile-client demo`: both servers on the ports it is given (here port 0, so the printed URLs carry the
//! ports it got), their dashboards' URLs printed, the scenarios played, a scenario played again from the
//! gateway's dashboard (its Play form), and a clean stop on Ctrl-C (SIGINT).

use e2e::{bin_path, scenarios_dir};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{ChildStdout, Command};

/// How long one line of the demo's output may take: a scenario played at pace 0.
const LINE_WAIT: Duration = Duration::from_secs(30);

/// Reads lines until one starts with `prefix`; the lines read, that one last.
async fn until(lines: &mut Lines<BufReader<ChildStdout>>, prefix: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let next = tokio::time::timeout(LINE_WAIT, lines.next_line()).await;
        let Ok(Ok(Some(line))) = next else {
            panic!("no line starting {prefix:?} after {seen:#?}: {next:?}");
        };
        seen.push(line);
        if seen.last().is_some_and(|line| line.starts_with(prefix)) {
            return seen;
        }
    }
}

/// The URL a `gateway …` or `Connecting Party server …` line prints first.
fn printed_url(line: &str) -> String {
    line.split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned()
}

#[tokio::test]
async fn demo_prints_its_dashboards_plays_again_from_the_dashboard_and_stops_on_ctrl_c() {
    let scenario = scenarios_dir().join("01-approved-no-3ds.toml");
    let mut demo = Command::new(bin_path("mobile-client"))
        .args(["demo", scenario.to_str().unwrap(), "--pace", "0"])
        .args([
            "--gateway-listen",
            "127.0.0.1:0",
            "--party-listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(demo.stdout.take().unwrap()).lines();
    let gateway_line = until(&mut lines, "gateway ").await.pop().unwrap();
    let party_line = until(&mut lines, "Connecting Party server ")
        .await
        .pop()
        .unwrap();
    let (gateway, party) = (printed_url(&gateway_line), printed_url(&party_line));
    assert!(
        gateway_line.contains(&format!("dashboard: {gateway}/sandbox/")),
        "{gateway_line}"
    );
    let played = until(&mut lines, "Waiting:").await;
    let name = played
        .iter()
        .find_map(|line| line.strip_prefix("playing  "))
        .unwrap_or_else(|| panic!("nothing played: {played:#?}"))
        .to_owned();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for url in [&gateway, &party] {
        let page = client.get(format!("{url}/sandbox/")).send().await.unwrap();
        assert_eq!(page.status(), 200, "{url}");
    }
    let list = client
        .get(format!("{gateway}/sandbox/"))
        .send()
        .await
        .unwrap();
    let list = list.text().await.unwrap();
    assert!(
        list.contains("APPROVED") && list.contains(&name),
        "the sale and the Play form: {list}"
    );
    let asked = client
        .post(format!("{gateway}/sandbox/scenarios/play"))
        .form(&[("scenario", name.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 303, "{:?}", asked.text().await);
    let again = until(&mut lines, "playing  ").await.pop().unwrap();
    assert_eq!(again, format!("playing  {name}"));
    let pid = demo.id().unwrap().to_string();
    let interrupted = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .await
        .unwrap();
    assert!(interrupted.success());
    let exit = tokio::time::timeout(Duration::from_secs(10), demo.wait())
        .await
        .expect("the demo stops within 10 s of Ctrl-C")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
}
