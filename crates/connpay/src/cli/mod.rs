//! Command lines of the three binaries. Every server flag is also an environment variable; control keys and
//! sandbox tokens are hidden from `--help` and parsed after clap, so no error message ever echoes them. The
//! transport flags (timeouts, HTTPS, `--ca-file`) are one group per binary in [`transport`].

pub mod demo;
pub mod gateway;
pub mod healthcheck;
pub mod load;
pub mod mobile;
pub mod party;
pub mod targets;
pub mod transport;

use dapi::ControlKey;
use sandbox_api::SandboxToken;
use server_kit::ControlPlane;

/// clap value parser for control keys: the error names the rule, never the key.
pub(crate) fn parse_control_key(text: &str) -> Result<ControlKey, String> {
    ControlKey::parse(text).map_err(|error| format!("--control-key: {error}"))
}

/// clap value parser for a base URL: must parse, must be http(s); the trailing slash is dropped.
pub(crate) fn parse_base_url(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text).map_err(|error| format!("not a URL: {error}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must start with http:// or https://".to_owned());
    }
    Ok(text.trim_end_matches('/').to_owned())
}

/// Reads a sandbox token given as text; the error names the rule, never the token.
///
/// # Errors
/// When the token is too short, too long or holds spaces or non-ASCII characters.
pub fn parse_sandbox_token(text: &str) -> Result<SandboxToken, String> {
    SandboxToken::parse(text).map_err(|error| format!("--sandbox-token: {error}"))
}

/// The control plane the server flags ask for: off with `--no-sandbox-controls`, protected with
/// `--sandbox-token`, open otherwise.
pub(crate) fn control_plane(token: Option<&str>, off: bool) -> Result<ControlPlane, String> {
    match (token, off) {
        (_, true) => Ok(ControlPlane::Off),
        (Some(text), false) => parse_sandbox_token(text).map(ControlPlane::Protected),
        (None, false) => Ok(ControlPlane::Open),
    }
}

/// The message journal's bounds from its two flags.
pub(crate) fn journal_limits(entries: usize, max_mib: u16) -> journal::JournalLimits {
    journal::JournalLimits {
        max_entries: entries,
        max_bytes: usize::from(max_mib).saturating_mul(1024 * 1024),
    }
}
