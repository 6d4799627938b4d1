//! The simulated 3-D Secure step (spec 3.6 decision): the page's URL (`redirectUrl`), what the page shows, and its
//! answer (the "3DS status update"), which moves the sale from `REDIRECT_REQUEST` back to `PROCESSING` and
//! schedules approval, or ends it not authenticated.

use super::callback::finish;
use super::{Ending, approval};
use crate::config::Config;
use crate::error::ThreeDsError;
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

/// The page's absolute URL, `{public_url}/sim/3ds/{token}`: the sale status's `redirectUrl`, and where the page's
/// form posts back to.
pub(crate) fn page_url(config: &Config, token: &SessionToken) -> String {
    format!("{}/sim/3ds/{token}", config.public_url)
}

/// The page of a sale waiting for 3-D Secure.
///
/// # Errors
/// Unknown token, or a sale not in `REDIRECT_REQUEST`.
pub(crate) fn page(state: &AppState, token: &SessionToken) -> Result<ThreeDsPage, ThreeDsError> {
    let shown = state.store().with_sale(token, |sale| match sale.state() {
        SaleState::RedirectRequest => Ok(ThreeDsPage {
            invoice_id: sale.invoice_id.clone(),
            amount: major_units(
                sale.amount_centis,
                sale.currency.as_deref().unwrap_or_default(),
            ),
            currency: sale.currency.clone().unwrap_or_default(),
            masked_pan: sale.card.as_ref().map(|card| card.masked_pan.clone()),
        }),
        state => Err(ThreeDsError::NotAwaiting(state)),
    });
    shown.ok_or(ThreeDsError::UnknownToken)?
}

/// Records the page's answer (the "3DS status update"); `true` when the consumer authenticated. Only the first
/// answer counts: a second one finds the sale no longer in `REDIRECT_REQUEST`.
///
/// # Errors
/// Unknown token, or a sale not in `REDIRECT_REQUEST`.
pub(crate) fn answer(
    state: &AppState,
    token: &SessionToken,
    answer: &ThreeDsAnswer,
) -> Result<bool, ThreeDsError> {
    let passed = matches!(answer, ThreeDsAnswer::Submit(password) if *password == state.config().three_ds_password);
    // Leaving the page and, when passed, the approval are one change: a restart finds the sale authorising.
    state
        .store()
        .update_sale(token, |sale| {
            sale.leave_redirect()?;
            if passed {
                sale.authorise(Some(AuthStatus::Authenticated));
            }
            Ok(())
        })
        .ok_or(ThreeDsError::UnknownToken)?
        .map_err(ThreeDsError::NotAwaiting)?;
    let failed = match answer {
        _ if passed => {
            tracing::info!("3-D Secure passed");
            let approval = approval::approve(state.clone(), token.clone());
            state.spawn_outbound(token, approval);
            return Ok(true);
        }
        ThreeDsAnswer::Submit(_) => "3-D Secure authentication failed",
        ThreeDsAnswer::Cancel => "3-D Secure authentication cancelled",
    };
    finish(state, token, Ending::not_authenticated(failed));
    Ok(false)
}
