//! Reading PEM files — certificate chains, CA bundles, private keys — with errors that name the file, and
//! writing the local CA's files (the key readable by its owner only).

use crate::TlsError;
use rustls::pki_types::pem::{PemObject, SectionKind};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Every `CERTIFICATE` block of a PEM file, in order; other blocks (a key next to the chain) are skipped.
///
/// # Errors
/// [`TlsError::Read`] when the file cannot be read, [`TlsError::NotPem`] when it is not PEM or holds no
/// certificate.
pub fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read(path)?;
    let mut certificates = Vec::new();
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(&bytes) {
        let (kind, der) = section.map_err(|error| not_pem(path, &error.to_string()))?;
        if kind == SectionKind::Certificate {
            certificates.push(CertificateDer::from(der));
        }
    }
    if certificates.is_empty() {
        return Err(not_pem(path, "no `BEGIN CERTIFICATE` block in it"));
    }
    Ok(certificates)
}

/// The first private key (PKCS#8, PKCS#1 or SEC1) of a PEM file.
///
/// # Errors
/// [`TlsError::Read`] when the file cannot be read, [`TlsError::NotPem`] when it is not PEM or holds no key.
pub fn read_private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = read(path)?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|error| match error {
        rustls::pki_types::pem::Error::NoItemsFound => {
            not_pem(path, "no `BEGIN … PRIVATE KEY` block in it")
        }
        other => not_pem(path, &other.to_string()),
    })
}

/// Reads a file as text (the local CA's PEM files).
///
/// # Errors
/// [`TlsError::Read`].
pub(crate) fn read_text(path: &Path) -> Result<String, TlsError> {
    std::fs::read_to_string(path).map_err(|source| TlsError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Writes a new file that must not exist yet (two servers starting at once cannot overwrite each other's CA);
/// `private` makes it readable and writable by its owner only (Unix), as a private key must be.
///
/// # Errors
/// [`TlsError::Write`], also when the file already exists.
pub(crate) fn write_new(path: &Path, text: &str, private: bool) -> Result<(), TlsError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let write = |path: &Path| -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = options.open(path)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()
    };
    write(path).map_err(|source| TlsError::Write {
        path: path.to_owned(),
        source,
    })
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_owned(),
        source,
    })
}

fn not_pem(path: &Path, detail: &str) -> TlsError {
    TlsError::NotPem {
        path: PathBuf::from(path),
        detail: detail.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tls-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_file_without_pem_blocks_is_refused_naming_it() {
        let path = temp_file("plain.txt", "not a certificate at all\n");
        let error = read_certificates(&path).unwrap_err().to_string();
        assert!(error.contains("plain.txt"), "{error}");
        assert!(error.contains("no `BEGIN CERTIFICATE`"), "{error}");
        let error = read_private_key(&path).unwrap_err().to_string();
        assert!(
            error.contains("plain.txt") && error.contains("PRIVATE KEY"),
            "{error}"
        );
    }

    #[test]
    fn a_broken_pem_block_and_a_missing_file_are_refused_naming_the_file() {
        let path = temp_file(
            "broken.pem",
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        );
        let error = read_certificates(&path).unwrap_err().to_string();
        assert!(
            error.contains("broken.pem") && error.contains("not PEM"),
            "{error}"
        );
        let missing = std::env::temp_dir().join("tls-files-no-such-file.pem");
        let error = read_certificates(&missing).unwrap_err().to_string();
        assert!(error.contains("tls-files-no-such-file.pem"), "{error}");
        assert!(error.contains("cannot read"), "{error}");
    }
}
