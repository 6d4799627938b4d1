//! `mobile-client`: the scripted mobile app. See `mobile-client --help`.

use clap::Parser;
use connpay::cli::mobile::{ClientArgs, ClientCommand};
use connpay::{catalogue, deliveries};
use std::io::StdoutLock;
use std::process::ExitCode;

/// mimalloc rather than the system allocator: requests allocate and free many small buffers (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let args = ClientArgs::parse();
    // The embedded servers log expected declines at warn; the client's report says what matters. Errors
    // (a dead-lettered callback, a failed server) still show.
    connpay::runtime::init_tracing("warn,gateway=error,party=error,server_kit=error");
    match args.command {
        ClientCommand::Run(run) => connpay::client::run(run).await,
        ClientCommand::Load(load) => connpay::load::run(load).await,
        ClientCommand::Demo(demo) => connpay::demo::run(demo).await,
        ClientCommand::Deliveries(args) => deliveries::list_command(args).await,
        ClientCommand::Replay(args) => deliveries::replay_command(args).await,
        ClientCommand::Validate(scenarios) => {
            to_stdout(|out| catalogue::validate(&scenarios.paths, out))
        }
        ClientCommand::List(scenarios) => to_stdout(|out| catalogue::list(&scenarios.paths, out)),
        ClientCommand::Schema => to_stdout(catalogue::schema),
    }
}

fn to_stdout(
    print: impl FnOnce(&mut StdoutLock<'static>) -> std::io::Result<ExitCode>,
) -> ExitCode {
    print(&mut std::io::stdout().lock()).unwrap_or_else(|error| {
        eprintln!("error: cannot write to stdout: {error}");
        ExitCode::FAILURE
    })
}
