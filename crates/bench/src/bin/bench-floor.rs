//! `bench-floor`: the floor the gateway is compared with, an axum hello handler and nothing else (no layers, no
//! state, no JSON). `bench-floor --listen 127.0.0.1:0` prints `listening on http://ADDR` like the servers.

use axum::Router;
use axum::routing::get;
use clap::Parser;
use connpay::runtime::{announce, bind, shutdown_signal};
use std::net::SocketAddr;

/// An axum hello handler: `GET /` and `POST /` answer `hello`.
#[derive(Debug, Parser)]
#[command(name = "bench-floor")]
struct Args {
    /// Address to listen on; port 0 picks a free port (the first stdout line tells which).
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
}

/// The same allocator as the sandbox's binaries, so the floor compares like with like.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let (listener, bound) = bind(args.listen).await?;
    let router = Router::new().route("/", get(hello).post(hello));
    announce("http", bound)?;
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn hello() -> &'static str {
    "hello"
}
