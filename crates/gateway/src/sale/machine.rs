//! A sale's state machine (spec 3.5): checking (`PROCESSING`) → processing (`PROCESSING`) ⇄ the 3-D Secure page
//! (`REDIRECT_REQUEST`) → final (`APPROVED` | `DECLINED`), which never changes; how a sale ended ([`Ending`]); and
//! the sale status body, built from one state so that a poll never sees a half-made transition.

use super::Sale;
use super::triggers::Decline;
use dapi::messages::common::TokenOnly;
use dapi::messages::status::{SaleStatusResponse, StatusTransaction};
use dapi::{AuthStatus, CallbackStatus, OrderId, SaleState};
use serde::{Deserialize, Serialize};

/// The spec's limit of `errorMessage`, in characters.
const ERROR_MESSAGE_CHARS: usize = 128;

/// Where a sale is.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Phase {
    /// Waiting for check sale; polls see `PROCESSING`.
    Checking,
    /// Check passed, the order exists; its trigger picks the next step (or the CVV 217 timeout runs).
    Processing,
    /// Approved by the (simulated) issuer, ending so (its `secure3DAuthStatus` and `randomSumAuthStatus`): the
    /// card mapping notification goes out, then the sale is final. Polls see `PROCESSING`.
    Authorising { approved: Ending },
    /// The 3-D Secure page is open.
    Redirect { url: String },
    /// `APPROVED` or `DECLINED`; never changes again.
    Final {
        ending: Ending,
        bank_order_id: String,
    },
}

/// The gateway order, once processing started (or the sale ended without it).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Order {
    id: OrderId,
    started_at: super::Timestamp,
}

/// Where a sale is, as the code that picks its work up after a restart sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Check sale is (or was) in flight.
    Checking,
    /// Checked; the trigger's next step is due (or the CVV 217 wait runs).
    Processing,
    /// The card mapping notification, then approval.
    Authorising,
    /// The 3-D Secure page is open.
    AwaitingThreeDs,
    /// Final.
    Final,
}

/// How a sale ended: the final callback status and what the sale status shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Ending {
    /// The callback `status`; its sale state is `APPROVED` or `DECLINED` (spec 5.4).
    pub(crate) status: CallbackStatus,
    /// `errorCode`.
    pub(crate) error_code: Option<u32>,
    /// `errorMessage`, at most 128 characters.
    pub(crate) error_message: Option<String>,
    /// `secure3DAuthStatus`.
    pub(crate) secure_3d: Option<AuthStatus>,
    /// `randomSumAuthStatus`: set when the 3-D Secure page asked for the random sum (spec A21).
    #[serde(default)]
    pub(crate) random_sum: Option<AuthStatus>,
}

impl Ending {
    /// Authorised.
    pub(crate) fn approved(secure_3d: Option<AuthStatus>) -> Self {
        Self {
            status: CallbackStatus::Approved,
            error_code: None,
            error_message: None,
            secure_3d,
            random_sum: None,
        }
    }

    /// Declined by the (simulated) issuer.
    pub(crate) fn declined(decline: Decline) -> Self {
        Self {
            status: CallbackStatus::Declined,
            error_code: Some(decline.code),
            error_message: Some(decline.message.to_owned()),
            secure_3d: None,
            random_sum: None,
        }
    }

    /// Declined without a code, e.g. a failed check sale or 3-D Secure; the message cut to 128 characters.
    pub(crate) fn failed(status: CallbackStatus, message: &str) -> Self {
        Self {
            status,
            error_code: None,
            error_message: Some(message.chars().take(ERROR_MESSAGE_CHARS).collect()),
            secure_3d: None,
            random_sum: None,
        }
    }

    /// The same ending with this `randomSumAuthStatus` (spec A21).
    pub(crate) fn with_random_sum(self, random_sum: Option<AuthStatus>) -> Self {
        Self { random_sum, ..self }
    }

    /// 3-D Secure failed, was cancelled or abandoned (spec 3.6, A10).
    pub(crate) fn not_authenticated(message: &str) -> Self {
        Self {
            secure_3d: Some(AuthStatus::NotAuthenticated),
            ..Self::failed(CallbackStatus::Declined, message)
        }
    }
}

