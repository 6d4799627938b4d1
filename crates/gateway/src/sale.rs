//! One sale as the gateway keeps it, and its state machine (spec 3.5):
//! checking → `PROCESSING` → (`REDIRECT_REQUEST` → `PROCESSING`) → `APPROVED` | `DECLINED`.
//!
//! Kept: masked PAN, BIN, `uniqueReferenceCardId`, e-mail and the outcome [`Trigger`]. Never kept: the CVV and
//! the full PAN, which are dropped with the perform request in [`Sale::open`].

use crate::outcome::{Ending, Trigger};
use dapi::messages::common::TokenOnly;
use dapi::messages::perform::PerformSaleRequest;
use dapi::messages::status::{SaleStatusResponse, StatusTransaction};
use dapi::{
    AccessToken, CardNumber, ClientCardId, Email, EndpointId, InvoiceId, Nonce, OrderId, SaleState,
    SerialNumber, SessionToken, SignatureHex,
};
use sandbox_api::ContractViolation;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

/// A sale.
#[derive(Clone, Debug)]
pub(crate) struct Sale {
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
    /// `transaction.amountCentis`.
    pub(crate) amount_centis: u64,
    /// `transaction.currency`.
    pub(crate) currency: String,
    /// `consumer.email`, if sent.
    pub(crate) email: Option<Email>,
    /// The card: from the perform's card data, or from the registry once a reference was resolved.
    pub(crate) card: Option<CardFacts>,
    /// `sourceOfFunds.reference.clientCardId` of a repeat sale.
    pub(crate) client_card_id: Option<ClientCardId>,
    /// What the CVV asked for.
    pub(crate) trigger: Trigger,
    /// The contract violations seen in this sale (`record`), at most `MAX_VIOLATIONS_PER_SALE`.
    pub(crate) violations: Vec<ContractViolation>,
    /// Final, and its callback (if any) is in the delivery log: the sale may be forgotten (`retention`).
    pub(crate) settled: bool,
    /// When the perform arrived (`orderCreatedDate`).
    received_at: String,
    phase: Phase,
    order: Option<Order>,
}

/// What the gateway may keep about a card.
#[derive(Clone, Debug, PartialEq, Eq)]
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

#[derive(Clone, Debug)]
enum Phase {
    /// Waiting for check sale; polls see `PROCESSING`.
    Checking,
    /// Check passed, the order exists; authorising (or waiting for the CVV 217 timeout).
    Processing,
    /// The 3-D Secure page is open.
    Redirect { url: String },
    /// `APPROVED` or `DECLINED`; never changes again.
    Final {
        ending: Ending,
        bank_order_id: String,
    },
}

#[derive(Clone, Debug)]
struct Order {
    id: OrderId,
    started_at: String,
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
        Self {
            token,
            endpoint_id,
            invoice_id,
            access_token: request.session.access_token,
            serial_number: request.consumer.device.serial_number,
            nonce: request.session.nonce,
            signature: request.session.signature,
            amount_centis: request.transaction.amount_centis,
            currency: request.transaction.currency,
            email: request.consumer.email,
            card,
            client_card_id,
            trigger,
            violations: Vec::new(),
            settled: false,
            received_at: now(),
            phase: Phase::Checking,
            order: None,
        }
    }

    /// The `state` a poll sees.
    pub(crate) fn state(&self) -> SaleState {
        match &self.phase {
            Phase::Checking | Phase::Processing => SaleState::Processing,
            Phase::Redirect { .. } => SaleState::RedirectRequest,
            Phase::Final { ending, .. } => ending.status.sale_state(),
        }
    }

    /// How it ended, once final.
    pub(crate) fn ending(&self) -> Option<&Ending> {
        match &self.phase {
            Phase::Final { ending, .. } => Some(ending),
            _ => None,
        }
    }

    /// The gateway order id, once processing started.
    pub(crate) fn order_id(&self) -> Option<&OrderId> {
        self.order.as_ref().map(|order| &order.id)
    }

    /// Check sale passed: the order exists. Only from checking.
    pub(crate) fn start_processing(&mut self, order_id: OrderId) -> bool {
        if !matches!(self.phase, Phase::Checking) {
            return false;
        }
        self.phase = Phase::Processing;
        self.order = Some(Order {
            id: order_id,
            started_at: now(),
        });
        true
    }

    /// The 3-D Secure page is needed; `url` stays the same on every poll. Only from processing.
    pub(crate) fn redirect(&mut self, url: String) -> bool {
        if !matches!(self.phase, Phase::Processing) {
            return false;
        }
        self.phase = Phase::Redirect { url };
        true
    }

    /// The 3-D Secure page was answered ("3DS status update"). Only from `REDIRECT_REQUEST`.
    ///
    /// # Errors
    /// The current state, when the sale is not waiting for the page.
    pub(crate) fn leave_redirect(&mut self) -> Result<(), SaleState> {
        if !matches!(self.phase, Phase::Redirect { .. }) {
            return Err(self.state());
        }
        self.phase = Phase::Processing;
        Ok(())
    }

    /// Makes the sale final, unless it already is (terminal states never change). A sale that never reached
    /// processing (failed check sale) gets its order id here, so that the callback has an `orderid`.
    pub(crate) fn finish(
        &mut self,
        ending: Ending,
        next_order_id: impl FnOnce() -> OrderId,
    ) -> bool {
        if matches!(self.phase, Phase::Final { .. }) {
            return false;
        }
        let order = self.order.get_or_insert_with(|| Order {
            id: next_order_id(),
            started_at: now(),
        });
        let bank_order_id = format!("BNK-{}", order.id);
        self.phase = Phase::Final {
            ending,
            bank_order_id,
        };
        true
    }

    /// The sale status body (spec 3.5); the same for every poll of a final sale.
    pub(crate) fn status(&self) -> SaleStatusResponse {
        let (bank_order_id, redirect_url, ending) = match &self.phase {
            Phase::Checking | Phase::Processing => (None, None, None),
            Phase::Redirect { url } => (None, Some(url.clone()), None),
            Phase::Final {
                ending,
                bank_order_id,
            } => (Some(bank_order_id.clone()), None, Some(ending)),
        };
        SaleStatusResponse {
            invoice_id: self.invoice_id.clone(),
            session: TokenOnly {
                token: self.token.clone(),
            },
            state: self.state(),
            bank_order_id,
            redirect_url,
            order_id: self.order_id().cloned(),
            transaction: self.order.as_ref().map(|order| StatusTransaction {
                amount_centis: Some(self.amount_centis),
                commission_centis: Some(0),
                currency: Some(self.currency.clone()),
                order_created_date: Some(self.received_at.clone()),
                transaction_created_date: Some(order.started_at.clone()),
            }),
            error_code: ending.and_then(|ending| ending.error_code),
            error_message: ending.and_then(|ending| ending.error_message.clone()),
            secure_3d_auth_status: ending.and_then(|ending| ending.secure_3d),
            random_sum_auth_status: None,
        }
    }
}

