//! The sandbox's two HTML pages (spec 3.6 decision), rendered from the askama templates in `templates/`, which
//! are compiled and checked at build time and escape every value they show: the 3-D Secure form and the
//! "close browser request". Field names come from `sandbox_api::three_ds`, which the mobile client reads them
//! with.

use crate::sale::ThreeDsPage;
use askama::Template;
use sandbox_api::three_ds::{
    CLOSE_BROWSER_META, THREE_DS_ACTION_FIELD, THREE_DS_CANCEL, THREE_DS_PASSWORD_FIELD,
    THREE_DS_RANDOM_SUM_FIELD, THREE_DS_SUBMIT,
};

/// The 3-D Secure form (`templates/three_ds.html`): password, Submit and Cancel, posting to `action`; shows the
/// expected password. When check sale asked for a random-sum check, also a field for the amount (in minor
/// units), whose value it does not show: the consumer knows it from the statement (spec A21).
#[derive(Template)]
#[template(path = "three_ds.html")]
pub(crate) struct ThreeDsForm<'a> {
    /// What the page shows about the sale.
    page: &'a ThreeDsPage,
    /// The masked card number, or "card on file".
    card: &'a str,
    /// Where the form posts: the page's own URL.
    action: &'a str,
    /// The password the page accepts, shown as the sandbox's hint.
    password: &'a str,
}

// The names the template reads: askama resolves upper-case names as items of this module.
const PASSWORD_FIELD: &str = THREE_DS_PASSWORD_FIELD;
const RANDOM_SUM_FIELD: &str = THREE_DS_RANDOM_SUM_FIELD;
const ACTION_FIELD: &str = THREE_DS_ACTION_FIELD;
const SUBMIT: &str = THREE_DS_SUBMIT;
const CANCEL: &str = THREE_DS_CANCEL;

impl<'a> ThreeDsForm<'a> {
    /// The form of `page`, posting to `action`.
    pub(crate) fn new(page: &'a ThreeDsPage, action: &'a str, password: &'a str) -> Self {
        let card = page.masked_pan.as_deref().unwrap_or("card on file");
        Self {
            page,
            card,
            action,
            password,
        }
    }
}

/// The "close browser request" (`templates/close.html`): a page that asks to be closed, by the
/// `<meta name="dapi-close" content="1">` marker and by script.
#[derive(Template)]
#[template(path = "close.html")]
pub(crate) struct ClosePage {
    /// How the authentication went, in words.
    outcome: &'static str,
}

impl ClosePage {
    /// The page after an answer that passed (`Some(true)`), failed (`Some(false)`) or is not said (`None`).
    pub(crate) fn new(success: Option<bool>) -> Self {
        let outcome = match success {
            Some(true) => "Authentication succeeded.",
            Some(false) => "Authentication failed.",
            None => "Authentication finished.",
        };
        Self { outcome }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(invoice: &str, currency: &str, masked_pan: &str) -> ThreeDsPage {
        ThreeDsPage {
            invoice_id: invoice.into(),
            amount: "10.50".into(),
            currency: currency.into(),
            masked_pan: Some(masked_pan.into()),
            asks_random_sum: false,
        }
    }

    #[test]
    fn the_form_has_the_documented_fields_and_the_hint() {
        let page = page("INV-<1>", "EUR", "411111******1111");
        let html = ThreeDsForm::new(&page, "http://gw.test/sim/3ds/t?a=1&b=2", "hint")
            .render()
            .unwrap();
        assert!(
            html.contains(r#"<form method="post" action="http://gw.test/sim/3ds/t?a=1&#38;b=2">"#),
            "{html}"
        );
        assert!(html.contains(r#"<input type="password" id="password" name="password""#));
        assert!(html.contains(r#"name="action" value="submit""#));
        assert!(html.contains(r#"name="action" value="cancel""#));
        assert!(html.contains("the password is: hint"));
        assert!(html.contains("10.50 EUR") && html.contains("411111******1111"));
        assert!(html.contains("INV-&#60;1&#62;"));
        assert!(
            !html.contains("randomSum"),
            "no random-sum field unless asked"
        );
        let asking = ThreeDsPage {
            asks_random_sum: true,
            ..page
        };
        let html = ThreeDsForm::new(&asking, "/", "hint").render().unwrap();
        assert!(
            html.contains(r#"<input type="text" id="randomSum" name="randomSum" inputmode="numeric" autocomplete="off">"#),
            "{html}"
        );
    }

    #[test]
    fn every_value_the_form_shows_is_escaped() {
        let script = r#"<script>alert("x")</script>'&"#;
        let page = page(script, script, script);
        let html = ThreeDsForm::new(&page, script, script).render().unwrap();
        assert!(!html.contains("<script>alert"), "{html}");
        let escaped = "&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#39;&#38;";
        // Invoice id, currency, masked card number, the form's action and the password hint.
        assert_eq!(html.matches(escaped).count(), 5, "{html}");
        let card_on_file = ThreeDsPage {
            masked_pan: None,
            ..page
        };
        let html = ThreeDsForm::new(&card_on_file, "/", "hint")
            .render()
            .unwrap();
        assert!(
            html.contains(r#"<dd id="card">card on file</dd>"#),
            "{html}"
        );
    }

    #[test]
    fn the_form_fits_a_phone_screen() {
        let page = page("INV-1", "EUR", "411111******1111");
        let html = ThreeDsForm::new(&page, "/", "hint").render().unwrap();
        assert!(
            html.contains(
                r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#
            )
        );
        // `width:100%` plus padding would overflow its container without border-box sizing.
        assert!(html.contains("*,*::before,*::after{box-sizing:border-box}"));
        assert!(html.contains("input{width:100%;padding:.4rem"));
    }

    #[test]
    fn the_close_page_asks_to_be_closed() {
        let html = ClosePage::new(Some(true)).render().unwrap();
        assert!(
            html.contains(r#"<meta name="dapi-close" content="1">"#),
            "{html}"
        );
        assert!(html.contains("window.close()"));
        assert!(html.contains("Authentication succeeded. You can close this window."));
        let failed = ClosePage::new(Some(false)).render().unwrap();
        assert!(failed.contains("Authentication failed."));
        assert!(
            ClosePage::new(None)
                .render()
                .unwrap()
                .contains("Authentication finished.")
        );
    }
}
