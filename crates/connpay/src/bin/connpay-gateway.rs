//! `connpay-gateway`: the fake ConnPay gateway as a process. See `connpay-gateway --help`.

use clap::Parser;
use connpay::cli::gateway::GatewayArgs;
use connpay::runtime::{announce, bind, init_tracing, shutdown_signal, warn_if_exposed};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = GatewayArgs::parse();
    init_tracing("info");
    let (listener, bound) = bind(args.listen).await?;
    let config = args.into_config(bound)?;
    warn_if_exposed("connpay-gateway", bound, &config.control_plane);
    announce(bound)?;
    tracing::info!(public_url = %config.public_url, endpoints = config.endpoints.len(), "gateway ready");
    gateway::serve(listener, gateway::AppState::new(config), shutdown_signal()).await?;
    Ok(())
}
