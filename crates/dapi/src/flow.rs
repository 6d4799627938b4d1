//! [`Flow`]: the two flows of the Mobile Device API the sandbox plays — the sale (`dapi-sale.md`) and the card
//! verification (`dapi-verification.md`, "the addendum"). They share the session model (access token, nonce,
//! signature, session token), the error body, the HMAC rules, the 3-D Secure page and the callback; they differ
//! in their paths, some messages, the initiate signature and the callback's `type`.

use crate::steps::{self, Diagram};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which flow a transaction belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// A sale: money moves (spec 2.1, 2.2).
    Sale,
    /// A card verification: the card is checked and saved, nothing is charged (addendum §1, §5).
    Verification,
}

impl Flow {
    /// `sale` or `verification`: the first path segment of its messages (`/sale/…`, `/verification/…`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sale => "sale",
            Self::Verification => "verification",
        }
    }

    /// The steps of its sequence diagram (spec 2.1; addendum §1).
    pub fn steps(self) -> &'static Diagram {
        match self {
            Self::Sale => &steps::SALE,
            Self::Verification => &steps::VERIFICATION,
        }
    }

    /// The callback's `type` (spec 3.8; addendum §2.8 \[DECISION\]: `account-verification`, the gateway's own
    /// name for this transaction type in its `/api/v2/account-verification` API).
    pub fn callback_type(self) -> &'static str {
        match self {
            Self::Sale => "sale",
            Self::Verification => "account-verification",
        }
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_flow_names_its_paths_steps_and_callback_type() {
        assert_eq!(Flow::Verification.to_string(), "verification");
        assert_eq!(Flow::Sale.callback_type(), "sale");
        assert_eq!(Flow::Verification.callback_type(), "account-verification");
        assert_eq!(
            Flow::Verification.steps().perform_request.name,
            "Perform validation request"
        );
        assert_eq!(Flow::Sale.steps().check_response.number, 9);
        assert_eq!(serde_json::to_value(Flow::Sale).unwrap(), "sale");
    }
}
