//! The simulated 3-D Secure step (spec 3.6 decision): the page's URL (`redirectUrl`), what the page shows, and its
//! answer (the "3DS status update"), which moves the sale from `REDIRECT_REQUEST` back to `PROCESSING` and
//! schedules approval, or ends it not authenticated. When check sale asked for a random-sum check (spec A21), the
//! page also asks for the amount: the right amount approves with `randomSumAuthStatus` `AUTHENTICATED`, a wrong
//! or missing one declines with `NOT_AUTHENTICATED` (the DAPI status has only these two values).

use super::callback::finish;
use super::{Ending, approval};
use crate::config::Config;
use crate::error::ThreeDsError;
use crate::state::AppState;
use dapi::messages::callback::major_units;
use dapi::{AuthStatus, CallbackStatus, InvoiceId, SaleState, SessionToken};

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
    /// Whether the page asks for the random sum (check sale asked for a random-sum check, spec A21).
    pub(crate) asks_random_sum: bool,
}

/// The consumer's answer on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ThreeDsAnswer {
    /// "Submit" with this password and, when the page asks for it, the random sum typed (`None`: left empty).
    Submit {
        /// The password.
        password: String,
        /// The random-sum field as typed, trimmed; `None` when empty or absent.
        random_sum: Option<String>,
    },
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
            asks_random_sum: sale.random_sum_centis.is_some(),
        }),
        state => Err(ThreeDsError::NotAwaiting(state)),
    });
    shown.ok_or(ThreeDsError::UnknownToken)?
}

/// Records the page's answer (the "3DS status update"); `true` when the consumer authenticated (and, when the
/// page asked for it, typed the random sum). Only the first answer counts: a second one finds the sale no longer
/// in `REDIRECT_REQUEST`.
///
/// # Errors
/// Unknown token, or a sale not in `REDIRECT_REQUEST`.
pub(crate) fn answer(
    state: &AppState,
    token: &SessionToken,
    answer: &ThreeDsAnswer,
) -> Result<bool, ThreeDsError> {
    let password = state.config().three_ds_password.as_str();
    // Leaving the page and, when passed, the approval are one change: a restart finds the sale authorising.
    let ending = state
        .store()
        .update_sale(token, |sale| {
            sale.leave_redirect()?;
            let ending = ending_of(password, answer, sale.random_sum_centis);
            if ending.status == CallbackStatus::Approved {
                sale.authorise(ending.clone());
            }
            Ok(ending)
        })
        .ok_or(ThreeDsError::UnknownToken)?
        .map_err(ThreeDsError::NotAwaiting)?;
    let passed = ending.status == CallbackStatus::Approved;
    if passed {
        tracing::info!("3-D Secure passed");
        let approval = approval::approve(state.clone(), token.clone());
        state.spawn_outbound(token, approval);
    } else {
        finish(state, token, ending);
    }
    Ok(passed)
}

/// How the page's answer ends the sale: approved, or declined with why (spec 3.6; random sum, spec A21).
fn ending_of(
    expected_password: &str,
    answer: &ThreeDsAnswer,
    random_sum_centis: Option<u64>,
) -> Ending {
    let not_asked = || random_sum_centis.map(|_| AuthStatus::NotAuthenticated);
    let (password, random_sum) = match answer {
        ThreeDsAnswer::Cancel => {
            return Ending::not_authenticated("3-D Secure authentication cancelled")
                .with_random_sum(not_asked());
        }
        ThreeDsAnswer::Submit {
            password,
            random_sum,
        } => (password, random_sum),
    };
    if password != expected_password {
        return Ending::not_authenticated("3-D Secure authentication failed")
            .with_random_sum(not_asked());
    }
    let authenticated = Some(AuthStatus::Authenticated);
    let Some(expected) = random_sum_centis else {
        return Ending::approved(authenticated);
    };
    match random_sum.as_deref() {
        Some(typed) if typed == expected.to_string() => {
            Ending::approved(authenticated).with_random_sum(authenticated)
        }
        typed => {
            let why = if typed.is_some() {
                "random sum check failed: wrong amount"
            } else {
                "random sum check failed: no amount entered"
            };
            Ending {
                secure_3d: authenticated,
                ..Ending::failed(CallbackStatus::Declined, why)
            }
            .with_random_sum(Some(AuthStatus::NotAuthenticated))
        }
    }
}
