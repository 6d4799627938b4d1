//! Sale status (spec 3.5): the app's poll and the gateway's answer.

use super::common::{TokenOnly, TokenSession};
use crate::ids::{InvoiceId, OrderId};
use crate::state::{AuthStatus, SaleState};
use crate::validate::{Rule, Validate, Violations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `POST {dapi}/sale/{endpointId}/{invoiceId}/status` request: `{"session":{"accessToken","token"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SaleStatusRequest {
    /// `session.{accessToken,token}`.
    pub session: TokenSession,
}

impl Validate for SaleStatusRequest {
    fn validate(&self, v: &mut Violations) {
        self.session.check(v);
    }
}

/// Sale status success response. `bankOrderId` is present in the final states, `redirectUrl` in
/// `REDIRECT_REQUEST`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("allOf" = [
    {"if": {"properties": {"state": {"enum": ["APPROVED", "DECLINED"]}}},
     "then": {"required": ["bankOrderId"]}},
    {"if": {"properties": {"state": {"const": "REDIRECT_REQUEST"}}},
     "then": {"required": ["redirectUrl"]}}
]))]
pub struct SaleStatusResponse {
    /// The sale.
    pub invoice_id: InvoiceId,
    /// `session.token`.
    pub session: TokenOnly,
    /// `state`.
    pub state: SaleState,
    /// `bankOrderId`: present in `APPROVED` and `DECLINED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub bank_order_id: Option<String>,
    /// `redirectUrl`: present in `REDIRECT_REQUEST`, at most 128 chars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub redirect_url: Option<String>,
    /// `orderId`: the gateway order id, once processing started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
    /// `transaction`: amounts and dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<StatusTransaction>,
    /// `errorCode`: decline reason code (spec 5.5).
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

/// `transaction` of the sale status response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusTransaction {
    /// `amountCentis`: amount processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_centis: Option<u64>,
    /// `commissionCentis`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commission_centis: Option<u64>,
    /// `currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// `orderCreatedDate`, `yyyy-MM-dd HH:mm:ss.SSSZ` (spec A23).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_created_date: Option<String>,
    /// `transactionCreatedDate`, same format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_created_date: Option<String>,
}

impl Validate for SaleStatusResponse {
    fn validate(&self, v: &mut Violations) {
        v.length("session.token", self.session.token.as_str(), 16, 36);
        if self.state.is_final() && self.bank_order_id.is_none() {
            v.push("bankOrderId", Rule::Missing);
        }
        v.optional_length("bankOrderId", self.bank_order_id.as_deref(), 1, 128);
        match (&self.redirect_url, self.state) {
            (None, SaleState::RedirectRequest) => v.push("redirectUrl", Rule::Missing),
            (Some(url), _) => v.length("redirectUrl", url, 1, 128),
            (None, _) => {}
        }
        v.optional_length("errorMessage", self.error_message.as_deref(), 1, 128);
    }
}
