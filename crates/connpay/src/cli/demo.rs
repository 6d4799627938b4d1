//! `mobile-client demo`: the embedded servers on fixed ports, scenarios at a human pace, up until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// `mobile-client demo [PATHS]…`: starts the gateway and the Connecting Party server inside this process on
/// fixed, printed ports, prints their dashboards' URLs, plays the scenarios one after the other at a human
/// pace, and stays up until Ctrl-C, so a person can click around, open a 3-D Secure page in their own browser
/// and start any scenario again from the gateway's dashboard.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Scenario files or directories (every `*.toml` in them), played in order once at the start.
    #[arg(default_value = "scenarios/03-3ds-approved.toml")]
    pub paths: Vec<PathBuf>,
    /// Where the gateway listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub gateway_listen: SocketAddr,
    /// Where the Connecting Party server listens.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub party_listen: SocketAddr,
    /// How long the app waits before each request it sends (access token, initiate, perform, each status poll,
    /// the 3-D Secure page and its answer) and between two scenarios, e.g. `1s`, `500ms`, `0`.
    #[arg(long, default_value = "1s", value_parser = parse_pace)]
    pub pace: Duration,
    /// Play the scenarios, then stop instead of waiting for Ctrl-C (for scripts: screenshots, tests).
    #[arg(long)]
    pub once: bool,
    /// Protect both servers' control planes and dashboards with this token (the dashboard asks for it once).
    #[arg(
        long,
        env = "MOBILE_SANDBOX_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub sandbox_token: Option<String>,
}

/// `1s`, `250ms`, `2.5s` or `0`.
fn parse_pace(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.strip_suffix("ms") {
        Some(number) => (number, 0.001),
        None => (text.strip_suffix('s').unwrap_or(text), 1.0),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("not a pace: {text:?} (e.g. 1s, 500ms)"))?;
    if !(0.0..=60.0).contains(&(value * unit)) {
        return Err(format!("a pace is between 0 and 60 s, not {text}"));
    }
    Ok(Duration::from_secs_f64(value * unit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::mobile::{ClientArgs, ClientCommand};
    use clap::Parser;

    #[test]
    fn demo_takes_paths_ports_and_a_pace() {
        let parsed = ClientArgs::try_parse_from([
            "mobile-client",
            "demo",
            "scenarios",
            "--gateway-listen",
            "127.0.0.1:9080",
            "--pace",
            "250ms",
        ])
        .unwrap();
        let ClientCommand::Demo(args) = parsed.command else {
            panic!("demo expected")
        };
        assert_eq!(args.paths, [PathBuf::from("scenarios")]);
        assert_eq!(args.gateway_listen.port(), 9080);
        assert_eq!(args.party_listen.port(), 8081);
        assert_eq!(args.pace, Duration::from_millis(250));
        assert_eq!(parse_pace("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_pace("0"), Ok(Duration::ZERO));
        assert!(
            parse_pace("fast").is_err() && parse_pace("-1s").is_err() && parse_pace("2h").is_err()
        );
    }
}
