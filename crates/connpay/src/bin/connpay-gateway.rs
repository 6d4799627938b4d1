//! `connpay-gateway`: the fake ConnPay gateway as a process. See `connpay-gateway --help`.

use clap::Parser;
use connpay::cli::gateway::GatewayArgs;
use connpay::cli::healthcheck::ServerCommand;
use connpay::runtime::{announce, bind, init_tracing, shutdown_signal};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let args = GatewayArgs::parse();
    if let Some(ServerCommand::Healthcheck(check)) = &args.command {
        return Ok(connpay::healthcheck::run(check, args.listen).await);
    }
    init_tracing("info");
    let (listener, bound) = bind(args.listen).await?;
    let config = args.into_config(bound)?;
    announce(bound)?;
    tracing::info!(public_url = %config.public_url, endpoints = config.endpoints.len(), "gateway ready");
    gateway::serve(listener, gateway::AppState::new(config), shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}