impl Sale {
    /// The `state` a poll sees.
    pub(crate) fn state(&self) -> SaleState {
        match &self.phase {
            Phase::Checking | Phase::Processing | Phase::Authorising { .. } => {
                SaleState::Processing
            }
            Phase::Redirect { .. } => SaleState::RedirectRequest,
            Phase::Final { ending, .. } => ending.status.sale_state(),
        }
    }

    /// The 3-D Secure page's URL while the sale waits for it.
    pub(crate) fn redirect_url(&self) -> Option<&str> {
        match &self.phase {
            Phase::Redirect { url } => Some(url),
            _ => None,
        }
    }

    /// How it ended, once final.
    pub(crate) fn ending(&self) -> Option<&Ending> {
        match &self.phase {
            Phase::Final { ending, .. } => Some(ending),
            _ => None,
        }
    }

    /// Where the sale is, for picking its work up again after a restart.
    pub(crate) fn step(&self) -> Step {
        match &self.phase {
            Phase::Checking => Step::Checking,
            Phase::Processing => Step::Processing,
            Phase::Authorising { .. } => Step::Authorising,
            Phase::Redirect { .. } => Step::AwaitingThreeDs,
            Phase::Final { .. } => Step::Final,
        }
    }

    /// Approved: from processing to authorising (the notification, then final), to end as `approved`.
    pub(crate) fn authorise(&mut self, approved: Ending) -> bool {
        if !matches!(self.phase, Phase::Processing) {
            return false;
        }
        self.phase = Phase::Authorising { approved };
        true
    }

    /// How a sale being authorised will end; `None` when it is not being authorised.
    pub(crate) fn authorising(&self) -> Option<Ending> {
        match &self.phase {
            Phase::Authorising { approved } => Some(approved.clone()),
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
            started_at: super::Timestamp::now(),
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
            started_at: super::Timestamp::now(),
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
            Phase::Checking | Phase::Processing | Phase::Authorising { .. } => (None, None, None),
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
                currency: self.currency.clone(),
                order_created_date: Some(self.received_at.text()),
                transaction_created_date: Some(order.started_at.text()),
            }),
            error_code: ending.and_then(|ending| ending.error_code),
            error_message: ending.and_then(|ending| ending.error_message.clone()),
            secure_3d_auth_status: ending.and_then(|ending| ending.secure_3d),
            random_sum_auth_status: ending.and_then(|ending| ending.random_sum),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sale::tests::sale;

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

    #[test]
    fn error_messages_are_clipped_to_128_characters() {
        let ending = Ending::failed(CallbackStatus::Error, &"x".repeat(300));
        assert_eq!(ending.error_message.map(|m| m.chars().count()), Some(128));
    }

    #[test]
    fn an_authorising_sale_keeps_its_whole_ending_on_disk_and_older_records_still_read() {
        let mut sale = sale("321");
        sale.random_sum_centis = Some(37);
        sale.start_processing("5".into());
        let authenticated = Some(AuthStatus::Authenticated);
        let approved = Ending::approved(authenticated).with_random_sum(authenticated);
        assert!(sale.authorise(approved.clone()));
        let written = serde_json::to_value(&sale).unwrap();
        let read: Sale = serde_json::from_value(written.clone()).unwrap();
        assert_eq!(read.authorising(), Some(approved));
        assert_eq!(read.random_sum_centis, Some(37));
        // A sale written before the random-sum check and the repeat sale's serverCardId were kept.
        let mut older = written;
        let fields = older.as_object_mut().unwrap();
        assert!(fields.remove("random_sum_centis").is_some());
        assert!(fields.remove("server_card_id").is_some());
        let ending = older["phase"]["authorising"]["approved"].as_object_mut();
        assert!(ending.unwrap().remove("random_sum").is_some(), "{older}");
        let read: Sale = serde_json::from_value(older).unwrap();
        assert_eq!(read.authorising(), Some(Ending::approved(authenticated)));
        assert_eq!((read.random_sum_centis, read.server_card_id), (None, None));
    }
}
