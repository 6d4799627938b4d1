//! `mobile-client`: the scripted mobile app. See `mobile-client --help`.

use clap::Parser;
use connpay::cli::mobile::{ClientArgs, ClientCommand};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args = ClientArgs::parse();
    connpay::runtime::init_tracing("warn");
    match args.command {
        ClientCommand::Run(run) => connpay::client::run(run).await,
    }
}