/// Now, as `yyyy-MM-dd HH:mm:ss.SSSZ` in UTC, e.g. `2024-05-17 14:03:22.481+0000` (spec A23).
pub(crate) fn now() -> String {
    let format = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:3][offset_hour sign:mandatory][offset_minute]"
    );
    OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use dapi::{AuthStatus, CallbackStatus};
    use serde_json::json;

    fn perform(cvv: &str) -> PerformSaleRequest {
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
    }

    #[test]
    fn processing_assigns_the_order_and_the_status_shows_it_without_bank_order_id() {
        let mut sale = sale("123");
        let before = sale.status();
        assert_eq!(
            (before.state, before.order_id, before.transaction),
            (SaleState::Processing, None, None)
        );
        assert!(sale.start_processing("42".into()));
        assert!(!sale.start_processing("43".into()));
        let status = sale.status();
        assert_eq!(status.order_id, Some("42".into()));
        assert_eq!(status.bank_order_id, None);
        let transaction = status.transaction.unwrap();
        assert_eq!(transaction.amount_centis, Some(1050));
        assert_eq!(transaction.commission_centis, Some(0));
        let date = transaction.transaction_created_date.unwrap();
        assert_eq!(date.len(), "2024-05-17 14:03:22.481+0000".len(), "{date}");
        assert!(date.ends_with("+0000"), "{date}");
    }

    #[test]
    fn redirect_is_stable_and_left_only_once() {
        let mut sale = sale("321");
        assert!(!sale.redirect("http://gw/sim/3ds/t".into()));
        sale.start_processing("1".into());
        assert!(sale.redirect("http://gw/sim/3ds/t".into()));
        for _ in 0..2 {
            let status = sale.status();
            assert_eq!(status.state, SaleState::RedirectRequest);
            assert_eq!(status.redirect_url.as_deref(), Some("http://gw/sim/3ds/t"));
        }
        assert_eq!(sale.leave_redirect(), Ok(()));
        assert_eq!(sale.leave_redirect(), Err(SaleState::Processing));
        assert_eq!(sale.status().redirect_url, None);
    }

    #[test]
    fn terminal_states_stay_terminal_with_the_same_body() {
        let mut sale = sale("321");
        sale.start_processing("7".into());
        sale.redirect("http://gw/sim/3ds/t".into());
        let ending = Ending::approved(Some(AuthStatus::Authenticated));
        assert!(sale.finish(ending, || "never".into()));
        let first = sale.status();
        assert_eq!(first.state, SaleState::Approved);
        assert_eq!(first.bank_order_id.as_deref(), Some("BNK-7"));
        assert_eq!(first.secure_3d_auth_status, Some(AuthStatus::Authenticated));
        assert!(!sale.finish(Ending::not_authenticated("3DS timeout"), || "8".into()));
        assert_eq!(sale.leave_redirect(), Err(SaleState::Approved));
        assert!(!sale.redirect("x".into()) && !sale.start_processing("9".into()));
        assert_eq!(sale.status(), first);
    }

    #[test]
    fn a_failed_check_gets_an_order_id_when_it_ends() {
        let mut sale = sale("123");
        let ending = Ending::failed(CallbackStatus::Filtered, "check sale failed: FILTERED");
        assert!(sale.finish(ending, || "99".into()));
        let status = sale.status();
        assert_eq!(status.state, SaleState::Declined);
        assert_eq!(status.order_id, Some("99".into()));
        assert_eq!(status.bank_order_id.as_deref(), Some("BNK-99"));
        assert_eq!(status.error_code, None);
        assert_eq!(
            status.error_message.as_deref(),
            Some("check sale failed: FILTERED")
        );
    }
}
