//! Enumerations of spec section 5: sale state, 3-D Secure and random-sum statuses, callback status.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Sale status `state` (spec 3.5, 5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SaleState {
    /// Not final: keep polling.
    Processing,
    /// Not final: open `redirectUrl` (3-D Secure page) and keep polling.
    RedirectRequest,
    /// Final: authorised.
    Approved,
    /// Final: declined, filtered or failed.
    Declined,
}

impl SaleState {
    /// `APPROVED` and `DECLINED` never change again (spec 3.5).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Approved | Self::Declined)
    }

    /// The wire name, e.g. `REDIRECT_REQUEST`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Processing => "PROCESSING",
            Self::RedirectRequest => "REDIRECT_REQUEST",
            Self::Approved => "APPROVED",
            Self::Declined => "DECLINED",
        }
    }
}

impl fmt::Display for SaleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `secure3DAuthStatus` and `randomSumAuthStatus` of the sale status (spec 5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthStatus {
    /// The consumer passed the check.
    Authenticated,
    /// The consumer failed or cancelled the check.
    NotAuthenticated,
    /// The card has no 3-D Secure, or the check ended with an unknown result.
    Unsupported,
}

impl AuthStatus {
    /// The wire name, e.g. `NOT_AUTHENTICATED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authenticated => "AUTHENTICATED",
            Self::NotAuthenticated => "NOT_AUTHENTICATED",
            Self::Unsupported => "UNSUPPORTED",
        }
    }
}

impl fmt::Display for AuthStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Final status in the callback's `status` parameter (spec 3.8, 5.4), lower case on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CallbackStatus {
    /// Authorised.
    Approved,
    /// Declined by the issuer, by 3-D Secure, or by a failed check sale.
    Declined,
    /// Declined with a technical problem (party unreachable, acquirer timeout).
    Error,
    /// Declined by fraud control, or the Connecting Party answered `FILTERED`.
    Filtered,
}

impl CallbackStatus {
    /// The wire name, e.g. `filtered`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Error => "error",
            Self::Filtered => "filtered",
        }
    }

    /// The sale `state` that goes with this final status (spec 5.4).
    pub fn sale_state(self) -> SaleState {
        match self {
            Self::Approved => SaleState::Approved,
            Self::Declined | Self::Error | Self::Filtered => SaleState::Declined,
        }
    }
}

impl fmt::Display for CallbackStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_use_the_wire_spelling() {
        assert_eq!(
            serde_json::to_string(&SaleState::RedirectRequest).unwrap(),
            "\"REDIRECT_REQUEST\""
        );
        assert_eq!(
            serde_json::to_string(&AuthStatus::NotAuthenticated).unwrap(),
            "\"NOT_AUTHENTICATED\""
        );
        assert_eq!(
            serde_json::to_string(&CallbackStatus::Filtered).unwrap(),
            "\"filtered\""
        );
        for state in [
            SaleState::Processing,
            SaleState::RedirectRequest,
            SaleState::Approved,
            SaleState::Declined,
        ] {
            assert_eq!(
                serde_json::to_string(&state).unwrap(),
                format!("\"{state}\"")
            );
        }
    }

    #[test]
    fn only_approved_and_declined_are_final() {
        assert!(SaleState::Approved.is_final() && SaleState::Declined.is_final());
        assert!(!SaleState::Processing.is_final() && !SaleState::RedirectRequest.is_final());
        assert_eq!(CallbackStatus::Filtered.sale_state(), SaleState::Declined);
    }
}
