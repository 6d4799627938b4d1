//! `bench-probe`: the measuring tools of `bench/run.sh`.
//!
//! - `bench-probe cold-start --runs 7 --path /health -- target/release/connpay-gateway --listen 127.0.0.1:0`:
//!   starts the binary `runs` times, each until its first `200` on `path`, and prints each time and the median.
//! - `bench-probe open-sale --gateway URL --party URL`: opens one sale over HTTP (access token, initiate sale,
//!   perform sale) and waits until it is final; prints `url <status URL>` and `body <status request JSON>`.
//! - `bench-probe sales --gateway URL --party URL --count 100000 --concurrency 32`: a fast loop of approved
//!   sales without 3-D Secure (initiate and perform only; the gateway still runs check sale, the card mapping
//!   notification and the callback), to fill the gateway's memory. `--cvv 321` makes them 3-D Secure sales
//!   left on their page: each stays open, holding its abandonment timer.

use clap::{Parser, Subcommand};
use dapi::messages::initiate::{AccessTokenResponse, InitiateSaleResponse};
use dapi::messages::perform::PerformSaleResponse;
use dapi::messages::status::SaleStatusResponse;
use serde_json::{Value, json};
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// Measuring tools of `bench/run.sh`.
#[derive(Debug, Parser)]
#[command(name = "bench-probe")]
struct Args {
    #[command(subcommand)]
    command: Probe,
}

