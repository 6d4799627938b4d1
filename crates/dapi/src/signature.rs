//! Signatures of spec section 4: HMAC-SHA1 keyed with the control key (dashes removed, hex-decoded) over
//! documented fields concatenated without separators, and the callback's plain SHA-1 `control`. The card
//! verification (addendum §3) has its own initiate signature ([`VerificationSigned`]); its two check formulas
//! are the sale's ([`CheckSaleSigned`] without a `serverCardId`, [`NotificationSigned`]).

mod verification;

pub use verification::VerificationSigned;

use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};
use std::fmt;
use subtle::ConstantTimeEq;

type HmacSha1 = Hmac<Sha1>;

/// The shared secret of an endpoint (spec 1). `Debug` never shows it.
#[derive(Clone)]
pub struct ControlKey {
    text: Box<str>,
    mac: HmacSha1,
}

impl ControlKey {
    /// Parses a GUID-like control key such as `3F2A1B4C-5D6E-4F70-8192-A3B4C5D6E7F8`.
    ///
    /// # Errors
    /// When the key without dashes is empty, of odd length or not hex (the key itself is not echoed).
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let stripped: String = text.chars().filter(|&c| c != '-').collect();
        if stripped.is_empty() {
            return Err(KeyError::Empty);
        }
        let bytes = hex::decode(&stripped).map_err(|_| KeyError::NotHex)?;
        let mac = HmacSha1::new_from_slice(&bytes).map_err(|_| KeyError::NotHex)?;
        Ok(Self {
            text: text.into(),
            mac,
        })
    }

    fn sign(&self, string_to_sign: &str) -> HmacSha1 {
        let mut mac = self.mac.clone();
        mac.update(string_to_sign.as_bytes());
        mac
    }
}

impl fmt::Debug for ControlKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ControlKey(<redacted>)")
    }
}

/// Why a control key was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Nothing left after removing the dashes.
    #[error("control key is empty")]
    Empty,
    /// Not an even number of hex digits after removing the dashes.
    #[error("control key must be hex digits (dashes allowed)")]
    NotHex,
}

/// Why a received signature was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The received value is not hex.
    #[error("signature is not hex")]
    NotHex,
    /// The received value does not match.
    #[error("signature mismatch")]
    Mismatch,
}

/// A computed HMAC-SHA1; `Display` gives upper-case hex like the reference proxy (spec 4.1).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature([u8; 20]);

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode_upper(self.0))
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({self})")
    }
}

/// Computes the HMAC-SHA1 of a string to sign.
pub fn sign(key: &ControlKey, string_to_sign: &str) -> Signature {
    Signature(key.sign(string_to_sign).finalize().into_bytes().into())
}

/// Verifies a received hex signature, in either letter case, in constant time.
///
/// # Errors
/// [`SignatureError::NotHex`] or [`SignatureError::Mismatch`].
pub fn verify(
    key: &ControlKey,
    string_to_sign: &str,
    received_hex: &str,
) -> Result<(), SignatureError> {
    let received = hex::decode(received_hex).map_err(|_| SignatureError::NotHex)?;
    key.sign(string_to_sign)
        .verify_slice(&received)
        .map_err(|_| SignatureError::Mismatch)
}

/// Fields of the initiate sale `signature` (spec 4.2): accessToken + serialNumber + endpointId + nonce + invoiceId
/// + amountCentis + currency. Also checked by the gateway at perform sale (spec A3).
#[derive(Clone, Copy, Debug)]
pub struct SaleSigned<'a> {
    /// `session.accessToken`.
    pub access_token: &'a str,
    /// `consumer.device.serialNumber`.
    pub serial_number: &'a str,
    /// `endpointId`.
    pub endpoint_id: &'a str,
    /// `session.nonce`.
    pub nonce: &'a str,
    /// `invoiceId`.
    pub invoice_id: &'a str,
    /// `transaction.amountCentis`, rendered in base 10.
    pub amount_centis: u64,
    /// `transaction.currency`.
    pub currency: &'a str,
}

