//! Reading the simulated 3-D Secure page (spec 3.6 decision) as a browser would, with an HTML parser:
//! find the form holding the button the consumer presses, collect its fields, fill the password, resolve
//! the `action` against the page's URL. Also spots the "close browser request" marker of the answer page.

use std::fmt;

use sandbox_api::three_ds::CLOSE_BROWSER_META;
use sandbox_api::three_ds::THREE_DS_ACTION_FIELD;
use sandbox_api::three_ds::THREE_DS_CANCEL;
use sandbox_api::three_ds::THREE_DS_PASSWORD_FIELD;
use sandbox_api::three_ds::THREE_DS_RANDOM_SUM_FIELD;
use sandbox_api::three_ds::THREE_DS_SUBMIT;
use scraper::{ElementRef, Html};
use url::Url;

/// The button the consumer presses.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Press<'a> {
    /// Types this password (and the random sum, when given), then presses "Submit".
    Submit {
        /// The 3-D Secure password.
        password: &'a str,
        /// The amount for the random-sum field, in minor units; `None` leaves the field as it is (empty).
        random_sum: Option<u64>,
    },
    /// Presses "Cancel".
    Cancel,
}

impl Press<'_> {
    /// The value of [`THREE_DS_ACTION_FIELD`] for this button.
    pub(crate) fn action(&self) -> &'static str {
        match self {
            Self::Submit { .. } => THREE_DS_SUBMIT,
            Self::Cancel => THREE_DS_CANCEL,
        }
    }
}

/// A form's HTTP method (HTML: `get` unless `method="post"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    /// Fields go into the query.
    Get,
    /// Fields go into a form-urlencoded body.
    Post,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Get => "GET",
            Self::Post => "POST",
        })
    }
}

/// A form ready to submit: where, how, and the fields a browser would send, in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Filled {
    /// The resolved `action`.
    pub(crate) action: Url,
    /// The form's method.
    pub(crate) method: Method,
    /// Name/value pairs, the pressed button last.
    pub(crate) fields: Vec<(String, String)>,
}

impl Filled {
    /// The field names (never their values: one is a password), for a report line.
    pub(crate) fn field_names(&self) -> String {
        let names: Vec<&str> = self.fields.iter().map(|(name, _)| name.as_str()).collect();
        names.join(", ")
    }
}

/// Why the page could not be used.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FormError {
    /// No `<form>` on the page.
    #[error("the page has no <form>")]
    NoForm,
    /// No form has the button to press.
    #[error("no form has a button {THREE_DS_ACTION_FIELD}={0}")]
    NoButton(&'static str),
    /// The form has no password field to fill.
    #[error("the form has no input named {THREE_DS_PASSWORD_FIELD:?}")]
    NoPasswordField,
    /// The scenario answers a random-sum check, and the form asks for none.
    #[error("the form has no input named {THREE_DS_RANDOM_SUM_FIELD:?} for the random sum")]
    NoRandomSumField,
    /// The `action` is not a URL, even relative to the page.
    #[error("the form action {action:?} is not a URL: {error}")]
    BadAction {
        /// The attribute's text.
        action: String,
        /// Why it did not resolve.
        error: url::ParseError,
    },
}

/// Fills the form of `html` (fetched from `page`) that has the button `press` names.
pub(crate) fn fill_form(html: &str, page: &Url, press: Press<'_>) -> Result<Filled, FormError> {
    let document = Html::parse_document(html);
    let forms: Vec<ElementRef<'_>> = elements(document.root_element(), "form").collect();
    if forms.is_empty() {
        return Err(FormError::NoForm);
    }
    let form = forms
        .into_iter()
        .find(|form| has_button(*form, press.action()))
        .ok_or(FormError::NoButton(press.action()))?;
    let mut fields = successful_fields(form);
    if let Press::Submit {
        password,
        random_sum,
    } = press
    {
        let slot = fields
            .iter_mut()
            .find(|(name, _)| name == THREE_DS_PASSWORD_FIELD)
            .ok_or(FormError::NoPasswordField)?;
        password.clone_into(&mut slot.1);
        if let Some(centis) = random_sum {
            let slot = fields
                .iter_mut()
                .find(|(name, _)| name == THREE_DS_RANDOM_SUM_FIELD)
                .ok_or(FormError::NoRandomSumField)?;
            slot.1 = centis.to_string();
        }
    }
    fields.push((THREE_DS_ACTION_FIELD.to_owned(), press.action().to_owned()));
    let action_text = form.attr("action").unwrap_or_default();
    let action = page
        .join(action_text)
        .map_err(|error| FormError::BadAction {
            action: action_text.to_owned(),
            error,
        })?;
    let method = match form.attr("method") {
        Some(method) if method.eq_ignore_ascii_case("post") => Method::Post,
        _ => Method::Get,
    };
    Ok(Filled {
        action,
        method,
        fields,
    })
}

