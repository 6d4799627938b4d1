//! [`LocalCa`]: the sandbox's own certificate authority for `--tls-self-signed`, kept in two PEM files (the
//! certificate, to install on a phone or emulator, and its key beside it, owner-only) and created once, so a
//! device that trusts it keeps trusting it across restarts. Each start issues a fresh server certificate
//! for the [`ServerNames`].

use crate::{ServerTls, TlsError, files};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use time::{Duration, OffsetDateTime};

/// The CA certificate's common name, also how it shows in a phone's list of installed certificates.
const CA_NAME: &str = "connpay-sandbox local CA";
/// Apple accepts server certificates of a user-installed CA valid for at most 825 days; 397 keeps within the
/// stricter public limit (398) too. A restart issues a new one anyway.
const SERVER_VALIDITY_DAYS: i64 = 397;
const CA_VALIDITY_DAYS: i64 = 3650;

/// The names a server certificate is issued for, in order, without repeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerNames(Vec<String>);

impl ServerNames {
    /// `localhost`, `127.0.0.1`, `::1`, `10.0.2.2` (the host as the Android emulator sees it), the listening
    /// address when it is a specific one, the host of the public URL, then `extra` (`--tls-san`).
    pub fn for_sandbox(listen: IpAddr, public_host: Option<&str>, extra: &[String]) -> Self {
        let mut names = Self(Vec::new());
        for name in ["localhost", "127.0.0.1", "::1", "10.0.2.2"] {
            names.push(name);
        }
        if !listen.is_unspecified() {
            names.push(&listen.to_string());
        }
        if let Some(host) = public_host {
            names.push(host.trim_start_matches('[').trim_end_matches(']'));
        }
        for name in extra {
            names.push(name);
        }
        names
    }

    /// The names, in order.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// Whether `name` can go in a certificate: an IP address or a DNS name (`--tls-san` checks it).
    pub fn is_valid(name: &str) -> bool {
        ServerName::try_from(name).is_ok() || name.parse::<IpAddr>().is_ok()
    }

    fn push(&mut self, name: &str) {
        let name = name.to_ascii_lowercase();
        if !self.0.contains(&name) {
            self.0.push(name);
        }
    }
}

/// A certificate chain (server certificate, then the CA) and its private key.
#[derive(Debug)]
pub struct IssuedCertificate {
    /// The server's certificate, then the CA's.
    pub chain: Vec<CertificateDer<'static>>,
    /// The server certificate's private key.
    pub key: PrivateKeyDer<'static>,
}

impl IssuedCertificate {
    /// The server configuration presenting this certificate.
    ///
    /// # Errors
    /// [`TlsError::Generate`] should rustls refuse the generated key (it does not).
    pub fn server_tls(self) -> Result<ServerTls, TlsError> {
        ServerTls::from_der(self.chain, self.key).map_err(TlsError::Generate)
    }
}

/// The local CA: its certificate (PEM and DER), the file it is in, and its signing key.
pub struct LocalCa {
    certificate_path: PathBuf,
    certificate_pem: String,
    certificate_der: CertificateDer<'static>,
    key: KeyPair,
}

impl std::fmt::Debug for LocalCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalCa")
            .field("certificate_path", &self.certificate_path)
            .finish_non_exhaustive()
    }
}

impl LocalCa {
    /// Where the key of the CA certificate at `certificate` is kept: `NAME.key.pem` beside `NAME.pem`.
    pub fn key_path(certificate: &Path) -> PathBuf {
        let stem = certificate
            .file_stem()
            .map_or_else(|| "ca".into(), |stem| stem.to_string_lossy().into_owned());
        certificate.with_file_name(format!("{stem}.key.pem"))
    }

    /// Reads the CA at `certificate` (and its key, [`LocalCa::key_path`]), or creates both files when neither
    /// exists. The flag says whether it was created.
    ///
    /// # Errors
    /// A file that cannot be read or written, one of the two without the other, or files that are not a CA
    /// this code can sign with ([`TlsError::BadCa`]).
    pub fn load_or_create(certificate: &Path) -> Result<(Self, bool), TlsError> {
        let key_path = Self::key_path(certificate);
        match (certificate.exists(), key_path.exists()) {
            (false, false) => Self::create(certificate, &key_path).map(|ca| (ca, true)),
            (true, true) => Self::load(certificate, &key_path).map(|ca| (ca, false)),
            (true, false) => Err(bad_ca(certificate, "its key file is missing")),
            (false, true) => Err(bad_ca(
                certificate,
                &format!("it is missing while {} exists", key_path.display()),
            )),
        }
    }

