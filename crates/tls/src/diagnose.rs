//! Telling a user why HTTPS failed: [`probe`] connects to a URL (and, for `https://`, completes a handshake
//! trusting a [`Trust`]) before a run starts; [`untrusted_certificate`] finds a certificate refusal in a failed
//! request's error chain.

use crate::Trust;
use rustls::CertificateError;
use rustls::pki_types::ServerName;
use std::error::Error;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Why [`probe`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// No TCP connection (refused, no route, no answer in time, a host that does not resolve).
    #[error("cannot be reached: {0}")]
    Unreachable(String),
    /// The server presented a certificate the client does not trust.
    #[error(
        "presents a certificate for {host} that is not trusted: {reason} (add its CA with --ca-file)"
    )]
    Untrusted {
        /// The host name checked.
        host: String,
        /// Why the certificate was refused.
        reason: String,
    },
    /// The handshake failed for another reason (e.g. the port speaks plain HTTP).
    #[error("fails the TLS handshake ({host}): {reason}")]
    Handshake {
        /// The host name.
        host: String,
        /// rustls's or the socket's reason.
        reason: String,
    },
}

/// Connects to the URL's host and port within `timeout`; for `https://` also completes a TLS handshake
/// trusting `trust`, so an untrusted certificate is reported before any request is sent.
///
/// # Errors
/// [`ProbeError`].
pub async fn probe(url: &url::Url, trust: &Trust, timeout: Duration) -> Result<(), ProbeError> {
    let unreachable = |error: &dyn std::fmt::Display| ProbeError::Unreachable(error.to_string());
    let addrs = url.socket_addrs(|| None).map_err(|e| unreachable(&e))?;
    let tcp = match tokio::time::timeout(timeout, TcpStream::connect(addrs.as_slice())).await {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(error)) => return Err(unreachable(&error)),
        Err(_) => return Err(unreachable(&format!("no answer within {timeout:?}"))),
    };
    if url.scheme() != "https" {
        return Ok(());
    }
    let host = match url.host() {
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        Some(host) => host.to_string(),
        None => return Err(unreachable(&"the URL has no host")),
    };
    let handshake_failed = |reason: String| ProbeError::Handshake {
        host: host.clone(),
        reason,
    };
    let server_name =
        ServerName::try_from(host.clone()).map_err(|error| handshake_failed(error.to_string()))?;
    let config = trust.client_config().map_err(handshake_failed)?;
    let connector = TlsConnector::from(Arc::new(config));
    match tokio::time::timeout(timeout, connector.connect(server_name, tcp)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(match untrusted_certificate(&error) {
            Some(reason) => ProbeError::Untrusted { host, reason },
            None => handshake_failed(error.to_string()),
        }),
        Err(_) => Err(handshake_failed(format!("no handshake within {timeout:?}"))),
    }
}

/// Why the peer's certificate was refused, if that is what `error` (or one of its sources, e.g. a reqwest
/// error) is about.
pub fn untrusted_certificate(error: &(dyn Error + 'static)) -> Option<String> {
    let mut next: Option<&(dyn Error + 'static)> = Some(error);
    while let Some(current) = next {
        if let Some(rustls::Error::InvalidCertificate(reason)) = current.downcast_ref() {
            return Some(in_words(reason));
        }
        // An `io::Error`'s `source()` skips the error it wraps (it returns that error's source): step into it.
        next = match current.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(unsize),
            None => current.source(),
        };
    }
    None
}

/// `&(dyn Error + Send + Sync)` as `&dyn Error`, without an `as`.
fn unsize<'a>(error: &'a (dyn Error + Send + Sync + 'static)) -> &'a (dyn Error + 'static) {
    error
}

/// rustls's reason, led by what it means for a sandbox user.
fn in_words(reason: &CertificateError) -> String {
    let meaning = match reason {
        CertificateError::UnknownIssuer => "signed by a CA this client does not trust",
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            "not issued for this host name"
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => "expired",
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "not valid yet"
        }
        _ => "refused",
    };
    format!("{meaning} ({reason})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_refusal_is_found_behind_an_io_error_and_others_are_not() {
        let refused = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        // As hyper-rustls reports it inside reqwest: an io::Error wrapping an io::Error wrapping rustls's.
        let inner = std::io::Error::new(std::io::ErrorKind::InvalidData, refused);
        let io = std::io::Error::other(inner);
        let reason = untrusted_certificate(&io).expect("a certificate refusal");
        assert!(
            reason.starts_with("signed by a CA this client does not trust"),
            "{reason}"
        );
        let other = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(untrusted_certificate(&other), None);
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable_and_plain_http_passes_without_a_handshake() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let http = url::Url::parse(&format!("http://{address}")).unwrap();
        let trust = Trust::public();
        assert!(probe(&http, &trust, Duration::from_secs(5)).await.is_ok());
        drop(listener);
        let error = probe(&http, &trust, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(matches!(error, ProbeError::Unreachable(_)), "{error}");
    }
}
