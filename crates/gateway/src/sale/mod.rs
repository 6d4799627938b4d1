//! The life of a sale, in the order it happens (spec 2.1 steps 6–24), and the sale itself. A card verification
//! (`crate::verification`) is a sale of [`Flow::Verification`]: it lives the same life from check on — check,
//! processing with the CVV triggers, the 3-D Secure page and its timer, approval with its notification, the
//! final state and its callback — with its own messages where the addendum gives it some.
//!
//! 1. [`perform`]: perform sale's checks (spec 3.3); the sale opens in the store and check sale is scheduled.
//! 2. [`check`]: check sale towards the Connecting Party (spec 3.4) and the rules its answer must keep.
//! 3. [`processing`]: once checked, the sale's CVV trigger ([`triggers`], spec 6) picks the next step.
//! 4. [`three_ds`]: the simulated 3-D Secure page, its model and its answer (spec 3.6 decision).
//! 5. [`approval`]: authorisation with the card mapping notification sent first (spec 3.7).
//! 6. [`callback`]: the sale becomes final, then its final-status callback is delivered (spec 3.8).
//!
//! Beside them: [`status`], the sale status answer polled throughout (spec 3.5); [`machine`], the sale's state
//! machine and its status body; [`violations`], how what the peers break becomes a contract violation.
//!
//! Each step copies what it needs out of the store in a synchronous call, awaits its HTTP call with no guard
//! held, then applies the answer and schedules the next step in another synchronous call (STYLE section 6).
//!
//! A sale keeps the masked PAN, the BIN, `uniqueReferenceCardId`, the e-mail and the outcome [`Trigger`]; never
//! the CVV nor the full PAN, which are dropped with the perform request in [`Sale::open`].

pub(crate) mod approval;
pub(crate) mod callback;
pub(crate) mod check;
pub(crate) mod machine;
pub(crate) mod perform;
pub(crate) mod processing;
pub(crate) mod status;
pub(crate) mod three_ds;
pub(crate) mod timestamp;
pub(crate) mod triggers;
pub(crate) mod violations;

pub(crate) use approval::NotificationJob;
pub(crate) use callback::CallbackJob;
pub(crate) use check::CheckJob;
pub(crate) use machine::{Ending, Step};
pub(crate) use three_ds::{ThreeDsAnswer, ThreeDsPage};
pub(crate) use timestamp::Timestamp;
pub(crate) use triggers::Trigger;

use dapi::messages::perform::PerformSaleRequest;
use dapi::{
    AccessToken, CardNumber, ClientCardId, Email, EndpointId, Flow, InvoiceId, Nonce, SerialNumber,
    ServerCardId, SessionToken, SignatureHex,
};
use machine::{Order, Phase};
use sandbox_api::{ContractViolation, SaleRef};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The flow of a kept sale that names none.
fn sale_flow() -> Flow {
    Flow::Sale
}

/// Contract violations kept per sale; later ones are only logged.
pub(crate) const MAX_VIOLATIONS_PER_SALE: usize = 50;

