//! The simulated 3-D Secure step (spec 3.6 decision): the page's data, and its answer (the "3DS status
//! update"), which moves the sale from `REDIRECT_REQUEST` back to `PROCESSING` and schedules authorisation.

use crate::error::ThreeDsError;
use crate::outcome::Ending;
use crate::state::AppState;
use dapi::messages::callback::major_units;
use dapi::{AuthStatus, InvoiceId, SaleState, SessionToken};

/// What the 3-D Secure page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ThreeDsPage {
    /// The sale.
    pub(crate) invoice_id: InvoiceId,
    /// Amount in major units, e.g. `10.50`.
    pub(crate) amount: String,
    /// Currency.
    pub(crate) currency: String,
    /// Masked card number, when known.
    pub(crate) masked_pan: Option<String>,
}

/// The consumer's answer on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ThreeDsAnswer {
    /// "Submit" with this password.
    Submit(String),
    /// "Cancel".
    Cancel,
}

impl AppState {
    /// The page of a sale waiting for 3-D Secure.
    ///
    /// # Errors
    /// Unknown token, or a sale not in `REDIRECT_REQUEST`.
    pub(crate) fn three_ds_page(&self, token: &SessionToken) -> Result<ThreeDsPage, ThreeDsError> {
        self.with_sale(token, |sale| match sale.state() {
            SaleState::RedirectRequest => Ok(ThreeDsPage {
                invoice_id: sale.invoice_id.clone(),
                amount: major_units(sale.amount_centis, &sale.currency),
                currency: sale.currency.clone(),
                masked_pan: sale.card.as_ref().map(|card| card.masked_pan.clone()),
            }),
            state => Err(ThreeDsError::NotAwaiting(state)),
        })
        .ok_or(ThreeDsError::UnknownToken)?
    }

    /// Whether a sale has this token.
    pub(crate) fn knows_token(&self, token: &SessionToken) -> bool {
        self.with_sale(token, |_| ()).is_some()
    }

    /// Records the page's answer (the "3DS status update"); `true` when the consumer authenticated. Only the
    /// first answer counts: a second one finds the sale no longer in `REDIRECT_REQUEST`.
    ///
    /// # Errors
    /// Unknown token, or a sale not in `REDIRECT_REQUEST`.
    pub(crate) fn answer_three_ds(
        &self,
        token: &SessionToken,
        answer: &ThreeDsAnswer,
    ) -> Result<bool, ThreeDsError> {
        self.update_sale(token, |sale| sale.leave_redirect())
            .ok_or(ThreeDsError::UnknownToken)?
            .map_err(ThreeDsError::NotAwaiting)?;
        match answer {
            ThreeDsAnswer::Submit(password) if *password == self.config().three_ds_password => {
                tracing::info!("3-D Secure passed");
                let job =
                    super::approve(self.clone(), token.clone(), Some(AuthStatus::Authenticated));
                self.spawn_delivery(token, job);
                Ok(true)
            }
            ThreeDsAnswer::Submit(_) => {
                self.finish(
                    token,
                    Ending::not_authenticated("3-D Secure authentication failed"),
                );
                Ok(false)
            }
            ThreeDsAnswer::Cancel => {
                self.finish(
                    token,
                    Ending::not_authenticated("3-D Secure authentication cancelled"),
                );
                Ok(false)
            }
        }
    }
}
