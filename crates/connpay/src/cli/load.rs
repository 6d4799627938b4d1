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
    /// Base URL of a running gateway instead of the embedded one.
    #[arg(long, env = "MOBILE_GATEWAY_URL", value_parser = super::parse_base_url)]
    pub gateway: Option<String>,
    /// Base URL of a running Connecting Party server instead of the embedded one.
    #[arg(long, env = "MOBILE_PARTY_URL", value_parser = super::parse_base_url)]
    pub party: Option<String>,
    /// Where the embedded Connecting Party server listens when only `--gateway` is given (the gateway's
    /// default `--party-url` is http://127.0.0.1:8081).
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub embedded_party_listen: std::net::SocketAddr,
    /// DAPI path prefix of the gateway.
    #[arg(long, env = "MOBILE_DAPI_PREFIX", default_value = dapi::DEFAULT_DAPI_PREFIX)]
    pub dapi_prefix: String,
    /// Milliseconds between two sale status polls (and two looks at a server's sandbox record).
    #[arg(long, default_value_t = 20)]
    pub poll_interval_ms: u64,
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
        assert_eq!((args.gateway, args.party), (None, None));
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
