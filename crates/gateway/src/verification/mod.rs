//! The life of a card verification (addendum §1, §2), beside the sale's (`crate::sale`): only what differs from
//! a sale lives here. A verification is a [`crate::sale::Sale`] of [`dapi::Flow::Verification`] in the same
//! store and invoice namespace (V16); from its check on it lives the sale's life — check, processing with the
//! CVV triggers (addendum §5), the 3-D Secure page and its timer (§2.6), approval with its card mapping
//! notification into the one card registry, the final state and its callback — each step sending the
//! verification's messages where the addendum has its own.
//!
//! 1. [`validation`]: perform validation (§2.3): the sale's checks in the sale's order, the signature checked
//!    early only when the currency is known (V9); the verification opens and its check is scheduled.
//! 2. Here, for the shared steps: the check verification request and how its answer is read (§2.4), and the
//!    verification card mapping notification's body (§2.7, with a top-level `reference`).

pub(crate) mod validation;

use crate::sale::check::CheckAnswer;
use dapi::messages::check::{CheckSession, MappedCardReference};
use dapi::messages::common::{DeviceConsumer, TokenSession};
use dapi::messages::verification::check::{CheckVerificationRequest, CheckVerificationResponse};
use dapi::messages::verification::notification::{CardBin, VerificationCardMappingNotification};

/// The check verification request: consumer and session only (REF `CheckVerificationRequest`).
pub(crate) fn check_request(
    consumer: DeviceConsumer,
    session: CheckSession,
) -> CheckVerificationRequest {
    CheckVerificationRequest { consumer, session }
}

impl From<CheckVerificationResponse> for CheckAnswer {
    fn from(response: CheckVerificationResponse) -> Self {
        Self {
            server_card_id: None,
            email: response.email().cloned(),
            currency: response.currency().map(str::to_owned),
            random_sum_centis: response
                .transaction
                .as_ref()
                .and_then(|t| t.random_sum_centis),
            invoice_id: response.invoice_id,
            session: response.session,
        }
    }
}

/// The verification card mapping notification: all four members, always (V13).
pub(crate) fn notification(
    consumer: DeviceConsumer,
    session: TokenSession,
    reference: MappedCardReference,
    bin: Option<u32>,
) -> VerificationCardMappingNotification {
    VerificationCardMappingNotification {
        consumer,
        reference: Some(reference),
        session,
        source_card: Some(CardBin { bin }),
    }
}
