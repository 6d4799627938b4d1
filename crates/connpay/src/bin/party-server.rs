//! `party-server`: the reference Connecting Party server as a process. See `party-server --help`.

use clap::Parser;
use connpay::cli::party::PartyArgs;
use connpay::runtime::{
    EXIT_BAD_START, announce, bind, init_tracing, shutdown_signal, warn_if_exposed,
};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let args = PartyArgs::parse();
    init_tracing("info");
    let (listen, data_dir) = (args.listen, args.data_dir.clone());
    let config = match args.into_config() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(EXIT_BAD_START));
        }
    };
    let (listener, bound) = bind(listen).await?;
    warn_if_exposed("party-server", bound, &config.control_plane);
    let state = match &data_dir {
        Some(dir) => party::AppState::with_data_dir(config, dir),
        None => Ok(party::AppState::new(config)),
    };
    let state = match state {
        Ok(state) => state,
        Err(error) => {
            eprintln!("error: --data-dir: {error}");
            return Ok(ExitCode::from(EXIT_BAD_START));
        }
    };
    announce(bound)?;
    party::serve(listener, state, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}
