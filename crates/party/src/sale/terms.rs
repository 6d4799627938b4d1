//! [`SaleTerms`]: what initiate sale (spec 3.2) or initiate verification (addendum §2.2) fixed, and the three
//! signatures computed over it (spec 4.2, addendum §3): the initiate `signature` (the verification's has no
//! amount), the check `checkSignature` and the card mapping notification `checkSignature` (the same formulas in
//! both flows).

use dapi::signature::{
    CheckSaleSigned, NotificationSigned, SaleSigned, VerificationSigned, sign, verify,
};
use dapi::{
    AccessToken, ControlKey, Email, EndpointId, Flow, InvoiceId, Nonce, SerialNumber, ServerCardId,
    SignatureHex,
};
use serde::{Deserialize, Serialize};

/// What initiate sale or initiate verification fixed; never changes afterwards. A verification is kept as a sale
/// of flow [`Flow::Verification`] in the same store (addendum V16), with no amount.
///
/// The `signature` is not stored: it is the HMAC of these fields, so check sale recomputes it and compares in
/// constant time and either letter case, which is "request signature == stored signature" (spec 3.4, 4.1).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SaleTerms {
    /// A sale or a card verification; terms kept before verifications existed read as a sale's.
    #[serde(default = "sale_flow")]
    pub(crate) flow: Flow,
    pub(crate) invoice_id: InvoiceId,
    pub(crate) access_token: AccessToken,
    pub(crate) serial_number: SerialNumber,
    /// The e-mail bound to the access token, handed on to a card mapping made in this sale (spec 2.2).
    pub(crate) email: Option<Email>,
    /// 0 for a verification, which moves no money (addendum §5).
    pub(crate) amount_centis: u64,
    pub(crate) currency: String,
    pub(crate) nonce: Nonce,
    pub(crate) endpoint_id: EndpointId,
    /// When initiate sale created it, in milliseconds since the Unix epoch (kept across restarts).
    pub(crate) created_ms: u64,
}

/// The flow of kept terms that name none.
fn sale_flow() -> Flow {
    Flow::Sale
}

impl SaleTerms {
    /// The initiate sale `signature` (spec 4.2), or the initiate verification one (addendum §3).
    pub(crate) fn signature(&self, key: &ControlKey) -> SignatureHex {
        SignatureHex::from(sign(key, &self.string_to_sign()).to_string())
    }

    /// Whether a received `signature` is this sale's, in either letter case (constant time).
    pub(crate) fn signature_matches(&self, key: &ControlKey, received: &SignatureHex) -> bool {
        verify(key, &self.string_to_sign(), received.as_str()).is_ok()
    }

    /// The initiate signature's string: with the amount for a sale, without for a verification.
    fn string_to_sign(&self) -> String {
        let (access_token, serial_number) =
            (self.access_token.as_str(), self.serial_number.as_str());
        let (endpoint_id, nonce) = (self.endpoint_id.as_str(), self.nonce.as_str());
        let (invoice_id, currency) = (self.invoice_id.as_str(), self.currency.as_str());
        match self.flow {
            Flow::Sale => SaleSigned {
                access_token,
                serial_number,
                endpoint_id,
                nonce,
                invoice_id,
                amount_centis: self.amount_centis,
                currency,
            }
            .string_to_sign(),
            Flow::Verification => VerificationSigned {
                access_token,
                serial_number,
                endpoint_id,
                nonce,
                invoice_id,
                currency,
            }
            .string_to_sign(),
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
            flow: Flow::Sale,
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

    #[test]
    fn verification_signatures_match_the_addendum_vectors_vtv1_to_vtv3() {
        let terms = SaleTerms {
            flow: Flow::Verification,
            amount_centis: 0,
            ..spec_terms()
        };
        let key = spec_key();
        let vtv1 = "BE4ECBAF43B68AB16745D81D3D0A276FD0D6C92D";
        assert_eq!(terms.signature(&key).as_str(), vtv1);
        assert!(terms.signature_matches(&key, &vtv1.to_lowercase().into()));
        let sale_tv1 = "2C692B7CBF744A6258EE6AE324A00797D6A2AE9A";
        assert!(!terms.signature_matches(&key, &sale_tv1.into()));
        let vtv2 = "A2D29630F32ECD84F35A1F6032DE4BA35E170788";
        assert_eq!(terms.check_signature(&key, None).as_str(), vtv2);
        let vtv3 = "786445D2FF085D0443E3E52FE8556A8B95B071F8";
        assert_eq!(terms.notification_signature(&key).as_str(), vtv3);
    }
}
