//! `mobile-client load`: many flows of one scenario at once.

use std::path::PathBuf;

/// `mobile-client load SCENARIO --flows N --concurrency C`: runs N flows of one scenario file, C at a
/// time, and reports flows per second, flow and per-hop latency percentiles, and failures by kind.
/// Each flow plays the whole scenario (every sale) unless `--first-sale` is given.
///
/// Exit codes: 0 every flow passed; 1 a flow failed; 2 the scenario file or the command line is wrong;
/// 3 a server given by URL cannot be reached.
#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// The scenario file to play.
    pub scenario: PathBuf,
    /// Flows to run in all.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub flows: u64,
    /// Flows running at the same time.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// Play only the scenario's first sale in each flow.
    #[arg(long)]
    pub first_sale: bool,
    /// The servers: running ones by URL, embedded ones for the rest.
    #[command(flatten)]
    pub targets: super::targets::TargetArgs,
}

#[cfg(test)]
mod tests {
    use crate::cli::mobile::{ClientArgs, ClientCommand};
    use clap::Parser;

    #[test]
    fn load_takes_one_scenario_flows_and_concurrency() {
        let parsed = ClientArgs::try_parse_from([
            "mobile-client",
            "load",
            "scenarios/03-3ds-approved.toml",
            "--flows",
            "2000",
            "--concurrency",
            "64",
        ])
        .unwrap();
        let ClientCommand::Load(args) = parsed.command else {
            panic!("load expected");
        };
        assert_eq!((args.flows, args.concurrency), (2000, 64));
        assert!(!args.first_sale);
        assert_eq!((args.targets.gateway, args.targets.party), (None, None));
    }

    #[test]
    fn zero_flows_or_zero_concurrency_is_a_usage_error() {
        for flag in ["--flows", "--concurrency"] {
            let error = ClientArgs::try_parse_from(["mobile-client", "load", "a.toml", flag, "0"])
                .unwrap_err();
            assert_eq!(error.exit_code(), 2, "{flag}");
        }
    }
}