impl SaleSigned<'_> {
    /// The concatenation that is signed; loggable (the key never is).
    pub fn string_to_sign(&self) -> String {
        let Self {
            access_token,
            serial_number,
            endpoint_id,
            nonce,
            invoice_id,
            amount_centis,
            currency,
        } = self;
        format!(
            "{access_token}{serial_number}{endpoint_id}{nonce}{invoice_id}{amount_centis}{currency}"
        )
    }
}

/// Fields of the check sale `checkSignature` (spec 4.2): serialNumber + nonce + endpointId + invoiceId
/// [+ serverCardId, only when present].
#[derive(Clone, Copy, Debug)]
pub struct CheckSaleSigned<'a> {
    /// `consumer.device.serialNumber`.
    pub serial_number: &'a str,
    /// `session.nonce`.
    pub nonce: &'a str,
    /// `endpointId`.
    pub endpoint_id: &'a str,
    /// `invoiceId`.
    pub invoice_id: &'a str,
    /// `sourceOfFunds.reference.serverCardId`, left out of the string when absent.
    pub server_card_id: Option<&'a str>,
}

impl CheckSaleSigned<'_> {
    /// The concatenation that is signed.
    pub fn string_to_sign(&self) -> String {
        let Self {
            serial_number,
            nonce,
            endpoint_id,
            invoice_id,
            server_card_id,
        } = self;
        let server_card_id = server_card_id.unwrap_or_default();
        format!("{serial_number}{nonce}{endpoint_id}{invoice_id}{server_card_id}")
    }
}

/// Fields of the card mapping notification `checkSignature` (spec 4.2): nonce + endpointId + invoiceId.
#[derive(Clone, Copy, Debug)]
pub struct NotificationSigned<'a> {
    /// `session.nonce` from initiate sale.
    pub nonce: &'a str,
    /// `endpointId`.
    pub endpoint_id: &'a str,
    /// `invoiceId`.
    pub invoice_id: &'a str,
}

impl NotificationSigned<'_> {
    /// The concatenation that is signed.
    pub fn string_to_sign(&self) -> String {
        let Self {
            nonce,
            endpoint_id,
            invoice_id,
        } = self;
        format!("{nonce}{endpoint_id}{invoice_id}")
    }
}

