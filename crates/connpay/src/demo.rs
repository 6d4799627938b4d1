//! `mobile-client demo`: the gateway and the Connecting Party server embedded on fixed ports, their dashboards'
//! URLs printed, the scenarios played at a human pace ([`mobile::Targets::pace`]), then every scenario a
//! person starts from the gateway's dashboard (its [`gateway::Playbook`]: the dashboard sends the scenario's
//! name down a channel, this runner plays it), until Ctrl-C.

use crate::cli::demo::DemoArgs;
use crate::client::{EXIT_BAD_INPUT, EXIT_PASSED, EXIT_UNREACHABLE};
use crate::embedded::Embedded;
use scenario::Scenario;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;
use tokio::sync::mpsc;

/// Scenarios asked for from the dashboard that may wait to be played.
const PLAY_QUEUE: usize = 8;

/// Runs `mobile-client demo` and returns the process exit code.
pub async fn run(args: DemoArgs) -> ExitCode {
    let loaded = scenario::load_paths(&args.paths);
    for error in &loaded.errors {
        eprintln!("error: {error}");
    }
    if loaded.scenarios.is_empty() {
        eprintln!("error: no scenario to play");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    let token = match args
        .sandbox_token
        .as_deref()
        .map(crate::cli::parse_sandbox_token)
        .transpose()
    {
        Ok(token) => token,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    // In the order given (a directory's files in name order); a name seen twice is played once.
    let order: Vec<String> = loaded
        .scenarios
        .iter()
        .map(|scenario| scenario.name.clone())
        .collect();
    let by_name: BTreeMap<String, Scenario> = loaded
        .scenarios
        .into_iter()
        .map(|scenario| (scenario.name.clone(), scenario))
        .collect();
    let (requests, mut asked) = mpsc::channel(PLAY_QUEUE);
    let (embedded, targets) = match start(&args, token, &by_name, requests).await {
        Ok(started) => started,
        Err(error) => {
            eprintln!("error: cannot start the demo's servers: {error}");
            return ExitCode::from(EXIT_UNREACHABLE);
        }
    };
    let mut played = std::collections::HashSet::new();
    for scenario in order
        .iter()
        .filter(|name| played.insert(*name))
        .filter_map(|name| by_name.get(name))
    {
        play(scenario, &targets).await;
        tokio::time::sleep(targets.pace).await;
    }
    if !args.once {
        say("Waiting: play any scenario again from the dashboard. Ctrl-C stops the demo.");
        let stop = crate::runtime::shutdown_signal();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => break,
                Some(name) = asked.recv() => {
                    if let Some(scenario) = by_name.get(&name) {
                        play(scenario, &targets).await;
                    }
                }
            }
        }
    }
    embedded.stop().await;
    ExitCode::from(EXIT_PASSED)
}

/// Starts both servers on the demo's ports and registers the scenarios with the gateway's dashboard.
async fn start(
    args: &DemoArgs,
    token: Option<sandbox_api::SandboxToken>,
    scenarios: &BTreeMap<String, Scenario>,
    requests: mpsc::Sender<String>,
) -> std::io::Result<(Embedded, mobile::Targets)> {
    let plane = token.clone().map_or(
        server_kit::ControlPlane::Open,
        server_kit::ControlPlane::Protected,
    );
    let mut embedded = Embedded::default();
    let party = party::Config {
        control_plane: plane.clone(),
        ..party::Config::sandbox()
    };
    let party_url = embedded.start_party(args.party_listen, party).await?;
    let configure = |own_url: &str| gateway::Config {
        timings: gateway::Timings::sandbox(),
        control_plane: plane.clone(),
        ..gateway::Config::sandbox(own_url, &party_url)
    };
    let (gateway_url, gateway) = embedded
        .start_gateway_state(args.gateway_listen, None, configure)
        .await?;
    gateway.offer_playbook(gateway::Playbook {
        names: scenarios.keys().cloned().collect(),
        requests,
    });
    say(&format!(
        "gateway                  {gateway_url}  dashboard: {gateway_url}/sandbox/"
    ));
    say(&format!(
        "Connecting Party server  {party_url}  dashboard: {party_url}/sandbox/"
    ));
    let invalid =
        |error: url::ParseError| std::io::Error::new(std::io::ErrorKind::InvalidInput, error);
    let mut targets = mobile::Targets::new(
        url::Url::parse(&gateway_url).map_err(invalid)?,
        url::Url::parse(&party_url).map_err(invalid)?,
    );
    targets.pace = args.pace;
    targets.sandbox_token = token;
    Ok((embedded, targets))
}

/// Plays one scenario and prints its one-line result.
async fn play(scenario: &Scenario, targets: &mobile::Targets) {
    say(&format!("playing  {}", scenario.name));
    let report = mobile::run(scenario, targets).await;
    let mut text = Vec::new();
    if mobile::render(&report, &mut text).is_ok() {
        say(String::from_utf8_lossy(&text).trim_end());
    }
}

/// One line on stdout, at once (a script may be reading it).
fn say(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
}
