//! The transport flags, shared by the binaries: a server's timeouts and HTTPS (`--tls-cert`/`--tls-key`, or
//! `--tls-self-signed` with `--tls-san` and `--tls-ca-out`), and a client's `--ca-file`. Each binary gets its
//! own copy of a flag group so that its environment variables carry its prefix (`GATEWAY_TLS_CERT`,
//! `PARTY_TLS_CERT`, `MOBILE_CA_FILE`); the logic is in the prefix-free [`ServerTransport`] and [`trust`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where `--tls-self-signed` keeps the local CA when `--tls-ca-out` is not given: the working directory.
pub const DEFAULT_CA_FILE: &str = "connpay-sandbox-ca.pem";

/// A server's timeout and TLS flags, with environment variables named `{prefix}_…`.
macro_rules! server_transport_args {
    ($name:ident, $env:literal) => {
        /// Connection timeouts and HTTPS.
        #[derive(Clone, Debug, Default, clap::Args)]
        pub struct $name {
            /// Milliseconds a connection has to send a complete request head (request line and headers; the
            /// TLS handshake included) from its opening or, kept alive, from its next request's first byte
            /// [default: 10000].
            #[arg(long, env = concat!($env, "_HEADER_READ_TIMEOUT_MS"), value_name = "MS",
                  value_parser = $crate::cli::transport::parse_timeout_ms)]
            pub header_read_timeout_ms: Option<u64>,
            /// Milliseconds from a request's complete head to its answer, body included; later, 408 with the
            /// error body [default: 60000].
            #[arg(long, env = concat!($env, "_REQUEST_TIMEOUT_MS"), value_name = "MS",
                  value_parser = $crate::cli::transport::parse_timeout_ms)]
            pub request_timeout_ms: Option<u64>,
            /// Milliseconds a kept-alive connection may wait for its next request [default: 60000].
            #[arg(long, env = concat!($env, "_IDLE_TIMEOUT_MS"), value_name = "MS",
                  value_parser = $crate::cli::transport::parse_timeout_ms)]
            pub idle_timeout_ms: Option<u64>,
            /// Serve HTTPS on --listen with this PEM certificate chain (the server's certificate first).
            #[arg(long, env = concat!($env, "_TLS_CERT"), value_name = "FILE", requires = "tls_key",
                  conflicts_with = "tls_self_signed")]
            pub tls_cert: Option<PathBuf>,
            /// The PEM private key of --tls-cert.
            #[arg(long, env = concat!($env, "_TLS_KEY"), value_name = "FILE", requires = "tls_cert")]
            pub tls_key: Option<PathBuf>,
            /// Serve HTTPS with a certificate issued at start by a local CA (created once, see
            /// --tls-ca-out) for localhost, 127.0.0.1, ::1, 10.0.2.2 (the Android emulator's host), the
            /// listen address, the public URL's host and every --tls-san.
            #[arg(long, env = concat!($env, "_TLS_SELF_SIGNED"))]
            pub tls_self_signed: bool,
            /// More names (DNS names or IP addresses) for the --tls-self-signed certificate, e.g. the
            /// machine's LAN address for a real phone; repeat or separate with commas.
            #[arg(long, env = concat!($env, "_TLS_SAN"), value_name = "NAME", value_delimiter = ',',
                  requires = "tls_self_signed", value_parser = $crate::cli::transport::parse_san)]
            pub tls_san: Vec<String>,
            /// The local CA's certificate file, to install on a phone or emulator; created with its key
            /// (NAME.key.pem, owner-only) when missing, reused otherwise [default: ./connpay-sandbox-ca.pem].
            #[arg(long, env = concat!($env, "_TLS_CA_OUT"), value_name = "FILE",
                  requires = "tls_self_signed")]
            pub tls_ca_out: Option<PathBuf>,
        }

        impl $name {
            /// The flags without their prefix.
            pub fn options(&self) -> $crate::cli::transport::ServerTransport {
                $crate::cli::transport::ServerTransport {
                    header_read_timeout_ms: self.header_read_timeout_ms,
                    request_timeout_ms: self.request_timeout_ms,
                    idle_timeout_ms: self.idle_timeout_ms,
                    tls_cert: self.tls_cert.clone().zip(self.tls_key.clone()),
                    tls_self_signed: self.tls_self_signed,
                    tls_san: self.tls_san.clone(),
                    tls_ca_out: self.tls_ca_out.clone(),
                }
            }
        }
    };
}

/// A client's `--ca-file`, with the environment variable `{prefix}_CA_FILE`.
macro_rules! client_tls_args {
    ($name:ident, $env:literal) => {
        /// The CAs trusted over HTTPS.
        #[derive(Clone, Debug, Default, clap::Args)]
        pub struct $name {
            /// A PEM file of CA certificates (one or more) to trust over HTTPS besides the public roots, e.g.
            /// the local CA of --tls-self-signed; repeat for several files.
            #[arg(long, env = concat!($env, "_CA_FILE"), value_name = "FILE")]
            pub ca_file: Vec<std::path::PathBuf>,
        }

        impl $name {
            /// The public roots plus every `--ca-file`.
            ///
            /// # Errors
            /// A file that cannot be read or is not PEM certificates: the message names it.
            pub fn trust(&self) -> Result<tls::Trust, String> {
                $crate::cli::transport::trust(&self.ca_file)
            }
        }
    };
}

