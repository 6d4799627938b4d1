//! `mobile-client deliveries` and `mobile-client replay`: the gateway's delivery log (notifications and
//! callbacks, with every attempt) and re-sending one delivery, over the gateway's sandbox admin paths.

use crate::cli::mobile::{DeliveriesArgs, ReplayArgs};
use crate::client::{EXIT_BAD_INPUT, EXIT_PASSED, EXIT_UNREACHABLE};
use sandbox_api::DeliveryList;
use sandbox_api::DeliveryRecord;
use sandbox_api::DeliveryState;
use sandbox_api::paths::DELIVERIES_PATH;
use sandbox_api::paths::replay_path;
use std::io::Write;
use std::process::ExitCode;

/// `mobile-client deliveries`: prints the list and returns the exit code.
pub async fn list_command(args: DeliveriesArgs) -> ExitCode {
    let filter: Vec<(&str, String)> = [("invoiceId", args.invoice), ("state", args.state)]
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, value)))
        .collect();
    let trust = match args.trust.trust() {
        Ok(trust) => trust,
        Err(error) => return crate::runtime::usage_error(&error),
    };
    let mut out = Vec::new();
    let code = list(&args.gateway, &trust, &filter, &mut out).await;
    print_buffer(code, &out)
}

/// `mobile-client replay`: re-sends one delivery, prints its record and returns the exit code.
pub async fn replay_command(args: ReplayArgs) -> ExitCode {
    let trust = match args.trust.trust() {
        Ok(trust) => trust,
        Err(error) => return crate::runtime::usage_error(&error),
    };
    let mut out = Vec::new();
    let code = replay(&args.gateway, &trust, &args.id, &mut out).await;
    print_buffer(code, &out)
}

/// Prints what was written into a buffer (stdout's lock is never held across an `.await`).
fn print_buffer(code: std::io::Result<ExitCode>, out: &[u8]) -> ExitCode {
    let written = std::io::stdout().lock().write_all(out);
    match (code, written) {
        (Ok(code), Ok(())) => code,
        (Err(error), _) | (_, Err(error)) => {
            eprintln!("error: cannot write to stdout: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Lists the deliveries, one line each plus one line per attempt; `filter` is the query (`invoiceId`, `state`).
pub async fn list(
    gateway: &str,
    trust: &tls::Trust,
    filter: &[(&str, String)],
    out: &mut impl Write,
) -> std::io::Result<ExitCode> {
    let client = http_client(trust);
    let answer = client
        .get(format!("{gateway}{DELIVERIES_PATH}"))
        .query(filter)
        .send()
        .await;
    let list: DeliveryList = match read(answer).await {
        Ok(list) => list,
        Err((code, message)) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(code));
        }
    };
    for delivery in &list.deliveries {
        write_delivery(delivery, out)?;
    }
    let count = |state| {
        list.deliveries
            .iter()
            .filter(|delivery| delivery.state == state)
            .count()
    };
    writeln!(
        out,
        "{} deliveries: {} delivered, {} pending, {} dead-lettered",
        list.deliveries.len(),
        count(DeliveryState::Delivered),
        count(DeliveryState::Pending),
        count(DeliveryState::DeadLettered)
    )?;
    Ok(ExitCode::from(EXIT_PASSED))
}

/// Re-sends one delivery now and prints its record.
pub async fn replay(
    gateway: &str,
    trust: &tls::Trust,
    id: &str,
    out: &mut impl Write,
) -> std::io::Result<ExitCode> {
    let client = http_client(trust);
    let answer = client
        .post(format!("{gateway}{}", replay_path(id)))
        .send()
        .await;
    match read::<DeliveryRecord>(answer).await {
        Ok(record) => {
            write_delivery(&record, out)?;
            writeln!(
                out,
                "replay of {} started; `mobile-client deliveries` shows how it ends",
                record.id
            )?;
            Ok(ExitCode::from(EXIT_PASSED))
        }
        Err((code, message)) => {
            eprintln!("error: {message}");
            Ok(ExitCode::from(code))
        }
    }
}

/// `dlv-7  callback  INV-…  delivered  http://…/callback` then `  #1  +0 ms  503  4 ms  {"error":…}`.
fn write_delivery(delivery: &DeliveryRecord, out: &mut impl Write) -> std::io::Result<()> {
    let kind = match delivery.kind {
        sandbox_api::DeliveryKind::Notification => "notification",
        sandbox_api::DeliveryKind::Callback => "callback",
    };
    let state = match delivery.state {
        DeliveryState::Pending => "pending",
        DeliveryState::Delivered => "delivered",
        DeliveryState::DeadLettered => "dead-lettered",
    };
    writeln!(
        out,
        "{}  {kind}  {}  {state}  {}",
        delivery.id, delivery.invoice_id, delivery.url
    )?;
    for attempt in &delivery.attempts {
        let status = attempt
            .status
            .map_or_else(|| "---".to_owned(), |status| status.to_string());
        writeln!(
            out,
            "  #{}  +{} ms  {status}  {} ms  {}",
            attempt.number, attempt.started_after_ms, attempt.latency_ms, attempt.excerpt
        )?;
    }
    Ok(())
}

/// A client trusting `trust` over HTTPS (the default client, should the TLS settings fail to build).
fn http_client(trust: &tls::Trust) -> reqwest::Client {
    trust
        .client_config()
        .ok()
        .and_then(|config| {
            reqwest::Client::builder()
                .tls_backend_preconfigured(config)
                .build()
                .ok()
        })
        .unwrap_or_default()
}

/// The decoded answer, or the exit code and message: unreachable or an untrusted certificate (3), refused or
/// not a sandbox gateway (2).
async fn read<T: serde::de::DeserializeOwned>(
    answer: Result<reqwest::Response, reqwest::Error>,
) -> Result<T, (u8, String)> {
    let response = answer.map_err(|error| {
        let message = match tls::untrusted_certificate(&error) {
            Some(reason) => format!(
                "the gateway presents a certificate that is not trusted: {reason} (add its CA with --ca-file)"
            ),
            None => format!("the gateway cannot be reached: {error}"),
        };
        (EXIT_UNREACHABLE, message)
    })?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|error| (EXIT_UNREACHABLE, format!("broken answer: {error}")))?;
    if !status.is_success() {
        let text = String::from_utf8_lossy(&bytes);
        return Err((
            EXIT_BAD_INPUT,
            format!("the gateway answered HTTP {status}: {text}"),
        ));
    }
    serde_json::from_slice(&bytes).map_err(|error| {
        (
            EXIT_BAD_INPUT,
            format!("not a sandbox gateway's answer: {error}"),
        )
    })
}
