//! `mobile-client`: runs scenario files against the gateway and the Connecting Party server.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// The scripted mobile client: plays the merchant's app (and the consumer on the 3-D Secure page) through the
/// Mobile Device Sale flow, as scenario files say, and checks every answer.
///
/// Exit codes: 0 every scenario passed; 1 a scenario failed (an expectation or the contract); 2 a scenario file
/// or the command line is wrong; 3 a gateway or Connecting Party server given by URL cannot be reached.
#[derive(Debug, Parser)]
#[command(name = "mobile-client", version)]
pub struct ClientArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ClientCommand,
}

/// `mobile-client` verbs.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Run scenario files (or directories of them). Without URLs the gateway and the Connecting Party server
    /// run inside this process.
    Run(RunArgs),
    /// Check scenario files without running them: file, line and what is wrong. Exit code 2 if any is wrong.
    Validate(PathsArgs),
    /// List the scenarios, one line each.
    List(PathsArgs),
    /// Print the JSON Schema of scenario files; editors use it for completion when a file starts with
    /// `#:schema ./scenario.schema.json` (the copy in `scenarios/`).
    Schema,
    /// Run many flows of one scenario at once: flows per second, latency percentiles, failures by kind.
    Load(super::load::LoadArgs),
    /// Start both servers on fixed ports, print their dashboards, play scenarios at a human pace, stay up
    /// until Ctrl-C (any scenario can be played again from the gateway's dashboard).
    Demo(super::demo::DemoArgs),
    /// List the gateway's deliveries (card mapping notifications and callbacks) with every attempt.
    Deliveries(DeliveriesArgs),
    /// Re-send one delivery now, e.g. a dead-lettered callback once the Connecting Party server is back.
    Replay(ReplayArgs),
}

/// `mobile-client deliveries`.
#[derive(Debug, clap::Args)]
pub struct DeliveriesArgs {
    /// Base URL of the running gateway.
    #[arg(long, env = "MOBILE_GATEWAY_URL", value_parser = super::parse_base_url)]
    pub gateway: String,
    /// Only this sale's deliveries.
    #[arg(long, value_name = "INVOICE_ID")]
    pub invoice: Option<String>,
    /// Only deliveries in this state.
    #[arg(long, value_parser = ["pending", "delivered", "dead-lettered"])]
    pub state: Option<String>,
    /// The CAs and the sandbox token for the gateway's admin paths.
    #[command(flatten)]
    pub access: AdminAccessArgs,
}

/// `mobile-client replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The delivery's id, as `mobile-client deliveries` shows it (e.g. `dlv-42`).
    pub id: String,
    /// Base URL of the running gateway.
    #[arg(long, env = "MOBILE_GATEWAY_URL", value_parser = super::parse_base_url)]
    pub gateway: String,
    /// The CAs and the sandbox token for the gateway's admin paths.
    #[command(flatten)]
    pub access: AdminAccessArgs,
}

/// How `deliveries` and `replay` reach the gateway's sandbox admin paths: the trust and the token.
#[derive(Debug, clap::Args)]
pub struct AdminAccessArgs {
    /// The CAs trusted when the gateway is `https://`.
    #[command(flatten)]
    pub trust: super::transport::MobileTrustArgs,
    /// Sent as `Authorization: Bearer TOKEN`, for a gateway started with --sandbox-token.
    #[arg(
        long,
        env = "MOBILE_SANDBOX_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub sandbox_token: Option<String>,
}

/// Scenario files or directories.
#[derive(Debug, clap::Args)]
pub struct PathsArgs {
    /// Scenario files or directories (every `*.toml` in them).
    #[arg(default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
}

/// `mobile-client run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario files or directories (every `*.toml` in them).
    #[arg(default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
    /// The servers: running ones by URL, embedded ones for the rest.
    #[command(flatten)]
    pub targets: super::targets::TargetArgs,
    /// Scenarios run at the same time.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Write a JUnit XML report (one test case per scenario) to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a JSON report (scenarios, steps, timings, violations) to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write one Mermaid sequence diagram per scenario, of the messages that really happened, into this directory.
    #[arg(long, value_name = "DIR")]
    pub diagrams: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_defaults_to_the_scenarios_directory_and_the_embedded_servers() {
        let ClientCommand::Run(args) = ClientArgs::try_parse_from(["mobile-client", "run"])
            .unwrap()
            .command
        else {
            panic!("run expected");
        };
        assert_eq!(args.paths, vec![PathBuf::from("scenarios")]);
        assert_eq!((args.targets.gateway, args.targets.party), (None, None));
    }

    #[test]
    fn validate_and_list_take_paths() {
        let ClientCommand::Validate(args) =
            ClientArgs::try_parse_from(["mobile-client", "validate", "a.toml", "dir"])
                .unwrap()
                .command
        else {
            panic!("validate expected");
        };
        assert_eq!(
            args.paths,
            vec![PathBuf::from("a.toml"), PathBuf::from("dir")]
        );
        assert!(matches!(
            ClientArgs::try_parse_from(["mobile-client", "list"])
                .unwrap()
                .command,
            ClientCommand::List(_)
        ));
    }

    #[test]
    fn schema_takes_no_arguments() {
        assert!(matches!(
            ClientArgs::try_parse_from(["mobile-client", "schema"])
                .unwrap()
                .command,
            ClientCommand::Schema
        ));
        assert!(ClientArgs::try_parse_from(["mobile-client", "schema", "x"]).is_err());
    }

    #[test]
    fn a_bad_url_is_a_usage_error() {
        let error =
            ClientArgs::try_parse_from(["mobile-client", "run", "--party", "ftp://x"]).unwrap_err();
        assert_eq!(error.exit_code(), 2);
    }
}
