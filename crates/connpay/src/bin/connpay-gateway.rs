//! `connpay-gateway`: the fake ConnPay gateway as a process. See `connpay-gateway --help`.

use clap::Parser;
use connpay::cli::gateway::GatewayArgs;
use connpay::runtime::{
    EXIT_BAD_START, announce, bind, init_tracing, shutdown_signal, warn_if_exposed,
};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let args = GatewayArgs::parse();
    init_tracing("info");
    let data_dir = args.data_dir.clone();
    let (listener, bound) = bind(args.listen).await?;
    let config = match args.into_config(bound) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(EXIT_BAD_START));
        }
    };
    warn_if_exposed("connpay-gateway", bound, &config.control_plane);
    let state = match &data_dir {
        Some(dir) => gateway::AppState::with_data_dir(config, dir),
        None => Ok(gateway::AppState::new(config)),
    };
    let state = match state {
        Ok(state) => state,
        Err(error) => {
            eprintln!("error: --data-dir: {error}");
            return Ok(ExitCode::from(EXIT_BAD_START));
        }
    };
    announce(bound)?;
    let config = state.config();
    tracing::info!(public_url = %config.public_url, endpoints = config.endpoints.len(), "gateway ready");
    gateway::serve(listener, state, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}
