//! The card verification's initiate `signature` (addendum §3) and the addendum's test vectors VTV-1…VTV-9,
//! which also pin down that its two check formulas are the sale's.

/// Fields of the initiate verification `signature` (addendum §2.2, §3): accessToken, serialNumber, endpointId,
/// nonce, invoiceId and currency, concatenated — no amount, since a verification moves no money. Also checked by
/// the gateway at perform validation when it knows the currency (addendum V9).
#[derive(Clone, Copy, Debug)]
pub struct VerificationSigned<'a> {
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
    /// `transaction.currency`.
    pub currency: &'a str,
}

impl VerificationSigned<'_> {
    /// The concatenation that is signed; loggable (the key never is).
    pub fn string_to_sign(&self) -> String {
        let Self {
            access_token,
            serial_number,
            endpoint_id,
            nonce,
            invoice_id,
            currency,
        } = self;
        format!("{access_token}{serial_number}{endpoint_id}{nonce}{invoice_id}{currency}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::{
        CheckSaleSigned, ControlKey, NotificationSigned, SaleSigned, SignatureError,
        callback_control, sign, verify,
    };
    use super::*;

    /// Set A: the inputs of `dapi-sale.md` §4.3.
    const KEY_A: &str = "3F2A1B4C-5D6E-4F70-8192-A3B4C5D6E7F8";
    const NONCE_A: &str = "7f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60";
    /// Set B: the examples of addendum §2.
    const KEY_B: &str = "8C1D2E3F-4A5B-4C6D-9E7F-0A1B2C3D4E5F";
    const TOKEN_B: &str = "Zq7Rt2Wv9Xy4Ab6Cd8Ef0Gh1Ij3Kl5Mn7Op9Qr2St4Uv6Wx8Yz0AaBbCcDdEeFfG";
    const NONCE_B: &str = "Nq4Lm8Pz2Rx6Tv0Wb3Yd7Fh1Jk5Ns9Qc";

    fn key(text: &str) -> ControlKey {
        ControlKey::parse(text).unwrap()
    }

    fn set_a(currency: &str) -> VerificationSigned<'_> {
        VerificationSigned {
            access_token: "a3f1c2d4e5b60718293a4b5c6d7e8f90",
            serial_number: "SN-ANDROID-0001",
            endpoint_id: "1234",
            nonce: NONCE_A,
            invoice_id: "INV-2024-000042",
            currency,
        }
    }

    fn set_b() -> VerificationSigned<'static> {
        VerificationSigned {
            access_token: TOKEN_B,
            serial_number: "SN-IOS-0042",
            endpoint_id: "5678",
            nonce: NONCE_B,
            invoice_id: "VER-2024-000107",
            currency: "USD",
        }
    }

    #[test]
    fn initiate_verification_signatures_match_vtv1_and_vtv4() {
        let vtv1 = set_a("EUR");
        let text = vtv1.string_to_sign();
        assert_eq!(text.chars().count(), 117);
        assert_eq!(
            text,
            "a3f1c2d4e5b60718293a4b5c6d7e8f90SN-ANDROID-000112347f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60INV-2024-000042EUR"
        );
        let signature = sign(&key(KEY_A), &text).to_string();
        assert_eq!(signature, "BE4ECBAF43B68AB16745D81D3D0A276FD0D6C92D");
        assert_eq!(
            verify(&key(KEY_A), &text, &signature.to_lowercase()),
            Ok(())
        );
        let vtv4 = set_b().string_to_sign();
        assert_eq!(vtv4.chars().count(), 129);
        assert_eq!(
            vtv4,
            format!("{TOKEN_B}SN-IOS-00425678{NONCE_B}VER-2024-000107USD")
        );
        assert_eq!(
            sign(&key(KEY_B), &vtv4).to_string(),
            "9435DB3B3B091721D5FD861E5FDBB192CD589EFD"
        );
    }

    #[test]
    fn a_verifier_rejects_the_negative_controls_of_vtv1() {
        let text = set_a("EUR").string_to_sign();
        let received = "BE4ECBAF43B68AB16745D81D3D0A276FD0D6C92D";
        // With the amount of sale TV-1 before the currency: the sale's signature, not the verification's.
        let with_amount = SaleSigned {
            access_token: "a3f1c2d4e5b60718293a4b5c6d7e8f90",
            serial_number: "SN-ANDROID-0001",
            endpoint_id: "1234",
            nonce: NONCE_A,
            invoice_id: "INV-2024-000042",
            amount_centis: 1050,
            currency: "EUR",
        };
        let sale = sign(&key(KEY_A), &with_amount.string_to_sign()).to_string();
        assert_eq!(sale, "2C692B7CBF744A6258EE6AE324A00797D6A2AE9A");
        assert_eq!(
            verify(&key(KEY_A), &text, &sale),
            Err(SignatureError::Mismatch)
        );
        let zero = set_a("0EUR").string_to_sign();
        assert_eq!(
            sign(&key(KEY_A), &zero).to_string(),
            "ABEAB5284FCA41B0A29C32B149B046EBA74F7F75"
        );
        let dashed = "C61F8FB5ECBFF9550E71019BCF90BD6E68CCB428";
        assert_eq!(
            verify(&key(KEY_A), &text, dashed),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify(&key(KEY_A), &text, received), Ok(()));
    }

    #[test]
    fn the_check_formulas_are_the_sales_vtv2_vtv3_vtv5_vtv6() {
        let check = |serial, nonce, endpoint_id, invoice_id| CheckSaleSigned {
            serial_number: serial,
            nonce,
            endpoint_id,
            invoice_id,
            server_card_id: None,
        };
        let notification = |nonce, endpoint_id, invoice_id| NotificationSigned {
            nonce,
            endpoint_id,
            invoice_id,
        };
        let vtv2 = check("SN-ANDROID-0001", NONCE_A, "1234", "INV-2024-000042");
        assert_eq!(
            sign(&key(KEY_A), &vtv2.string_to_sign()).to_string(),
            "A2D29630F32ECD84F35A1F6032DE4BA35E170788"
        );
        let vtv3 = notification(NONCE_A, "1234", "INV-2024-000042");
        assert_eq!(
            sign(&key(KEY_A), &vtv3.string_to_sign()).to_string(),
            "786445D2FF085D0443E3E52FE8556A8B95B071F8"
        );
        let vtv5 = check("SN-IOS-0042", NONCE_B, "5678", "VER-2024-000107");
        assert_eq!(
            vtv5.string_to_sign(),
            format!("SN-IOS-0042{NONCE_B}5678VER-2024-000107")
        );
        assert_eq!(
            sign(&key(KEY_B), &vtv5.string_to_sign()).to_string(),
            "4B337C88ED3BCA0ABDB030CDB112E3443D70F9AD"
        );
        let vtv6 = notification(NONCE_B, "5678", "VER-2024-000107");
        assert_eq!(
            sign(&key(KEY_B), &vtv6.string_to_sign()).to_string(),
            "C2D1AE3D747E1D4C365A673B3AE885D4C5F7C188"
        );
    }

    #[test]
    fn the_repeat_sale_by_a_verified_card_matches_vtv7_and_vtv8() {
        let nonce = "Hs3Kd9Lp1Qw5Er7Ty2Ui4Op6As8Df0Gj";
        let vtv7 = SaleSigned {
            access_token: TOKEN_B,
            serial_number: "SN-IOS-0042",
            endpoint_id: "5678",
            nonce,
            invoice_id: "INV-2024-000043",
            amount_centis: 2500,
            currency: "USD",
        };
        assert_eq!(
            sign(&key(KEY_B), &vtv7.string_to_sign()).to_string(),
            "2F497C041981E3D5AF6BB50F19453F1D5E5FD85B"
        );
        let vtv8 = CheckSaleSigned {
            serial_number: "SN-IOS-0042",
            nonce,
            endpoint_id: "5678",
            invoice_id: "INV-2024-000043",
            server_card_id: Some("9876544"),
        };
        assert_eq!(
            vtv8.string_to_sign(),
            format!("SN-IOS-0042{nonce}5678INV-2024-0000439876544")
        );
        assert_eq!(
            sign(&key(KEY_B), &vtv8.string_to_sign()).to_string(),
            "642838FDDCC08F504FB053BD8F269B89C38BDE1C"
        );
        let without = CheckSaleSigned {
            server_card_id: None,
            ..vtv8
        };
        assert_eq!(
            sign(&key(KEY_B), &without.string_to_sign()).to_string(),
            "27551245718F2D56941D87609281BB974662B2AE"
        );
    }

    #[test]
    fn the_verification_callback_control_matches_vtv9() {
        let control = callback_control(&key(KEY_B), "approved", "5021401", "VER-2024-000107");
        assert_eq!(control, "a2b0e43d661c9f0423163d2ee5440fcd9e888ff8");
    }
}
