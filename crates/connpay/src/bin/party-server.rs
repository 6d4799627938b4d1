//! `party-server`: the reference Connecting Party server as a process. See `party-server --help`.

use clap::Parser;
use connpay::cli::party::PartyArgs;
use connpay::runtime::{announce, bind, init_tracing, shutdown_signal, usage_error};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args = PartyArgs::parse();
    init_tracing("info");
    let served_tls = match args.served_tls() {
        Ok(served_tls) => served_tls,
        Err(error) => return usage_error(&error),
    };
    let listen = args.listen;
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
    if announce(config.transport.scheme(), bound).is_err() {
        return ExitCode::FAILURE;
    }
    match party::serve(listener, party::AppState::new(config), shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