#[derive(Debug, Subcommand)]
enum Probe {
    /// Median time from spawning a server binary to its first 200.
    ColdStart {
        /// How many starts.
        #[arg(long, default_value_t = 7)]
        runs: usize,
        /// The path polled until it answers 200.
        #[arg(long, default_value = "/health")]
        path: String,
        /// The binary and its arguments; it must print `listening on http://ADDR` first.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Opens one sale and prints its status URL and status request body.
    OpenSale {
        /// The gateway's base URL.
        #[arg(long)]
        gateway: String,
        /// The Connecting Party server's base URL.
        #[arg(long)]
        party: String,
    },
    /// Approved sales without 3-D Secure, as fast as the servers take them.
    Sales {
        /// The gateway's base URL.
        #[arg(long)]
        gateway: String,
        /// The Connecting Party server's base URL.
        #[arg(long)]
        party: String,
        /// Sales in all.
        #[arg(long, default_value_t = 100_000)]
        count: u64,
        /// Sales in flight at once.
        #[arg(long, default_value_t = 32)]
        concurrency: u64,
        /// The card's CVV: `123` approved, `321` the 3-D Secure page (left open).
        #[arg(long, default_value = "123")]
        cvv: String,
    },
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = match Args::parse().command {
        Probe::ColdStart {
            runs,
            path,
            command,
        } => cold_start(runs, &path, &command).await,
        Probe::OpenSale { gateway, party } => open_sale(&gateway, &party).await,
        Probe::Sales {
            gateway,
            party,
            count,
            concurrency,
            cvv,
        } => sales(gateway, party, count, concurrency, Arc::from(cvv)).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn cold_start(runs: usize, path: &str, command: &[String]) -> Result<(), Failure> {
    let (program, arguments) = command.split_first().ok_or("no binary given")?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?;
    let mut times = Vec::new();
    for run in 1..=runs {
        let started = Instant::now();
        let mut child = Command::new(program)
            .args(arguments)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await??
            .ok_or("the binary printed nothing")?;
        let base = line
            .strip_prefix("listening on ")
            .ok_or("no `listening on` line")?;
        let url = format!("{base}{path}");
        loop {
            match http.get(&url).send().await {
                Ok(response) if response.status() == reqwest::StatusCode::OK => break,
                _ if started.elapsed() > Duration::from_secs(10) => {
                    return Err("no 200 within 10 s".into());
                }
                _ => tokio::time::sleep(Duration::from_millis(1)).await,
            }
        }
        let elapsed = started.elapsed();
        child.kill().await?;
        println!("run {run}: {:.2} ms", millis(elapsed));
        times.push(elapsed);
    }
    times.sort();
    let median = times.get(times.len() / 2).ok_or("no run")?;
    println!("median_ms {:.2}", millis(*median));
    Ok(())
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// One consumer session: the access token of a device.
struct Session {
    http: reqwest::Client,
    gateway: String,
    party: String,
    serial: String,
    access_token: String,
}

impl Session {
    async fn start(gateway: &str, party: &str, serial: String) -> Result<Self, Failure> {
        let http = reqwest::Client::new();
        let body =
            json!({"consumer": {"device": {"serialNumber": serial}, "email": "bench@example.com"}});
        let answer: AccessTokenResponse =
            post(&http, &format!("{party}/auth/request-access-token"), &body).await?;
        Ok(Self {
            http,
            gateway: gateway.to_owned(),
            party: party.to_owned(),
            serial,
            access_token: answer.session.access_token.as_str().to_owned(),
        })
    }

    /// Initiate and perform one sale; returns the status URL and the status request body.
    async fn sale(&self, cvv: &str) -> Result<(String, Value), Failure> {
        let (serial, access_token) = (&self.serial, &self.access_token);
        let body = json!({"consumer": {"device": {"serialNumber": serial}}, "session": {"accessToken": access_token},
            "transaction": {"amountCentis": 1050, "currency": "EUR"}});
        let initiated: InitiateSaleResponse = post(
            &self.http,
            &format!("{}/sale/initiate-sale", self.party),
            &body,
        )
        .await?;
        let (endpoint, invoice) = (
            initiated.endpoint_id.as_str(),
            initiated.invoice_id.as_str(),
        );
        let body = json!({"consumer": {"device": {"serialNumber": serial}, "email": "bench@example.com"},
            "session": {"accessToken": access_token, "nonce": initiated.session.nonce, "signature": initiated.session.signature},
            "sourceOfFunds": {"card": {"number": "4111111111111111", "securityCode": cvv,
                "expiry": {"month": 12, "year": 2030}, "holder": {"printedName": "BENCH CONSUMER"}}},
            "transaction": {"amountCentis": 1050, "currency": "EUR"}});
        let sale = format!(
            "{}{}/sale/{endpoint}/{invoice}",
            self.gateway,
            dapi::DEFAULT_DAPI_PREFIX
        );
        let performed: PerformSaleResponse = post(&self.http, &sale, &body).await?;
        let status =
            json!({"session": {"accessToken": access_token, "token": performed.session.token}});
        Ok((format!("{sale}/status"), status))
    }
}

async fn post<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    body: &Value,
) -> Result<T, Failure> {
    let response = http.post(url).json(body).send().await?;
    let status = response.status();
    let bytes = response.bytes().await?;
    if !status.is_success() {
        return Err(format!("POST {url}: {status} {}", String::from_utf8_lossy(&bytes)).into());
    }
    Ok(serde_json::from_slice(&bytes)?)
}

async fn open_sale(gateway: &str, party: &str) -> Result<(), Failure> {
    let session = Session::start(gateway, party, "SN-BENCH-STATUS".to_owned()).await?;
    let (url, body) = session.sale("123").await?;
    for _ in 0..500 {
        let status: SaleStatusResponse = post(&session.http, &url, &body).await?;
        if status.state.is_final() {
            println!("url {url}");
            println!("body {body}");
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Err("the sale did not become final within 5 s".into())
}

async fn sales(
    gateway: String,
    party: String,
    count: u64,
    concurrency: u64,
    cvv: Arc<str>,
) -> Result<(), Failure> {
    let next = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..concurrency.clamp(1, count.max(1)) {
        let session = Session::start(&gateway, &party, format!("SN-BENCH-{worker}")).await?;
        let (next, refused, cvv) = (Arc::clone(&next), Arc::clone(&refused), Arc::clone(&cvv));
        workers.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < count {
                if let Err(error) = session.sale(&cvv).await
                    && refused.fetch_add(1, Ordering::Relaxed) == 0
                {
                    eprintln!("first refusal: {error}");
                }
            }
        });
    }
    while workers.join_next().await.is_some() {}
    let elapsed = started.elapsed();
    let refused = refused.load(Ordering::Relaxed);
    let per_second = f64::from(u32::try_from(count).unwrap_or(u32::MAX)) / elapsed.as_secs_f64();
    println!(
        "sales {count} in {:.2} s, {per_second:.0}/s, refused {refused}",
        elapsed.as_secs_f64()
    );
    Ok(())
}
