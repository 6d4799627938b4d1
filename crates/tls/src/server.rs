//! [`ServerTls`]: the certificate a server presents and the rustls configuration it accepts connections with.

use crate::{TlsError, files};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

/// A server's TLS configuration (HTTP/1.1 only, as the servers speak); a clone shares it.
#[derive(Clone)]
pub struct ServerTls {
    config: Arc<ServerConfig>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerTls(<certificate and key>)")
    }
}

impl ServerTls {
    /// From `--tls-cert FILE --tls-key FILE`: a PEM chain (the server's certificate first, then any
    /// intermediates) and its PEM private key.
    ///
    /// # Errors
    /// A file that cannot be read or is not PEM ([`TlsError::Read`], [`TlsError::NotPem`]), or a key that is
    /// not the certificate's ([`TlsError::Unusable`]).
    pub fn from_pem_files(certificate: &Path, key: &Path) -> Result<Self, TlsError> {
        let chain = files::read_certificates(certificate)?;
        let private_key = files::read_private_key(key)?;
        Self::from_der(chain, private_key).map_err(|detail| TlsError::Unusable {
            certificate: certificate.to_owned(),
            key: key.to_owned(),
            detail,
        })
    }

    /// From a chain and key in memory (a certificate issued by a [`crate::LocalCa`]).
    ///
    /// # Errors
    /// rustls's reason, as text, when the key does not match the certificate or is not supported.
    pub fn from_der(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Self, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| error.to_string())?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|error| match error {
                rustls::Error::InconsistentKeys(_) => {
                    "the private key does not belong to the certificate".to_owned()
                }
                other => other.to_string(),
            })?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            config: Arc::new(config),
        })
    }

    /// The rustls configuration, for `tokio_rustls::TlsAcceptor::from`.
    pub fn config(&self) -> Arc<ServerConfig> {
        Arc::clone(&self.config)
    }
}
