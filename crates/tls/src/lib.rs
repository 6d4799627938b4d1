//! TLS for the sandbox's three parties, over `rustls` with the `aws-lc-rs` provider (reqwest's default: one
//! provider in every binary, see `docs/decisions.md`, "TLS").
//!
//! - A **server** (gateway, Connecting Party server) serves HTTPS with a [`ServerTls`]: a PEM certificate chain
//!   and key ([`ServerTls::from_pem_files`]), or a certificate issued at start by a [`LocalCa`] for the names a
//!   phone or emulator uses ([`ServerNames`]). The TLS handshake itself happens in `server-kit`.
//! - A **client** (the gateway towards the Connecting Party server, the mobile client towards both) trusts a
//!   [`Trust`]: Mozilla's public roots (compiled in, so a container without a CA bundle works the same) plus
//!   private CAs from `--ca-file` PEM files. [`Trust::client_config`] is handed to reqwest;
//!   [`probe`] checks a server's certificate before a run, and [`untrusted_certificate`] finds the reason
//!   in a failed request's error chain.
//!
//! Every error names the file or the host it is about ([`TlsError`]); nothing here panics or reads the
//! environment.
//!
//! # Layout
//! - [`files`]: reading PEM certificates and keys, writing the CA's files.
//! - `server`: [`ServerTls`], a server's certificate and rustls configuration.
//! - `local_ca`: [`LocalCa`] (a CA kept in two PEM files, created once) and [`ServerNames`].
//! - `trust`: [`Trust`], the roots a client trusts, and its rustls client configuration.
//! - `diagnose`: [`probe`] (a handshake against a URL) and [`untrusted_certificate`].

mod diagnose;
pub mod files;
mod local_ca;
mod server;
mod trust;

pub use diagnose::{ProbeError, probe, untrusted_certificate};
pub use local_ca::{IssuedCertificate, LocalCa, ServerNames};
pub use server::ServerTls;
pub use trust::Trust;

use std::path::PathBuf;

/// Why TLS could not be set up; every variant names the file it is about.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The file cannot be read (missing, no permission…).
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file cannot be written.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not PEM, or holds no block of the kind needed.
    #[error("{}: not PEM: {detail}", path.display())]
    NotPem {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The certificate and the key cannot be used together (the key does not match, an unsupported key…).
    #[error("{} and {}: {detail}", certificate.display(), key.display())]
    Unusable {
        /// The certificate file.
        certificate: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls's reason.
        detail: String,
    },
    /// The local CA's files exist but cannot sign (a key that is not the certificate's, a foreign CA).
    #[error("{}: {detail} (delete it and its key to create a new local CA)", path.display())]
    BadCa {
        /// The CA certificate file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A certificate could not be generated (a name that is neither a DNS name nor an IP address…).
    #[error("cannot generate a certificate: {0}")]
    Generate(String),
}