/// A sale, or a card verification ([`Sale::flow`]); kept whole in the data directory when there is one (it
/// holds no CVV and no full PAN).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Sale {
    /// A sale or a card verification: which messages its steps send and which paths know it. A record kept
    /// before verifications existed reads as a sale.
    #[serde(default = "sale_flow")]
    pub(crate) flow: Flow,
    /// `session.token`, a UUID v4.
    pub(crate) token: SessionToken,
    /// The path's endpoint.
    pub(crate) endpoint_id: EndpointId,
    /// The path's invoice.
    pub(crate) invoice_id: InvoiceId,
    /// `session.accessToken`: status polls must bring it.
    pub(crate) access_token: AccessToken,
    /// `consumer.device.serialNumber`.
    pub(crate) serial_number: SerialNumber,
    /// `session.nonce` from initiate sale: the check answer must echo it.
    pub(crate) nonce: Nonce,
    /// `session.signature`, forwarded in check sale.
    pub(crate) signature: SignatureHex,
    /// `transaction.amountCentis`; 0 for a verification, which moves no money (addendum §5).
    pub(crate) amount_centis: u64,
    /// `transaction.currency`; `None` while a verification's is not known yet (addendum V9: check verification
    /// tells it).
    pub(crate) currency: Option<String>,
    /// `consumer.email`, if sent.
    pub(crate) email: Option<Email>,
    /// The card: from the perform's card data, or from the registry once a reference was resolved.
    pub(crate) card: Option<CardFacts>,
    /// `sourceOfFunds.reference.clientCardId` of a repeat sale.
    pub(crate) client_card_id: Option<ClientCardId>,
    /// The `serverCardId` check sale resolved the `clientCardId` to, for a repeat sale.
    #[serde(default)]
    pub(crate) server_card_id: Option<ServerCardId>,
    /// `transaction.randomSumCentis` of the check answer: the amount the 3-D Secure page asks for (spec A21).
    #[serde(default)]
    pub(crate) random_sum_centis: Option<u64>,
    /// What the CVV asked for.
    pub(crate) trigger: Trigger,
    /// The contract violations seen in this sale, at most [`MAX_VIOLATIONS_PER_SALE`].
    pub(crate) violations: Vec<ContractViolation>,
    /// Final, and its callback (if any) is in the delivery log: the sale may be forgotten (`store`).
    pub(crate) settled: bool,
    /// The number of its card mapping notification in the delivery log, once opened.
    #[serde(default)]
    pub(crate) notification: Option<u64>,
    /// When its timer (3-D Secure abandonment, CVV 217) fires, in milliseconds since the Unix epoch: a
    /// restarted gateway arms it again for the time left.
    #[serde(default)]
    pub(crate) deadline_ms: Option<u64>,
    /// The journal's number of the sale's latest change: a status poll waits until it is durable, so no poll
    /// shows what a restart could take back (never written).
    #[serde(skip)]
    pub(crate) durable_seq: u64,
    /// When the perform arrived (`orderCreatedDate`).
    received_at: Timestamp,
    phase: Phase,
    order: Option<Order>,
}

/// What the gateway may keep about a card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CardFacts {
    /// BIN and last four, e.g. `411111******1111`.
    pub(crate) masked_pan: String,
    /// First six digits.
    pub(crate) bin: Option<u32>,
    /// Stable 63-bit identity of the PAN (spec A13).
    pub(crate) unique_reference_card_id: u64,
}

impl CardFacts {
    /// Derives the facts; the PAN itself is not kept.
    pub(crate) fn of(pan: &CardNumber) -> Self {
        Self {
            masked_pan: pan.masked(),
            bin: pan.bin(),
            unique_reference_card_id: unique_reference_card_id(pan),
        }
    }
}

/// The first 8 bytes of SHA-256(PAN), big-endian, masked to 63 bits so it stays a positive `long` (spec A13).
pub(crate) fn unique_reference_card_id(pan: &CardNumber) -> u64 {
    let digest = Sha256::digest(pan.expose().as_bytes());
    let prefix = digest
        .iter()
        .take(8)
        .fold(0_u64, |acc, byte| (acc << 8) | u64::from(*byte));
    prefix & 0x7FFF_FFFF_FFFF_FFFF
}

/// What a perform sale or a perform validation leaves the gateway to keep about the transaction it opens: never
/// the CVV (only the trigger it picked) nor the full PAN.
#[derive(Clone, Debug)]
pub(crate) struct Opening {
    pub(crate) flow: Flow,
    pub(crate) access_token: AccessToken,
    pub(crate) serial_number: SerialNumber,
    pub(crate) nonce: Nonce,
    pub(crate) signature: SignatureHex,
    pub(crate) amount_centis: u64,
    pub(crate) currency: Option<String>,
    pub(crate) email: Option<Email>,
    pub(crate) card: Option<CardFacts>,
    pub(crate) client_card_id: Option<ClientCardId>,
    pub(crate) trigger: Trigger,
}

impl Sale {
    /// A new sale from a perform request, which is consumed: the CVV only picks the trigger.
    pub(crate) fn open(
        token: SessionToken,
        endpoint_id: EndpointId,
        invoice_id: InvoiceId,
        request: PerformSaleRequest,
    ) -> Self {
        let source = request.source_of_funds;
        let (card, client_card_id, trigger) = match (source.card, source.reference) {
            (Some(card), _) => (
                Some(CardFacts::of(&card.number)),
                None,
                Trigger::from_security_code(&card.security_code),
            ),
            (None, Some(reference)) => (
                None,
                Some(reference.client_card_id),
                Trigger::from_security_code(&reference.security_code),
            ),
            // Validation refuses this; a sale without a source of funds would simply be declined.
            (None, None) => (None, None, Trigger::from_security_code(&"".into())),
        };
        let opening = Opening {
            flow: Flow::Sale,
            access_token: request.session.access_token,
            serial_number: request.consumer.device.serial_number,
            nonce: request.session.nonce,
            signature: request.session.signature,
            amount_centis: request.transaction.amount_centis,
            currency: Some(request.transaction.currency),
            email: request.consumer.email,
            card,
            client_card_id,
            trigger,
        };
        Self::start(token, endpoint_id, invoice_id, opening)
    }

