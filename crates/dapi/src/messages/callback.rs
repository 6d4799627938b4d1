//! The final-status callback (spec 3.8): an HTTP `GET` with query parameters, signed with `control`.

use crate::ids::{InvoiceId, OrderId};
use crate::signature::{ControlKey, SignatureError, callback_control, verify_callback_control};
use crate::state::CallbackStatus;
use crate::validate::{Validate, Violations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The callback's query parameters (core set of spec 3.8), snake case as on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Callback {
    /// `status`: `approved`, `declined`, `error` or `filtered`.
    pub status: CallbackStatus,
    /// `merchant_order`: the invoice id (spec A15).
    pub merchant_order: InvoiceId,
    /// `client_orderid`: the invoice id.
    #[schemars(length(min = 1, max = 128))]
    pub client_orderid: InvoiceId,
    /// `orderid`: the gateway order id, as in sale status `orderId`.
    #[schemars(length(min = 1, max = 128))]
    pub orderid: OrderId,
    /// `type`: `sale`, or for a card verification `account-verification` (addendum §2.8, V7).
    #[serde(rename = "type")]
    pub kind: String,
    /// `amount`: major units with two decimals, e.g. `10.50`.
    pub amount: String,
    /// `currency`.
    pub currency: String,
    /// `descriptor`: the payment descriptor of the gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub descriptor: Option<String>,
    /// `error_code`: decline code, when not approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u32>,
    /// `error_message`: decline text, when not approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// `control`: SHA-1 of status + orderid + client_orderid + control key, 40 hex digits (either case).
    #[schemars(regex(pattern = "^[0-9A-Fa-f]{40}$"))]
    pub control: String,
}

/// What the gateway knows when it builds a callback.
#[derive(Clone, Debug)]
pub struct CallbackFields {
    /// The final status.
    pub status: CallbackStatus,
    /// The invoice id.
    pub invoice_id: InvoiceId,
    /// The gateway order id.
    pub order_id: OrderId,
    /// `type`: [`crate::Flow::callback_type`] unless the endpoint names its own.
    pub kind: String,
    /// The amount in minor units; 0 for a card verification, which moves no money (addendum §5).
    pub amount_centis: u64,
    /// The currency.
    pub currency: String,
    /// Decline code, when there is one (a failed check sale has a text but no code).
    pub error_code: Option<u32>,
    /// Decline text.
    pub error_message: Option<String>,
}

impl Callback {
    /// Builds a signed callback.
    pub fn sign(fields: CallbackFields, key: &ControlKey) -> Self {
        let control = callback_control(
            key,
            fields.status.as_str(),
            fields.order_id.as_str(),
            fields.invoice_id.as_str(),
        );
        Self {
            status: fields.status,
            merchant_order: fields.invoice_id.clone(),
            client_orderid: fields.invoice_id,
            orderid: fields.order_id,
            kind: fields.kind,
            amount: major_units(fields.amount_centis, &fields.currency),
            currency: fields.currency,
            descriptor: Some("CONNPAY SANDBOX".to_owned()),
            error_code: fields.error_code,
            error_message: fields.error_message,
            control,
        }
    }

    /// Checks `control` against the key.
    ///
    /// # Errors
    /// [`SignatureError::Mismatch`] when `control` is not the SHA-1 of this callback's fields and the key.
    pub fn verify(&self, key: &ControlKey) -> Result<(), SignatureError> {
        verify_callback_control(
            key,
            self.status.as_str(),
            self.orderid.as_str(),
            self.client_orderid.as_str(),
            &self.control,
        )
    }
}

impl Validate for Callback {
    fn validate(&self, v: &mut Violations) {
        v.length("client_orderid", self.client_orderid.as_str(), 1, 128);
        v.length("orderid", self.orderid.as_str(), 1, 128);
        v.sha1_hex("control", &self.control);
    }
}

/// Formats minor units as major units with the currency's decimals (spec A15): `1050 EUR` → `10.50`,
/// `1050 JPY` → `1050`, `1050 KWD` → `1.050`.
pub fn major_units(amount_centis: u64, currency: &str) -> String {
    match minor_unit_digits(currency) {
        0 => amount_centis.to_string(),
        3 => format!("{}.{:03}", amount_centis / 1000, amount_centis % 1000),
        _ => format!("{}.{:02}", amount_centis / 100, amount_centis % 100),
    }
}

/// ISO 4217 minor-unit digits: 0 and 3 for the currencies listed there, 2 for every other.
fn minor_unit_digits(currency: &str) -> u8 {
    const NONE: &[&str] = &[
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
        "VUV", "XAF", "XOF", "XPF",
    ];
    const THREE: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
    if NONE.contains(&currency) {
        0
    } else if THREE.contains(&currency) {
        3
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_matches_the_spec_example_query() {
        let key = ControlKey::parse("3F2A1B4C-5D6E-4F70-8192-A3B4C5D6E7F8").unwrap();
        let fields = CallbackFields {
            status: CallbackStatus::Approved,
            invoice_id: "INV-2024-000042".into(),
            order_id: "5021334".into(),
            kind: "sale".into(),
            amount_centis: 1050,
            currency: "EUR".into(),
            error_code: None,
            error_message: None,
        };
        let callback = Callback::sign(fields, &key);
        assert_eq!(callback.control, "07f460e264201b0f496f588058b1ee4f28fa16ad");
        assert_eq!(callback.amount, "10.50");
        assert_eq!(callback.verify(&key), Ok(()));
        let tampered = Callback {
            status: CallbackStatus::Declined,
            ..callback
        };
        assert_eq!(tampered.verify(&key), Err(SignatureError::Mismatch));
    }

    #[test]
    fn a_verification_callback_matches_the_addendum_example_and_vtv9() {
        let key = ControlKey::parse("8C1D2E3F-4A5B-4C6D-9E7F-0A1B2C3D4E5F").unwrap();
        let fields = CallbackFields {
            status: CallbackStatus::Approved,
            invoice_id: "VER-2024-000107".into(),
            order_id: "5021401".into(),
            kind: crate::Flow::Verification.callback_type().into(),
            amount_centis: 0,
            currency: "USD".into(),
            error_code: None,
            error_message: None,
        };
        let callback = Callback::sign(fields, &key);
        assert_eq!(callback.control, "a2b0e43d661c9f0423163d2ee5440fcd9e888ff8");
        assert_eq!(
            (callback.kind.as_str(), callback.amount.as_str()),
            ("account-verification", "0.00")
        );
        assert_eq!(callback.merchant_order, callback.client_orderid);
        assert_eq!(callback.verify(&key), Ok(()));
    }

    #[test]
    fn amounts_are_major_units_with_the_currency_decimals() {
        assert_eq!(major_units(1050, "EUR"), "10.50");
        assert_eq!(major_units(7, "USD"), "0.07");
        assert_eq!(major_units(100_000, "EUR"), "1000.00");
        assert_eq!(major_units(1050, "JPY"), "1050");
        assert_eq!(major_units(1050, "KWD"), "1.050");
    }
}