/// Whether the page carries the "close browser request" marker `<meta name="dapi-close" content="1">`.
pub(crate) fn has_close_marker(html: &str) -> bool {
    let document = Html::parse_document(html);
    elements(document.root_element(), "meta").any(|meta| {
        meta.attr("name") == Some(CLOSE_BROWSER_META) && meta.attr("content") == Some("1")
    })
}

fn elements<'a>(root: ElementRef<'a>, name: &'static str) -> impl Iterator<Item = ElementRef<'a>> {
    root.descendent_elements()
        .filter(move |element| element.value().name() == name)
}

/// Whether `form` has a submit button named [`THREE_DS_ACTION_FIELD`] with this value.
fn has_button(form: ElementRef<'_>, value: &str) -> bool {
    form.descendent_elements()
        .filter(|element| is_submit_button(*element))
        .any(|button| {
            button.attr("name") == Some(THREE_DS_ACTION_FIELD)
                && button.attr("value") == Some(value)
        })
}

fn is_submit_button(element: ElementRef<'_>) -> bool {
    let kind = element.attr("type").unwrap_or_default();
    match element.value().name() {
        "input" => kind.eq_ignore_ascii_case("submit") || kind.eq_ignore_ascii_case("image"),
        "button" => kind.is_empty() || kind.eq_ignore_ascii_case("submit"),
        _ => false,
    }
}