    /// A new sale or verification, waiting for its check.
    pub(crate) fn start(
        token: SessionToken,
        endpoint_id: EndpointId,
        invoice_id: InvoiceId,
        opening: Opening,
    ) -> Self {
        Self {
            flow: opening.flow,
            token,
            endpoint_id,
            invoice_id,
            access_token: opening.access_token,
            serial_number: opening.serial_number,
            nonce: opening.nonce,
            signature: opening.signature,
            amount_centis: opening.amount_centis,
            currency: opening.currency,
            email: opening.email,
            card: opening.card,
            client_card_id: opening.client_card_id,
            server_card_id: None,
            random_sum_centis: None,
            trigger: opening.trigger,
            violations: Vec::new(),
            settled: false,
            notification: None,
            deadline_ms: None,
            durable_seq: 0,
            received_at: Timestamp::now(),
            phase: Phase::Checking,
            order: None,
        }
    }

    /// The sale's ids, for the message journal's entries of its calls.
    pub(crate) fn sale_ref(&self) -> SaleRef {
        SaleRef {
            endpoint_id: Some(self.endpoint_id.clone()),
            invoice_id: Some(self.invoice_id.clone()),
            serial_number: Some(self.serial_number.clone()),
        }
    }

    /// When the perform arrived: sales sort by it.
    pub(crate) fn received_at(&self) -> Timestamp {
        self.received_at
    }

    /// Keeps a contract violation seen in this sale: an identical one (a retried call failing the same way)
    /// once. `false` when the sale already keeps [`MAX_VIOLATIONS_PER_SALE`] and this one is not kept.
    pub(crate) fn keep_violation(&mut self, violation: ContractViolation) -> bool {
        if self
            .violations
            .iter()
            .any(|kept| kept.same_finding(&violation))
        {
            return true;
        }
        let room = self.violations.len() < MAX_VIOLATIONS_PER_SALE;
        if room {
            self.violations.push(violation);
        }
        room
    }
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn unix_ms() -> u64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map_or(0, |elapsed| {
        u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn perform(cvv: &str) -> PerformSaleRequest {
        serde_json::from_value(json!({
            "consumer":{"device":{"serialNumber":"SN-1"},"email":"jane@example.com"},
            "session":{"accessToken":"a3f1c2d4e5b60718293a4b5c6d7e8f90","nonce":"n".repeat(32),"signature":"s".repeat(40)},
            "sourceOfFunds":{"card":{"number":"4111111111111111","securityCode":cvv,"expiry":{"month":12,"year":2030},
                "holder":{"printedName":"JANE DOE"}}},
            "transaction":{"amountCentis":1050,"currency":"EUR"}}))
        .unwrap()
    }

    /// Sale `INV-1` on endpoint `1234`, token `0b9f6a4e-…`, paid by card with this CVV.
    pub(crate) fn sale(cvv: &str) -> Sale {
        Sale::open(
            "0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b".into(),
            "1234".into(),
            "INV-1".into(),
            perform(cvv),
        )
    }

    #[test]
    fn a_sale_keeps_no_pan_and_no_cvv() {
        let sale = sale("8642");
        let dump = format!("{sale:?}");
        assert!(
            !dump.contains("4111111111111111") && !dump.contains("8642"),
            "{dump}"
        );
        let card = sale.card.unwrap();
        assert_eq!(card.masked_pan, "411111******1111");
        assert_eq!(card.bin, Some(411_111));
        assert!(matches!(sale.trigger, Trigger::Decline(_)));
    }

    #[test]
    fn unique_reference_card_id_is_stable_and_positive() {
        let pan = CardNumber::from("4111111111111111");
        let id = unique_reference_card_id(&pan);
        assert_eq!(id, unique_reference_card_id(&pan));
        assert!(id <= u64::MAX >> 1);
        assert_ne!(id, unique_reference_card_id(&"5555555555554444".into()));
        assert_eq!(
            id, 1_999_300_904_542_682_277,
            "the value of the addendum's notification example (A13)"
        );
    }
}
