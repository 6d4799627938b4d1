//! `party-server`: the reference Connecting Party server as a process. See `party-server --help`.

use clap::Parser;
use connpay::cli::party::PartyArgs;
use connpay::runtime::{announce, bind, init_tracing, shutdown_signal, warn_if_exposed};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = PartyArgs::parse();
    init_tracing("info");
    let listen = args.listen;
    let config = args.into_config()?;
    let (listener, bound) = bind(listen).await?;
    warn_if_exposed("party-server", bound, &config.control_plane);
    announce(bound)?;
    party::serve(listener, party::AppState::new(config), shutdown_signal()).await?;
    Ok(())
}
