#![allow(clippy::panic, reason = "a test kit fails loudly")]
//! The end-to-end test kit of connpay-sandbox: the embedded servers with test timings, the repository's
//! scenario directory, and the real binaries started as processes.
//!
//! # Layout
//! - this file: [`Sandbox`] (gateway and Connecting Party server in the test's process), [`scenarios_dir`],
//!   [`bin_path`] and [`Server`] (a binary started as a process, ready once it printed its `listening on` line),
//!   [`all_deliveries`] (the gateway's delivery log, every page) and [`TempDir`].
//! - `naive_party`: [`NaiveParty`], a Connecting Party server that checks nothing, for the attack pack.
//!
//! The test targets are `in_process/` (every scenario, races, negative paths) and `processes/` (the three real
//! binaries). Build the binaries first: `cargo build --workspace --bins && cargo test --workspace`.

mod naive_party;

pub use naive_party::{NaiveOptions, NaiveParty};

use connpay::embedded::{Embedded, any_loopback_port};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The repository's `scenarios/` directory.
pub fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("scenarios")
}

/// Gateway timings for tests: the sandbox ones with a short CVV 217 timeout.
pub fn test_timings() -> gateway::Timings {
    gateway::Timings {
        unknown_timeout: Duration::from_millis(300),
        ..gateway::Timings::sandbox()
    }
}

/// The gateway and the Connecting Party server inside the test's process, on free loopback ports.
#[derive(Debug)]
pub struct Sandbox {
    /// The running servers.
    pub servers: Embedded,
    /// The gateway's base URL.
    pub gateway_url: String,
    /// The Connecting Party server's base URL.
    pub party_url: String,
    /// Where the mobile client finds them.
    pub targets: mobile::Targets,
}

impl Sandbox {
    /// Starts both servers with the sandbox endpoint, key and test timings.
    ///
    /// # Errors
    /// When a loopback port cannot be bound.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(|config| config).await
    }

    /// Starts both servers; `adjust` may change the gateway's configuration.
    ///
    /// # Errors
    /// When a loopback port cannot be bound.
    pub async fn start_with(
        adjust: impl FnOnce(gateway::Config) -> gateway::Config,
    ) -> std::io::Result<Self> {
        Self::start_configured(party::Config::sandbox(), adjust).await
    }

    /// Starts the gateway alone, calling the Connecting Party server at `party_url` (one the test runs itself).
    ///
    /// # Errors
    /// When a loopback port cannot be bound.
    pub async fn against(party_url: &str) -> std::io::Result<Self> {
        let mut servers = Embedded::default();
        let configure = |own_url: &str| gateway::Config {
            timings: test_timings(),
            ..gateway::Config::sandbox(own_url, party_url)
        };
        let gateway_url = servers
            .start_gateway(any_loopback_port(), configure)
            .await?;
        let parse = |url: &str| {
            url::Url::parse(url)
                .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidInput, error))
        };
        let targets = mobile::Targets::new(parse(&gateway_url)?, parse(party_url)?);
        Ok(Self {
            servers,
            gateway_url,
            party_url: party_url.to_owned(),
            targets,
        })
    }

    /// Starts both servers with this Connecting Party configuration; `adjust` may change the gateway's.
    ///
    /// # Errors
    /// When a loopback port cannot be bound.
    pub async fn start_configured(
        party: party::Config,
        adjust: impl FnOnce(gateway::Config) -> gateway::Config,
    ) -> std::io::Result<Self> {
        let mut servers = Embedded::default();
        let party_url = servers.start_party(any_loopback_port(), party).await?;
        let configure = |own_url: &str| {
            adjust(gateway::Config {
                timings: test_timings(),
                ..gateway::Config::sandbox(own_url, &party_url)
            })
        };
        let gateway_url = servers
            .start_gateway(any_loopback_port(), configure)
            .await?;
        let parse = |url: &str| {
            url::Url::parse(url)
                .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidInput, error))
        };
        let targets = mobile::Targets::new(parse(&gateway_url)?, parse(&party_url)?);
        Ok(Self {
            servers,
            gateway_url,
            party_url,
            targets,
        })
    }
}

/// Path of a binary of this workspace: `$CONNPAY_BIN_DIR/<name>` if set, else next to the test executable's
/// `deps/` folder (`target/<profile>/<name>`). Build them first with `cargo build --workspace --bins`.
pub fn bin_path(name: &str) -> PathBuf {
    let dir = match std::env::var_os("CONNPAY_BIN_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::current_exe()
            .ok()
            .and_then(|exe| {
                exe.parent()
                    .and_then(|deps| deps.parent())
                    .map(PathBuf::from)
            })
            .unwrap_or_default(),
    };
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} not found: run `cargo build --workspace --bins` first (or set CONNPAY_BIN_DIR)",
        path.display()
    );
    path
}

/// A server binary running as a child process; killed when dropped.
#[derive(Debug)]
pub struct Server {
    /// The process.
    pub child: Child,
    /// Its base URL, from the `listening on` line.
    pub url: String,
}

impl Server {
    /// Starts `name` with `args` and waits (up to 10 s) for its first stdout line `listening on http://ADDR`.
    ///
    /// # Panics
    /// When the process does not start or does not announce itself in time: the test fails loudly.
    pub async fn start(name: &str, args: &[&str]) -> Self {
        let stderr = if std::env::var_os("TEST_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        };
        let mut child = Command::new(bin_path(name))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {name}: {error}"));
        let stdout = child
            .stdout
            .take()
            .unwrap_or_else(|| panic!("{name} has no stdout"));
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(10), lines.next_line()).await;
        let line = match first {
            Ok(Ok(Some(line))) => line,
            other => panic!("{name} did not print its listening line: {other:?}"),
        };
        let url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line of {name}: {line:?}"))
            .to_owned();
        Self { child, url }
    }
}

/// Every record of a gateway's delivery log, following its pages; `bearer` is the sandbox token, if the gateway
/// has one.
///
/// # Panics
/// When the gateway does not answer with a delivery list: the test fails loudly.
pub async fn all_deliveries(
    client: &reqwest::Client,
    gateway: &str,
    bearer: Option<&str>,
) -> Vec<sandbox_api::DeliveryRecord> {
    let mut records = Vec::new();
    let mut query = vec![("limit", "1000".to_owned())];
    loop {
        let mut request = client
            .get(format!("{gateway}{}", sandbox_api::paths::DELIVERIES_PATH))
            .query(&query);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|error| panic!("{error}"));
        assert!(response.status().is_success(), "{}", response.status());
        let page: sandbox_api::DeliveryList = response
            .json()
            .await
            .unwrap_or_else(|error| panic!("{error}"));
        records.extend(page.deliveries);
        match page.next_cursor {
            Some(cursor) => query = vec![("limit", "1000".to_owned()), ("cursor", cursor)],
            None => return records,
        }
    }
}

/// A fresh directory under the system's temporary one, removed when dropped.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// `{tmp}/connpay-{name}-{pid}`, emptied first and created.
    ///
    /// # Panics
    /// When the directory cannot be created.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("connpay-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