    /// The CA certificate's file.
    pub fn certificate_path(&self) -> &Path {
        &self.certificate_path
    }

    /// The CA certificate, PEM.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// The CA certificate, DER.
    pub fn certificate_der(&self) -> &CertificateDer<'static> {
        &self.certificate_der
    }

    /// SHA-256 of the CA certificate, as phones and `openssl x509 -fingerprint -sha256` show it
    /// (`AB:CD:…`, upper-case).
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.certificate_der.as_ref());
        digest
            .iter()
            .map(|byte| format!("{byte:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// A fresh server certificate for `names`, signed by this CA, checked to chain to the CA's file.
    ///
    /// # Errors
    /// [`TlsError::Generate`] for a name that cannot go in a certificate; [`TlsError::BadCa`] when the CA's
    /// files do not belong together.
    pub fn issue(&self, names: &ServerNames) -> Result<IssuedCertificate, TlsError> {
        let generate = |error: rcgen::Error| TlsError::Generate(error.to_string());
        let mut params = CertificateParams::default();
        params.subject_alt_names = names
            .as_slice()
            .iter()
            .map(|name| match name.parse::<IpAddr>() {
                Ok(ip) => Ok(SanType::IpAddress(ip)),
                Err(_) => name.clone().try_into().map(SanType::DnsName),
            })
            .collect::<Result<_, _>>()
            .map_err(generate)?;
        let common_name = names.as_slice().first().map_or("localhost", String::as_str);
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::hours(1);
        params.not_after = now + Duration::days(SERVER_VALIDITY_DAYS);
        let server_key = KeyPair::generate().map_err(generate)?;
        let issuer = Issuer::new(ca_params(now), &self.key);
        let certificate = params.signed_by(&server_key, &issuer).map_err(generate)?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let issued = IssuedCertificate {
            chain: vec![certificate.der().clone(), self.certificate_der.clone()],
            key,
        };
        self.check_chains(&issued, names)?;
        Ok(issued)
    }

    fn create(certificate: &Path, key_path: &Path) -> Result<Self, TlsError> {
        let generate = |error: rcgen::Error| TlsError::Generate(error.to_string());
        let key = KeyPair::generate().map_err(generate)?;
        let ca = ca_params(OffsetDateTime::now_utc())
            .self_signed(&key)
            .map_err(generate)?;
        // The key first: a certificate without its key would make the next start refuse both.
        files::write_new(key_path, &key.serialize_pem(), true)?;
        files::write_new(certificate, &ca.pem(), false)?;
        tracing::info!(path = %certificate.display(), "created a local CA");
        Ok(Self {
            certificate_path: certificate.to_owned(),
            certificate_pem: ca.pem(),
            certificate_der: ca.der().clone(),
            key,
        })
    }

    fn load(certificate: &Path, key_path: &Path) -> Result<Self, TlsError> {
        let certificate_der = files::read_certificates(certificate)?
            .into_iter()
            .next()
            .ok_or_else(|| bad_ca(certificate, "no certificate in it"))?;
        let key_text = files::read_text(key_path)?;
        let key = KeyPair::from_pem(&key_text).map_err(|error| TlsError::NotPem {
            path: key_path.to_owned(),
            detail: error.to_string(),
        })?;
        Ok(Self {
            certificate_path: certificate.to_owned(),
            certificate_pem: files::read_text(certificate)?,
            certificate_der,
            key,
        })
    }

    /// A device will check the server certificate against the CA file, not against the key we signed with:
    /// check the same way, so a CA file and key that do not belong together fail here, at start.
    fn check_chains(
        &self,
        issued: &IssuedCertificate,
        names: &ServerNames,
    ) -> Result<(), TlsError> {
        let Some((leaf, intermediates)) = issued.chain.split_first() else {
            return Err(TlsError::Generate("empty chain".to_owned()));
        };
        let trust = crate::Trust::only(vec![self.certificate_der.clone()]);
        for name in names.as_slice() {
            trust
                .verify(leaf, intermediates, name)
                .map_err(|reason| bad_ca(&self.certificate_path, &reason))?;
        }
        Ok(())
    }
}

/// The CA's parameters. The same every time (but for the dates, which only the self-signed certificate
/// carries), so that a CA read back from its files signs certificates whose issuer is that file's subject.
fn ca_params(now: OffsetDateTime) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, CA_NAME);
    name.push(DnType::OrganizationName, "connpay-sandbox");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(CA_VALIDITY_DAYS);
    params
}

fn bad_ca(path: &Path, detail: &str) -> TlsError {
    TlsError::BadCa {
        path: path.to_owned(),
        detail: detail.to_owned(),
    }
}

#[cfg(test)]
mod tests;
