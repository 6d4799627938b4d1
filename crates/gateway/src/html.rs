//! The sandbox's two HTML pages (spec 3.6 decision): the 3-D Secure form and the "close browser request".
//! Every value is escaped; field names come from `dapi::sim`, which the mobile client reads them with.

use crate::flow::ThreeDsPage;
use sandbox_api::three_ds::CLOSE_BROWSER_META;
use sandbox_api::three_ds::THREE_DS_ACTION_FIELD;
use sandbox_api::three_ds::THREE_DS_CANCEL;
use sandbox_api::three_ds::THREE_DS_PASSWORD_FIELD;
use sandbox_api::three_ds::THREE_DS_SUBMIT;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem}\
    .notice{color:#8a4b00}.hint{background:#fff4d6;padding:.5rem}dt{font-weight:bold}\
    input{width:100%;padding:.4rem;margin:.3rem 0}button{margin:.5rem .5rem 0 0;padding:.4rem 1rem}";

/// Escapes text for HTML content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// The 3-D Secure form: password, Submit and Cancel, posting to `action`; shows the expected password.
pub(crate) fn three_ds_form(page: &ThreeDsPage, action: &str, password: &str) -> String {
    let card = page.masked_pan.as_deref().unwrap_or("card on file");
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>3-D Secure authentication (sandbox)</title>
<style>{STYLE}</style>
</head>
<body>
<h1>3-D Secure authentication</h1>
<p class="notice">ConnPay sandbox simulation, not a real bank page.</p>
<dl>
<dt>Amount</dt><dd id="amount">{amount} {currency}</dd>
<dt>Card</dt><dd id="card">{card}</dd>
<dt>Order</dt><dd id="invoice">{invoice}</dd>
</dl>
<form method="post" action="{action}">
<label for="{field}">Password</label>
<input type="password" id="{field}" name="{field}" autocomplete="off" autofocus>
<p class="hint">Sandbox hint: the password is: {password}</p>
<button type="submit" name="{action_field}" value="{submit}">Submit</button>
<button type="submit" name="{action_field}" value="{cancel}">Cancel</button>
</form>
</body>
</html>
"#,
        amount = escape(&page.amount),
        currency = escape(&page.currency),
        card = escape(card),
        invoice = escape(page.invoice_id.as_str()),
        action = escape(action),
        field = THREE_DS_PASSWORD_FIELD,
        password = escape(password),
        action_field = THREE_DS_ACTION_FIELD,
        submit = THREE_DS_SUBMIT,
        cancel = THREE_DS_CANCEL,
    )
}

/// The "close browser request": a page that asks to be closed, by meta tag and by script.
pub(crate) fn close_page(success: Option<bool>) -> String {
    let outcome = match success {
        Some(true) => "Authentication succeeded.",
        Some(false) => "Authentication failed.",
        None => "Authentication finished.",
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="{CLOSE_BROWSER_META}" content="1">
<title>3-D Secure finished (sandbox)</title>
<style>{STYLE}</style>
</head>
<body>
<p id="result">{outcome} You can close this window.</p>
<script>window.close();</script>
</body>
</html>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_has_the_documented_fields_and_the_hint() {
        let page = ThreeDsPage {
            invoice_id: "INV-<1>".into(),
            amount: "10.50".into(),
            currency: "EUR".into(),
            masked_pan: Some("411111******1111".into()),
        };
        let html = three_ds_form(&page, "http://gw.test/sim/3ds/t?a=1&b=2", "hint");
        assert!(
            html.contains(r#"<form method="post" action="http://gw.test/sim/3ds/t?a=1&amp;b=2">"#)
        );
        assert!(html.contains(r#"<input type="password" id="password" name="password""#));
        assert!(html.contains(r#"name="action" value="submit""#));
        assert!(html.contains(r#"name="action" value="cancel""#));
        assert!(html.contains("the password is: hint"));
        assert!(html.contains("10.50 EUR") && html.contains("411111******1111"));
        assert!(html.contains("INV-&lt;1&gt;"));
    }

    #[test]
    fn the_close_page_asks_to_be_closed() {
        let html = close_page(Some(true));
        assert!(html.contains(r#"<meta name="dapi-close" content="1">"#));
        assert!(html.contains("window.close()"));
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