/// The fields a browser sends (HTML "successful controls"), buttons excepted: named, enabled inputs
/// (checkboxes and radios only when checked) and textareas. The sandbox page has no `<select>`.
fn successful_fields(form: ElementRef<'_>) -> Vec<(String, String)> {
    form.descendent_elements()
        .filter(|element| element.attr("disabled").is_none())
        .filter_map(|element| {
            let name = element.attr("name").filter(|name| !name.is_empty())?;
            let kind = element.attr("type").unwrap_or("text").to_ascii_lowercase();
            let value = match (element.value().name(), kind.as_str()) {
                ("textarea", _) => element.text().collect(),
                ("input", "submit" | "image" | "button" | "reset" | "file") => return None,
                ("input", "checkbox" | "radio") => {
                    element.attr("checked")?;
                    element.attr("value").unwrap_or("on").to_owned()
                }
                ("input", _) => element.attr("value").unwrap_or_default().to_owned(),
                _ => return None,
            };
            Some((name.to_owned(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page the brief describes: a password field and two submit buttons, plus a hidden field.
    fn page(action: &str) -> String {
        format!(
            r#"<!doctype html><html><head><title>3-D Secure</title></head><body>
            <p>Sandbox: the password is <b>hint</b></p>
            <form method="POST" action="{action}">
              <input type="hidden" name="attempt" value="1">
              <label>Password <input type="password" name="password" autocomplete="off"></label>
              <input type="checkbox" name="remember" value="yes">
              <button type="submit" name="action" value="submit">Submit</button>
              <button type="submit" name="action" value="cancel">Cancel</button>
            </form></body></html>"#
        )
    }

    fn at() -> Url {
        Url::parse("http://127.0.0.1:8080/sim/3ds/0b9f6a4e-3c2d").unwrap()
    }

    #[test]
    fn submit_fills_the_password_and_presses_submit() {
        let filled = fill_form(
            &page("/sim/3ds/0b9f6a4e-3c2d"),
            &at(),
            Press::Submit {
                password: "hint",
                random_sum: None,
            },
        )
        .unwrap();
        assert_eq!(filled.method, Method::Post);
        assert_eq!(
            filled.action.as_str(),
            "http://127.0.0.1:8080/sim/3ds/0b9f6a4e-3c2d"
        );
        let expected = [("attempt", "1"), ("password", "hint"), ("action", "submit")];
        let fields: Vec<(&str, &str)> = filled
            .fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(fields, expected);
        assert_eq!(filled.field_names(), "attempt, password, action");
    }

    #[test]
    fn cancel_presses_cancel_and_leaves_the_password_empty() {
        let filled = fill_form(&page("done"), &at(), Press::Cancel).unwrap();
        assert_eq!(
            filled.fields.last(),
            Some(&("action".to_owned(), "cancel".to_owned()))
        );
        assert!(
            filled
                .fields
                .contains(&("password".to_owned(), String::new()))
        );
    }

    #[test]
    fn actions_resolve_relative_to_the_page_or_stay_absolute() {
        let resolve = |action: &str| {
            fill_form(&page(action), &at(), Press::Cancel)
                .unwrap()
                .action
                .to_string()
        };
        assert_eq!(resolve("confirm"), "http://127.0.0.1:8080/sim/3ds/confirm");
        assert_eq!(
            resolve("0b9f6a4e-3c2d/post"),
            "http://127.0.0.1:8080/sim/3ds/0b9f6a4e-3c2d/post"
        );
        assert_eq!(
            resolve("/acs/post?x=1"),
            "http://127.0.0.1:8080/acs/post?x=1"
        );
        assert_eq!(resolve("http://acs.test:9000/p"), "http://acs.test:9000/p");
        assert_eq!(resolve(""), at().to_string());
    }

    #[test]
    fn a_form_without_method_is_a_get_form() {
        let html = page("x").replace(r#"method="POST" "#, "");
        assert_eq!(
            fill_form(&html, &at(), Press::Cancel).unwrap().method,
            Method::Get
        );
    }

    #[test]
    fn pages_without_what_the_consumer_needs_are_refused() {
        let submit = Press::Submit {
            password: "hint",
            random_sum: None,
        };
        assert_eq!(
            fill_form("<p>no form</p>", &at(), submit),
            Err(FormError::NoForm)
        );
        let no_cancel = page("x").replace(r#"value="cancel""#, r#"value="abort""#);
        assert_eq!(
            fill_form(&no_cancel, &at(), Press::Cancel),
            Err(FormError::NoButton("cancel"))
        );
        let no_password = page("x").replace(r#"name="password""#, r#"name="otp""#);
        assert_eq!(
            fill_form(&no_password, &at(), submit),
            Err(FormError::NoPasswordField)
        );
        let bad = fill_form(&page("http://[::1"), &at(), Press::Cancel);
        assert!(matches!(bad, Err(FormError::BadAction { .. })), "{bad:?}");
    }

    #[test]
    fn a_random_sum_is_typed_into_its_field_and_needs_one() {
        let with_sum = page("x").replace(
            r#"<input type="checkbox""#,
            r#"<input type="text" name="randomSum"><input type="checkbox""#,
        );
        let submit = Press::Submit {
            password: "hint",
            random_sum: Some(37),
        };
        let filled = fill_form(&with_sum, &at(), submit).unwrap();
        let sum = filled.fields.iter().find(|(name, _)| name == "randomSum");
        assert_eq!(sum.map(|(_, value)| value.as_str()), Some("37"));
        let left_empty = Press::Submit {
            password: "hint",
            random_sum: None,
        };
        let filled = fill_form(&with_sum, &at(), left_empty).unwrap();
        let sum = filled.fields.iter().find(|(name, _)| name == "randomSum");
        assert_eq!(sum.map(|(_, value)| value.as_str()), Some(""), "not at all");
        assert_eq!(
            fill_form(&page("x"), &at(), submit),
            Err(FormError::NoRandomSumField)
        );
    }

    #[test]
    fn the_close_marker_is_found_only_with_content_1() {
        let done = r#"<html><head><meta name="dapi-close" content="1"><script>window.close()</script></head></html>"#;
        assert!(has_close_marker(done));
        assert!(!has_close_marker(
            &done.replace("content=\"1\"", "content=\"0\"")
        ));
        assert!(!has_close_marker("<html><body>done</body></html>"));
    }
}
