//! Command lines of the three binaries. Every server flag is also an environment variable; control keys are
//! hidden from `--help` and parsed after clap, so no error message ever echoes them. The transport flags
//! (timeouts, HTTPS, `--ca-file`) are one group per binary in [`transport`].

pub mod gateway;
pub mod load;
pub mod mobile;
pub mod party;
pub mod targets;
pub mod transport;

use dapi::ControlKey;

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
