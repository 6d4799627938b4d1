//! [`SaleTerms`]: what initiate sale fixed (spec 3.2), and the three signatures computed over it (spec 4.2): the
//! initiate sale `signature`, the check sale `checkSignature` and the card mapping notification `checkSignature`.

use dapi::signature::{CheckSaleSigned, NotificationSigned, SaleSigned, sign, verify};
use dapi::{
    AccessToken, ControlKey, Email, EndpointId, InvoiceId, Nonce, SerialNumber, ServerCardId,
    SignatureHex,
};
use serde::{Deserialize, Serialize};

/// What initiate sale fixed; never changes afterwards.
///
/// The `signature` is not stored: it is the HMAC of these fields, so check sale recomputes it and compares in
/// constant time and either letter case, which is "request signature == stored signature" (spec 3.4, 4.1).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SaleTerms {
    pub(crate) invoice_id: InvoiceId,
    pub(crate) access_token: AccessToken,
    pub(crate) serial_number: SerialNumber,
    /// The e-mail bound to the access token, handed on to a card mapping made in this sale (spec 2.2).
    pub(crate) email: Option<Email>,
    pub(crate) amount_centis: u64,
    pub(crate) currency: String,
    pub(crate) nonce: Nonce,
    pub(crate) endpoint_id: EndpointId,
    /// When initiate sale created it, in milliseconds since the Unix epoch (kept across restarts).
    pub(crate) created_ms: u64,
}

impl SaleTerms {
    /// The initiate sale `signature` (spec 4.2).
    pub(crate) fn signature(&self, key: &ControlKey) -> SignatureHex {
        SignatureHex::from(sign(key, &self.sale_signed().string_to_sign()).to_string())
    }

    /// Whether a received `signature` is this sale's, in either letter case (constant time).
    pub(crate) fn signature_matches(&self, key: &ControlKey, received: &SignatureHex) -> bool {
        verify(key, &self.sale_signed().string_to_sign(), received.as_str()).is_ok()
    }

    fn sale_signed(&self) -> SaleSigned<'_> {
        SaleSigned {
            access_token: self.access_token.as_str(),
            serial_number: self.serial_number.as_str(),
            endpoint_id: self.endpoint_id.as_str(),
            nonce: self.nonce.as_str(),
            invoice_id: self.invoice_id.as_str(),
            amount_centis: self.amount_centis,
            currency: &self.currency,
        }
    }

    /// The check sale `checkSignature` over the stored serial number and nonce (spec 4.2).
    pub(crate) fn check_signature(
        &self,
        key: &ControlKey,
        server_card_id: Option<&ServerCardId>,
    ) -> SignatureHex {
        let fields = CheckSaleSigned {
            serial_number: self.serial_number.as_str(),
            nonce: self.nonce.as_str(),
            endpoint_id: self.endpoint_id.as_str(),
            invoice_id: self.invoice_id.as_str(),
            server_card_id: server_card_id.map(ServerCardId::as_str),
        };
        SignatureHex::from(sign(key, &fields.string_to_sign()).to_string())
    }

    /// The card mapping notification `checkSignature` (spec 4.2).
    pub(crate) fn notification_signature(&self, key: &ControlKey) -> SignatureHex {
        let fields = NotificationSigned {
            nonce: self.nonce.as_str(),
            endpoint_id: self.endpoint_id.as_str(),
            invoice_id: self.invoice_id.as_str(),
        };
        SignatureHex::from(sign(key, &fields.string_to_sign()).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONCE: &str = "7f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60";

    fn spec_terms() -> SaleTerms {
        SaleTerms {
            invoice_id: "INV-2024-000042".into(),
            access_token: "a3f1c2d4e5b60718293a4b5c6d7e8f90".into(),
            serial_number: "SN-ANDROID-0001".into(),
            email: None,
            amount_centis: 1050,
            currency: "EUR".into(),
            nonce: NONCE.into(),
            endpoint_id: "1234".into(),
            created_ms: 0,
        }
    }

    fn spec_key() -> ControlKey {
        ControlKey::parse(dapi::SANDBOX_CONTROL_KEY).unwrap()
    }

    #[test]
    fn sale_signatures_match_the_spec_vectors_tv1_to_tv4() {
        let (terms, key) = (spec_terms(), spec_key());
        let tv1 = "2C692B7CBF744A6258EE6AE324A00797D6A2AE9A";
        assert_eq!(terms.signature(&key).as_str(), tv1);
        let tv2 = "A2D29630F32ECD84F35A1F6032DE4BA35E170788";
        assert_eq!(terms.check_signature(&key, None).as_str(), tv2);
        let tv3 = "FDA9EF534B634C679A037320CB07E0C177A44DB5";
        let server_card_id = ServerCardId::from("9876543");
        assert_eq!(
            terms.check_signature(&key, Some(&server_card_id)).as_str(),
            tv3
        );
        let tv4 = "786445D2FF085D0443E3E52FE8556A8B95B071F8";
        assert_eq!(terms.notification_signature(&key).as_str(), tv4);
    }
}
