//! [`Trust`]: the certificate authorities a client trusts — Mozilla's public roots (the `webpki-roots` crate,
//! compiled in) plus private CAs read from PEM files — and the rustls client configuration built from them.
//!
//! Why compiled-in roots rather than the platform's store: the container image carries no CA bundle, and a
//! sandbox should trust the same servers on every machine; a private CA (the local one, a company's) is one
//! `--ca-file` away.

use crate::{TlsError, files};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, RootCertStore};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The roots a client trusts; [`Trust::default`] is the public roots alone.
#[derive(Clone, Debug)]
pub struct Trust {
    public_roots: bool,
    extra: Vec<CertificateDer<'static>>,
    files: Vec<PathBuf>,
}

impl Default for Trust {
    fn default() -> Self {
        Self::public()
    }
}

impl Trust {
    /// Mozilla's public roots.
    pub fn public() -> Self {
        Self {
            public_roots: true,
            extra: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Only these CA certificates, no public roots (tests, and checking the local CA).
    pub fn only(certificates: Vec<CertificateDer<'static>>) -> Self {
        Self {
            public_roots: false,
            extra: certificates,
            files: Vec::new(),
        }
    }

    /// Adds every certificate of a PEM file (`--ca-file`, one or more certificates) as a trusted root.
    ///
    /// # Errors
    /// A file that cannot be read, is not PEM, holds no certificate, or holds one that cannot be a root.
    pub fn with_ca_file(mut self, path: &Path) -> Result<Self, TlsError> {
        let certificates = files::read_certificates(path)?;
        let mut check = RootCertStore::empty();
        for (index, certificate) in certificates.iter().enumerate() {
            check
                .add(certificate.clone())
                .map_err(|error| TlsError::NotPem {
                    path: path.to_owned(),
                    detail: format!("certificate {} cannot be a root: {error}", index + 1),
                })?;
        }
        self.extra.extend(certificates);
        self.files.push(path.to_owned());
        Ok(self)
    }

    /// [`Trust::with_ca_file`] for each file.
    ///
    /// # Errors
    /// As [`Trust::with_ca_file`], for the first file that fails.
    pub fn with_ca_files(self, paths: &[PathBuf]) -> Result<Self, TlsError> {
        paths
            .iter()
            .try_fold(self, |trust, path| trust.with_ca_file(path))
    }

    /// The `--ca-file` files added, for messages.
    pub fn ca_files(&self) -> &[PathBuf] {
        &self.files
    }

    /// A rustls client configuration trusting these roots, HTTP/1.1 only; for reqwest's
    /// `tls_backend_preconfigured`.
    ///
    /// # Errors
    /// Only if the crypto provider offered no protocol version (it always does): the reason as text.
    pub fn client_config(&self) -> Result<ClientConfig, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| error.to_string())?
            .with_root_certificates(self.root_store())
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }

    /// Checks a server certificate chain for `name` as a client trusting these roots would; the reason as text.
    pub(crate) fn verify(
        &self,
        leaf: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &str,
    ) -> Result<(), String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(self.root_store()), provider)
                .build()
                .map_err(|error| error.to_string())?;
        let server_name =
            ServerName::try_from(name.to_owned()).map_err(|error| format!("{name}: {error}"))?;
        verifier
            .verify_server_cert(leaf, intermediates, &server_name, &[], UnixTime::now())
            .map(drop)
            .map_err(|error| format!("{name}: {error}"))
    }

    fn root_store(&self) -> RootCertStore {
        let mut store = if self.public_roots {
            RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned())
        } else {
            RootCertStore::empty()
        };
        // Each was checked in `with_ca_file` (or issued by us): nothing is left out here.
        let (_added, _ignored) = store.add_parsable_certificates(self.extra.iter().cloned());
        store
    }
}
