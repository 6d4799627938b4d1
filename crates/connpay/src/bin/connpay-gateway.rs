//! `connpay-gateway`: the fake ConnPay gateway as a process. See `connpay-gateway --help`.

use clap::Parser;
use connpay::cli::gateway::GatewayArgs;
use connpay::cli::healthcheck::ServerCommand;
use connpay::runtime::{
    announce, bind, init_tracing, shutdown_signal, usage_error, warn_if_exposed,
};
use std::process::ExitCode;

/// mimalloc rather than the system allocator: requests allocate and free many small buffers (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let args = GatewayArgs::parse();
    if let Some(ServerCommand::Healthcheck(check)) = &args.command {
        let scheme = args.transport.options().scheme();
        return connpay::healthcheck::run(check, scheme, args.listen).await;
    }
    init_tracing("info");
    let data_dir = args.data_dir.clone();
    let (listener, bound) = match bind(args.listen).await {
        Ok(bound) => bound,
        Err(error) => {
            eprintln!("error: cannot listen on {}: {error}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let served_tls = match args.served_tls(bound) {
        Ok(served_tls) => served_tls,
        Err(error) => return usage_error(&error),
    };
    let mut config = match args.into_config(bound) {
        Ok(config) => config,
        Err(error) => return usage_error(&error),
    };
    config.transport.tls = served_tls.tls;
    if let Some(notice) = served_tls.notice {
        eprintln!("{notice}");
    }
    warn_if_exposed("connpay-gateway", bound, &config.control_plane);
    let state = match &data_dir {
        Some(dir) => gateway::AppState::with_data_dir(config, dir),
        None => Ok(gateway::AppState::new(config)),
    };
    let state = match state {
        Ok(state) => state,
        Err(error) => return usage_error(&format!("--data-dir: {error}")),
    };
    if announce(state.config().transport.scheme(), bound).is_err() {
        return ExitCode::FAILURE;
    }
    let config = state.config();
    tracing::info!(public_url = %config.public_url, endpoints = config.endpoints.len(), "gateway ready");
    match gateway::serve(listener, state, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
