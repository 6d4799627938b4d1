//! Verification status (addendum §2.5): `POST {dapi}/verification/{endpointId}/{invoiceId}/status`. The request is
//! sale status's; the answer is sale status's without `orderId` and `transaction` (V11), with the same rules.

use super::super::common::TokenOnly;
use super::super::status::{SaleStatusRequest, SaleStatusResponse};
use crate::ids::InvoiceId;
use crate::state::{AuthStatus, SaleState};
use crate::validate::{Validate, Violations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `{"session":{"accessToken","token"}}`, sale status's request.
pub type VerificationStatusRequest = SaleStatusRequest;

/// Verification status success response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("allOf" = [
    {"if": {"properties": {"state": {"enum": ["APPROVED", "DECLINED"]}}},
     "then": {"required": ["bankOrderId"]}},
    {"if": {"properties": {"state": {"const": "REDIRECT_REQUEST"}}},
     "then": {"required": ["redirectUrl"]}}
]))]
pub struct VerificationStatusResponse {
    /// The verification.
    pub invoice_id: InvoiceId,
    /// `session.token`.
    pub session: TokenOnly,
    /// `state`: the sale's values (addendum §2.5).
    pub state: SaleState,
    /// `bankOrderId`: present in `APPROVED` and `DECLINED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub bank_order_id: Option<String>,
    /// `redirectUrl`: present in `REDIRECT_REQUEST`, at most 128 chars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub redirect_url: Option<String>,
    /// `errorCode`: decline reason code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u32>,
    /// `errorMessage`: decline reason text, at most 128 chars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub error_message: Option<String>,
    /// `secure3DAuthStatus`.
    #[serde(
        rename = "secure3DAuthStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub secure_3d_auth_status: Option<AuthStatus>,
    /// `randomSumAuthStatus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_sum_auth_status: Option<AuthStatus>,
}

/// A sale status body as the verification's: `orderId` and `transaction` left out (V11).
impl From<SaleStatusResponse> for VerificationStatusResponse {
    fn from(status: SaleStatusResponse) -> Self {
        Self {
            invoice_id: status.invoice_id,
            session: status.session,
            state: status.state,
            bank_order_id: status.bank_order_id,
            redirect_url: status.redirect_url,
            error_code: status.error_code,
            error_message: status.error_message,
            secure_3d_auth_status: status.secure_3d_auth_status,
            random_sum_auth_status: status.random_sum_auth_status,
        }
    }
}

/// The verification's body as a sale status without `orderId` and `transaction`: what a reader of both
/// (the scripted app) handles alike.
impl From<VerificationStatusResponse> for SaleStatusResponse {
    fn from(status: VerificationStatusResponse) -> Self {
        Self {
            invoice_id: status.invoice_id,
            session: status.session,
            state: status.state,
            bank_order_id: status.bank_order_id,
            redirect_url: status.redirect_url,
            order_id: None,
            transaction: None,
            error_code: status.error_code,
            error_message: status.error_message,
            secure_3d_auth_status: status.secure_3d_auth_status,
            random_sum_auth_status: status.random_sum_auth_status,
        }
    }
}

impl Validate for VerificationStatusResponse {
    fn validate(&self, v: &mut Violations) {
        // The same conditional fields and lengths as sale status (addendum §2.5).
        SaleStatusResponse::from(self.clone()).validate(v);
    }
}
