//! Where `mobile-client run` and `mobile-client load` find the gateway and the Connecting Party server.

use std::net::SocketAddr;

/// Running servers by URL, or the embedded ones for whatever is not given.
#[derive(Debug, clap::Args)]
pub struct TargetArgs {
    /// Base URL of a running gateway instead of the embedded one.
    #[arg(long, env = "MOBILE_GATEWAY_URL", value_parser = super::parse_base_url)]
    pub gateway: Option<String>,
    /// Base URL of a running Connecting Party server instead of the embedded one.
    #[arg(long, env = "MOBILE_PARTY_URL", value_parser = super::parse_base_url)]
    pub party: Option<String>,
    /// Where the embedded Connecting Party server listens when only `--gateway` is given (the gateway's
    /// default `--party-url` is http://127.0.0.1:8081).
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub embedded_party_listen: SocketAddr,
    /// DAPI path prefix of the gateway.
    #[arg(long, env = "MOBILE_DAPI_PREFIX", default_value = dapi::DEFAULT_DAPI_PREFIX)]
    pub dapi_prefix: String,
    /// Milliseconds between two sale status polls (and two looks at a server's sandbox record).
    #[arg(long, default_value_t = 20)]
    pub poll_interval_ms: u64,
    /// The CAs trusted over HTTPS, by the client and by the embedded gateway calling an `https://` --party.
    #[command(flatten)]
    pub trust: super::transport::MobileTrustArgs,
    /// Sent as `Authorization: Bearer TOKEN` on every /sim call, for servers started with --sandbox-token; the
    /// embedded servers then require it too.
    #[arg(
        long,
        env = "MOBILE_SANDBOX_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub sandbox_token: Option<String>,
}

impl TargetArgs {
    /// The sandbox token, if one was given.
    ///
    /// # Errors
    /// When it is malformed (the message never contains it).
    pub fn token(&self) -> Result<Option<sandbox_api::SandboxToken>, String> {
        self.sandbox_token
            .as_deref()
            .map(super::parse_sandbox_token)
            .transpose()
    }
}
