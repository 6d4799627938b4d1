//! `party-server`: the reference Connecting Party server as a process. See `party-server --help`.

use clap::Parser;
use connpay::cli::healthcheck::ServerCommand;
use connpay::cli::party::PartyArgs;
use connpay::runtime::{announce, bind, init_tracing, shutdown_signal};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let args = PartyArgs::parse();
    if let Some(ServerCommand::Healthcheck(check)) = &args.command {
        return Ok(connpay::healthcheck::run(check, args.listen).await);
    }
    init_tracing("info");
    let listen = args.listen;
    let config = args.into_config()?;
    let (listener, bound) = bind(listen).await?;
    announce(bound)?;
    party::serve(listener, party::AppState::new(config), shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}