server_transport_args!(GatewayTransportArgs, "GATEWAY");
server_transport_args!(PartyTransportArgs, "PARTY");
client_tls_args!(GatewayTrustArgs, "GATEWAY");
client_tls_args!(MobileTrustArgs, "MOBILE");

/// The public roots plus the certificates of `ca_files`.
///
/// # Errors
/// A file that cannot be read or is not PEM certificates: `--ca-file FILE: …`.
pub fn trust(ca_files: &[PathBuf]) -> Result<tls::Trust, String> {
    tls::Trust::public()
        .with_ca_files(ca_files)
        .map_err(|error| format!("--ca-file {error}"))
}

/// A server's transport flags, whatever the binary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerTransport {
    /// `--header-read-timeout-ms`.
    pub header_read_timeout_ms: Option<u64>,
    /// `--request-timeout-ms`.
    pub request_timeout_ms: Option<u64>,
    /// `--idle-timeout-ms`.
    pub idle_timeout_ms: Option<u64>,
    /// `--tls-cert` and `--tls-key` (clap requires both or neither).
    pub tls_cert: Option<(PathBuf, PathBuf)>,
    /// `--tls-self-signed`.
    pub tls_self_signed: bool,
    /// `--tls-san`.
    pub tls_san: Vec<String>,
    /// `--tls-ca-out`.
    pub tls_ca_out: Option<PathBuf>,
}

/// The TLS a server was given: its certificate, and what to tell the user about the local CA.
#[derive(Debug, Default)]
pub struct ServedTls {
    /// The certificate to serve with; `None` serves plain HTTP.
    pub tls: Option<tls::ServerTls>,
    /// For `--tls-self-signed`: the names, the CA file and its fingerprint, to print on stderr.
    pub notice: Option<String>,
}

impl ServerTransport {
    /// `https` when a certificate was given, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls_cert.is_some() || self.tls_self_signed {
            "https"
        } else {
            "http"
        }
    }

    /// The defaults of [`server_kit::Timeouts`] with the flags given.
    pub fn timeouts(&self) -> server_kit::Timeouts {
        let mut timeouts = server_kit::Timeouts::default();
        let apply = |value: Option<u64>, slot: &mut Duration| {
            if let Some(millis) = value {
                *slot = Duration::from_millis(millis);
            }
        };
        apply(self.header_read_timeout_ms, &mut timeouts.header_read);
        apply(self.request_timeout_ms, &mut timeouts.request);
        apply(self.idle_timeout_ms, &mut timeouts.idle);
        timeouts
    }

    /// Reads the certificate files, or creates/reads the local CA and issues a certificate for the listen
    /// address, the host of `public_url` and `--tls-san`.
    ///
    /// # Errors
    /// A missing, unreadable or non-PEM file, a key that does not match: the message names the file.
    pub fn load(&self, listen: SocketAddr, public_url: Option<&str>) -> Result<ServedTls, String> {
        if let Some((certificate, key)) = &self.tls_cert {
            let tls =
                tls::ServerTls::from_pem_files(certificate, key).map_err(|e| e.to_string())?;
            return Ok(ServedTls {
                tls: Some(tls),
                notice: None,
            });
        }
        if !self.tls_self_signed {
            return Ok(ServedTls::default());
        }
        let ca_file = self
            .tls_ca_out
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CA_FILE));
        let (ca, created) = tls::LocalCa::load_or_create(&ca_file).map_err(|e| e.to_string())?;
        let public_host = public_url
            .and_then(|url| url::Url::parse(url).ok())
            .and_then(|url| url.host_str().map(str::to_owned));
        let names =
            tls::ServerNames::for_sandbox(listen.ip(), public_host.as_deref(), &self.tls_san);
        let tls = ca
            .issue(&names)
            .and_then(tls::IssuedCertificate::server_tls)
            .map_err(|e| e.to_string())?;
        Ok(ServedTls {
            tls: Some(tls),
            notice: Some(notice(&ca, created, &names)),
        })
    }
}

fn notice(ca: &tls::LocalCa, created: bool, names: &tls::ServerNames) -> String {
    let path = absolute(ca.certificate_path());
    let state = if created { "created" } else { "reused" };
    format!(
        "HTTPS with a certificate for {} issued by the local CA\n\
         local CA certificate ({state}; install it on the phone or emulator): {}\n\
         local CA SHA-256 fingerprint: {}",
        names.as_slice().join(", "),
        path.display(),
        ca.fingerprint()
    )
}

fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}

/// clap value parser for a timeout: 1 ms to one hour.
pub(crate) fn parse_timeout_ms(text: &str) -> Result<u64, String> {
    let millis: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("not a number of milliseconds: {text:?}"))?;
    if (1..=3_600_000).contains(&millis) {
        Ok(millis)
    } else {
        Err(format!("must be from 1 to 3600000 ms, not {millis}"))
    }
}

/// clap value parser for `--tls-san`: a DNS name or an IP address.
pub(crate) fn parse_san(text: &str) -> Result<String, String> {
    let name = text.trim();
    if tls::ServerNames::is_valid(name) {
        Ok(name.to_owned())
    } else {
        Err(format!("{text:?} is neither a DNS name nor an IP address"))
    }
}

#[cfg(test)]
mod tests;
