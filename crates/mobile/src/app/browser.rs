//! The consumer on the 3-D Secure page (spec 3.6, steps 13–17): open `redirectUrl`, fill the form, post
//! the "3DS status update", follow the answer to the "close browser request" page.
//!
//! Every URL comes from the gateway (`redirectUrl`) or from the page (`action`, redirects): none is built here.
//!
//! An answer to the status update without the close marker is a contract violation at step 17 (the close
//! page is a sandbox decision of spec 3.6, but one the gateway promises); a page the consumer cannot use
//! (no form, no button) or cannot fetch is a failure.
//!
//! The page runs beside the app's polling (`status`), as in the SDKs: what happens on it goes into a
//! [`SideLog`], merged into the report when the page is done. A consumer who leaves the page alone
//! (`three_ds = "ignore"`) never finishes it; the app closes it when the state leaves `REDIRECT_REQUEST`.

use sandbox_api::ContractViolation;
use sandbox_api::Observer;
use scenario::ThreeDs;
use url::Url;

use std::sync::atomic::{AtomicBool, Ordering};

use crate::app::SaleRun;
use crate::app::client::Client;
use crate::app::form::{self, FormError, Press};
use crate::app::wire::CallError;
use crate::report::{SideLog, steps};

/// Why the consumer could not finish the page.
#[derive(Debug, thiserror::Error)]
enum BrowserError {
    /// `redirectUrl` is not an absolute URL.
    #[error("redirectUrl {url:?} is not an absolute URL: {error}")]
    RedirectUrl {
        /// The status field.
        url: String,
        /// Why it did not parse.
        error: url::ParseError,
    },
    /// Fetching the page or posting the form failed.
    #[error(transparent)]
    Call(#[from] CallError),
    /// The page's form is not usable.
    #[error(transparent)]
    Form(#[from] FormError),
    /// The answer to the status update is not a "close browser request".
    #[error(
        "the page after the 3DS status update ({url}) has no <meta name=\"{}\" content=\"1\">",
        sandbox_api::three_ds::CLOSE_BROWSER_META
    )]
    NoCloseMarker {
        /// Where the browser ended up.
        url: Url,
    },
}

impl Client {
    /// Plays the consumer on the page at `redirect_url` as the scenario says, writing what happens to `log`;
    /// without `three_ds` in the scenario the page is unexpected: that fails, and the consumer cancels so that
    /// the sale ends. `submitted` is set once the page's answer is on its way (the "3DS status update"): from
    /// then on the page is not closed under the consumer, since its answer is the close request.
    pub(crate) async fn consumer_on_page(
        &self,
        run: &SaleRun<'_>,
        redirect_url: String,
        submitted: &AtomicBool,
        log: &SideLog,
    ) {
        let press = match &run.sale.three_ds {
            Some(ThreeDs::Password {
                password,
                random_sum_centis,
            }) => Some(Press::Submit {
                password,
                random_sum: *random_sum_centis,
            }),
            Some(ThreeDs::Cancel) => Some(Press::Cancel),
            Some(ThreeDs::Ignore) => None,
            None => {
                log.fail(
                    "unexpected 3-D Secure page (the scenario has no three_ds): cancelling it",
                );
                Some(Press::Cancel)
            }
        };
        match self.play_page(&redirect_url, press, submitted, log).await {
            Ok(()) => {}
            Err(BrowserError::NoCloseMarker { url }) => {
                let where_ = short_url(&url, &self.targets().gateway);
                let detail = format!("{where_}: no close marker");
                log.step(steps::CLOSE_BROWSER_REQUEST, detail);
                log.violation(no_close_marker(&where_));
            }
            Err(error) => log.fail(format!("3-D Secure page: {error}")),
        }
    }

    /// Opens the page and presses `press`; `None`: the consumer leaves it open, and this never returns.
    async fn play_page(
        &self,
        redirect_url: &str,
        press: Option<Press<'_>>,
        submitted: &AtomicBool,
        log: &SideLog,
    ) -> Result<(), BrowserError> {
        let url = Url::parse(redirect_url).map_err(|error| BrowserError::RedirectUrl {
            url: redirect_url.to_owned(),
            error,
        })?;
        let gateway = &self.targets().gateway;
        let opened = format!("GET {}", short_url(&url, gateway));
        log.step(steps::OPEN_BROWSER, opened);
        let page = self.get_page(&url).await?;
        let Some(press) = press else {
            // The consumer does nothing: the page stays open until the app closes it.
            return std::future::pending().await;
        };
        let filled = form::fill_form(&page.html, &page.url, press)?;
        let entered = match press {
            Press::Submit {
                password,
                random_sum,
            } => format!(
                "password ({} characters){}, presses {}",
                password.chars().count(),
                random_sum.map_or(String::new(), |_| " and the random sum".to_owned()),
                press.action()
            ),
            Press::Cancel => format!("presses {}", press.action()),
        };
        log.step(steps::ENTER_3DS_DATA, entered);
        let update = format!(
            "{} {} fields {}",
            filled.method,
            short_url(&filled.action, &page.url),
            filled.field_names()
        );
        log.step(steps::THREE_DS_STATUS_UPDATE, update);
        submitted.store(true, Ordering::Relaxed);
        let answer = self.submit(&filled).await?;
        if !form::has_close_marker(&answer.html) {
            return Err(BrowserError::NoCloseMarker { url: answer.url });
        }
        let via = if answer.url == filled.action {
            ""
        } else {
            "redirected to "
        };
        let closed = format!(
            "{via}{}: close marker found",
            short_url(&answer.url, &filled.action)
        );
        log.step(steps::CLOSE_BROWSER_REQUEST, closed);
        Ok(())
    }
}

/// The close page (spec 3.6 decision) lacks its marker.
fn no_close_marker(url: &str) -> ContractViolation {
    let rule = format!(
        "the answer to the 3DS status update must carry <meta name=\"{}\" content=\"1\">",
        sandbox_api::three_ds::CLOSE_BROWSER_META
    );
    ContractViolation {
        actual: Some(format!("page {url} without it")),
        ..ContractViolation::new(Observer::App, steps::CLOSE_BROWSER_REQUEST, "", rule)
    }
}

/// `url` without scheme and host when it has the same origin as `base` (then only path and query).
fn short_url(url: &Url, base: &Url) -> String {
    if url.origin() != base.origin() {
        return url.to_string();
    }
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shortened_only_on_the_same_origin() {
        let base = Url::parse("http://127.0.0.1:8080").unwrap();
        let same = base.join("/sim/3ds/t/done?result=success").unwrap();
        assert_eq!(short_url(&same, &base), "/sim/3ds/t/done?result=success");
        let other = Url::parse("http://acs.test:9000/p").unwrap();
        assert_eq!(short_url(&other, &base), "http://acs.test:9000/p");
    }
}