/// The callback `control` (spec 3.8): plain SHA-1, lower-case hex, of status + orderid + client_orderid + the
/// control key text *with* its dashes.
pub fn callback_control(
    key: &ControlKey,
    status: &str,
    orderid: &str,
    client_orderid: &str,
) -> String {
    let mut hasher = Sha1::new();
    for part in [status, orderid, client_orderid, &key.text] {
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Verifies a received callback `control`, in either letter case, in constant time.
///
/// # Errors
/// [`SignatureError::Mismatch`] when it differs.
pub fn verify_callback_control(
    key: &ControlKey,
    status: &str,
    orderid: &str,
    client_orderid: &str,
    received: &str,
) -> Result<(), SignatureError> {
    let expected = callback_control(key, status, orderid, client_orderid);
    let received = received.to_ascii_lowercase();
    if bool::from(expected.as_bytes().ct_eq(received.as_bytes())) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "3F2A1B4C-5D6E-4F70-8192-A3B4C5D6E7F8";
    const NONCE: &str = "7f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60";

    fn key() -> ControlKey {
        ControlKey::parse(KEY).unwrap()
    }

    fn check_fields(server_card_id: Option<&str>) -> CheckSaleSigned<'_> {
        CheckSaleSigned {
            serial_number: "SN-ANDROID-0001",
            nonce: NONCE,
            endpoint_id: "1234",
            invoice_id: "INV-2024-000042",
            server_card_id,
        }
    }

    #[test]
    fn initiate_sale_signature_matches_spec_vector_tv1() {
        let fields = SaleSigned {
            access_token: "a3f1c2d4e5b60718293a4b5c6d7e8f90",
            serial_number: "SN-ANDROID-0001",
            endpoint_id: "1234",
            nonce: NONCE,
            invoice_id: "INV-2024-000042",
            amount_centis: 1050,
            currency: "EUR",
        };
        assert_eq!(
            fields.string_to_sign(),
            "a3f1c2d4e5b60718293a4b5c6d7e8f90SN-ANDROID-000112347f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60INV-2024-0000421050EUR"
        );
        assert_eq!(
            sign(&key(), &fields.string_to_sign()).to_string(),
            "2C692B7CBF744A6258EE6AE324A00797D6A2AE9A"
        );
        assert_eq!(
            verify(
                &key(),
                &fields.string_to_sign(),
                "2c692b7cbf744a6258ee6ae324a00797d6a2ae9a"
            ),
            Ok(())
        );
    }

    #[test]
    fn a_mac_keyed_with_the_dashed_text_is_rejected() {
        let fields = SaleSigned {
            access_token: "a3f1c2d4e5b60718293a4b5c6d7e8f90",
            serial_number: "SN-ANDROID-0001",
            endpoint_id: "1234",
            nonce: NONCE,
            invoice_id: "INV-2024-000042",
            amount_centis: 1050,
            currency: "EUR",
        };
        let result = verify(
            &key(),
            &fields.string_to_sign(),
            "d07a219fa86a4d9145be03bb80fc845faa6f1726",
        );
        assert_eq!(result, Err(SignatureError::Mismatch));
        assert_eq!(
            verify(&key(), &fields.string_to_sign(), "not hex"),
            Err(SignatureError::NotHex)
        );
    }

    #[test]
    fn check_sale_signature_matches_spec_vectors_tv2_and_tv3() {
        let first = check_fields(None);
        assert_eq!(
            first.string_to_sign(),
            format!("SN-ANDROID-0001{NONCE}1234INV-2024-000042")
        );
        assert_eq!(
            sign(&key(), &first.string_to_sign()).to_string(),
            "A2D29630F32ECD84F35A1F6032DE4BA35E170788"
        );
        let repeat = check_fields(Some("9876543"));
        assert_eq!(
            repeat.string_to_sign(),
            format!("SN-ANDROID-0001{NONCE}1234INV-2024-0000429876543")
        );
        assert_eq!(
            sign(&key(), &repeat.string_to_sign()).to_string(),
            "FDA9EF534B634C679A037320CB07E0C177A44DB5"
        );
    }

    #[test]
    fn notification_signature_matches_spec_vector_tv4() {
        let fields = NotificationSigned {
            nonce: NONCE,
            endpoint_id: "1234",
            invoice_id: "INV-2024-000042",
        };
        assert_eq!(
            sign(&key(), &fields.string_to_sign()).to_string(),
            "786445D2FF085D0443E3E52FE8556A8B95B071F8"
        );
    }

    #[test]
    fn callback_control_matches_spec_vector_tv5() {
        let control = callback_control(&key(), "approved", "5021334", "INV-2024-000042");
        assert_eq!(control, "07f460e264201b0f496f588058b1ee4f28fa16ad");
        assert_eq!(
            verify_callback_control(
                &key(),
                "approved",
                "5021334",
                "INV-2024-000042",
                &control.to_uppercase()
            ),
            Ok(())
        );
        let declined =
            verify_callback_control(&key(), "declined", "5021334", "INV-2024-000042", &control);
        assert_eq!(declined, Err(SignatureError::Mismatch));
    }

    #[test]
    fn control_keys_are_validated_and_never_shown() {
        assert_eq!(ControlKey::parse("").unwrap_err(), KeyError::Empty);
        assert_eq!(ControlKey::parse("---").unwrap_err(), KeyError::Empty);
        assert_eq!(ControlKey::parse("ABC").unwrap_err(), KeyError::NotHex);
        assert_eq!(ControlKey::parse("XYZW").unwrap_err(), KeyError::NotHex);
        assert!(ControlKey::parse(&KEY.to_lowercase()).is_ok());
        assert_eq!(format!("{:?}", key()), "ControlKey(<redacted>)");
    }
}
