//! `mobile-client deliveries` and `mobile-client replay`: the gateway's delivery log (notifications and
//! callbacks, with every attempt) and re-sending one delivery, over the gateway's sandbox admin paths, with the
//! sandbox token when one is given. The list is read a page at a time, following its cursor.

use crate::cli::mobile::{AdminAccessArgs, DeliveriesArgs, ReplayArgs};
use crate::client::{EXIT_BAD_INPUT, EXIT_PASSED, EXIT_UNREACHABLE};
use sandbox_api::deliveries::MAX_PAGE;
use sandbox_api::paths::{DELIVERIES_PATH, replay_path};
use sandbox_api::{DeliveryList, DeliveryRecord, DeliveryState, SandboxToken};
use std::io::Write;
use std::process::ExitCode;

/// `mobile-client deliveries`: prints the list and returns the exit code.
pub async fn list_command(args: DeliveriesArgs) -> ExitCode {
    let (token, trust) = match access(&args.access) {
        Ok(access) => access,
        Err(code) => return code,
    };
    let filter: Vec<(&str, String)> = [("invoiceId", args.invoice), ("state", args.state)]
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, value)))
        .collect();
    let mut out = Vec::new();
    let code = list(&args.gateway, &trust, &filter, token.as_ref(), &mut out).await;
    print_buffer(code, &out)
}

/// `mobile-client replay`: re-sends one delivery, prints its record and returns the exit code.
pub async fn replay_command(args: ReplayArgs) -> ExitCode {
    let (token, trust) = match access(&args.access) {
        Ok(access) => access,
        Err(code) => return code,
    };
    let mut out = Vec::new();
    let code = replay(&args.gateway, &trust, &args.id, token.as_ref(), &mut out).await;
    print_buffer(code, &out)
}

/// The `--sandbox-token` and the `--ca-file` trust, read; a malformed token (its message without the token)
/// or an unreadable CA file is a usage error (exit 2).
fn access(args: &AdminAccessArgs) -> Result<(Option<SandboxToken>, tls::Trust), ExitCode> {
    let token = args
        .sandbox_token
        .as_deref()
        .map(crate::cli::parse_sandbox_token)
        .transpose()
        .map_err(|error| {
            eprintln!("error: {error}");
            ExitCode::from(EXIT_BAD_INPUT)
        })?;
    let trust = args
        .trust
        .trust()
        .map_err(|error| crate::runtime::usage_error(&error))?;
    Ok((token, trust))
}

/// `request` with `Authorization: Bearer TOKEN` when a token was given.
fn authorised(
    request: reqwest::RequestBuilder,
    token: Option<&SandboxToken>,
) -> reqwest::RequestBuilder {
    match token {
        Some(token) => request.header(reqwest::header::AUTHORIZATION, token.bearer()),
        None => request,
    }
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
/// Follows the list's pages (`cursor`) to the end.
pub async fn list(
    gateway: &str,
    trust: &tls::Trust,
    filter: &[(&str, String)],
    token: Option<&SandboxToken>,
    out: &mut impl Write,
) -> std::io::Result<ExitCode> {
    let deliveries = match all_pages(gateway, trust, filter, token).await {
        Ok(deliveries) => deliveries,
        Err((code, message)) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(code));
        }
    };
    for delivery in &deliveries {
        write_delivery(delivery, out)?;
    }
    let count = |state| {
        deliveries
            .iter()
            .filter(|delivery| delivery.state == state)
            .count()
    };
    writeln!(
        out,
        "{} deliveries: {} delivered, {} pending, {} dead-lettered",
        deliveries.len(),
        count(DeliveryState::Delivered),
        count(DeliveryState::Pending),
        count(DeliveryState::DeadLettered)
    )?;
    Ok(ExitCode::from(EXIT_PASSED))
}

/// Every page of the list, the largest pages the gateway gives, until it names no next cursor.
async fn all_pages(
    gateway: &str,
    trust: &tls::Trust,
    filter: &[(&str, String)],
    token: Option<&SandboxToken>,
) -> Result<Vec<DeliveryRecord>, (u8, String)> {
    let client = http_client(trust);
    let mut deliveries = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = filter.to_vec();
        query.push(("limit", MAX_PAGE.to_string()));
        query.extend(cursor.iter().map(|cursor| ("cursor", cursor.clone())));
        let request = client
            .get(format!("{gateway}{DELIVERIES_PATH}"))
            .query(&query);
        let page: DeliveryList = read(authorised(request, token).send().await).await?;
        deliveries.extend(page.deliveries);
        match page.next_cursor {
            // A cursor that does not move on would loop for ever: not a sandbox gateway's answer.
            Some(next) if Some(&next) == cursor.as_ref() => {
                return Err((
                    EXIT_BAD_INPUT,
                    format!("the gateway repeated the cursor {next}"),
                ));
            }
            Some(next) => cursor = Some(next),
            None => return Ok(deliveries),
        }
    }
}

/// Re-sends one delivery now and prints its record.
pub async fn replay(
    gateway: &str,
    trust: &tls::Trust,
    id: &str,
    token: Option<&SandboxToken>,
    out: &mut impl Write,
) -> std::io::Result<ExitCode> {
    let client = http_client(trust);
    let request = client.post(format!("{gateway}{}", replay_path(id)));
    let answer = authorised(request, token).send().await;
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
    if delivery.earlier_attempts > 0 {
        writeln!(
            out,
            "  … {} earlier attempts not kept",
            delivery.earlier_attempts
        )?;
    }
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
