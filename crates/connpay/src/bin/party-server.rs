//! `party-server`: the reference Connecting Party server as a process. See `party-server --help`.

use clap::Parser;
use connpay::cli::healthcheck::ServerCommand;
use connpay::cli::party::PartyArgs;
use connpay::runtime::{
    announce, bind, init_tracing, shutdown_signal, usage_error, warn_if_exposed,
};
use std::process::ExitCode;

/// mimalloc rather than the system allocator: requests allocate and free many small buffers (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let args = PartyArgs::parse();
    if let Some(ServerCommand::Healthcheck(check)) = &args.command {
        let scheme = args.transport.options().scheme();
        return connpay::healthcheck::run(check, scheme, args.listen).await;
    }
    init_tracing("info");
    let served_tls = match args.served_tls() {
        Ok(served_tls) => served_tls,
        Err(error) => return usage_error(&error),
    };
    let (listen, data_dir) = (args.listen, args.data_dir.clone());
    let mut config = match args.into_config() {
        Ok(config) => config,
        Err(error) => return usage_error(&error),
    };
    config.transport.tls = served_tls.tls;
    if let Some(notice) = served_tls.notice {
        eprintln!("{notice}");
    }
    let Ok((listener, bound)) = bind(listen).await.inspect_err(|error| {
        eprintln!("error: cannot listen on {listen}: {error}");
    }) else {
        return ExitCode::FAILURE;
    };
    warn_if_exposed("party-server", bound, &config.control_plane);
    let state = match &data_dir {
        Some(dir) => party::AppState::with_data_dir(config, dir),
        None => Ok(party::AppState::new(config)),
    };
    let state = match state {
        Ok(state) => state,
        Err(error) => return usage_error(&format!("--data-dir: {error}")),
    };
    if announce(state.config().transport.scheme(), bound).is_err() {
        return ExitCode::FAILURE;
    }
    match party::serve(listener, state, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
