//! Wrong values for wrong answers, each never the right one: another endpoint id to sign with, another nonce,
//! gateway token, invoice id, currency or e-mail.

use crate::auth::random_alphanumeric;
use crate::sale::SaleTerms;
use dapi::{Email, EndpointId, InvoiceId, Nonce, SessionToken};
use uuid::Uuid;

/// The endpoint id with a `0` appended: never the real one, so whatever is signed with it does not verify.
pub(super) fn wrong_endpoint(endpoint_id: &EndpointId) -> EndpointId {
    EndpointId::from(format!("{endpoint_id}0"))
}

/// The sale's terms with a wrong endpoint id, to sign a `checkSignature` that does not verify.
pub(super) fn wrong_terms(terms: &SaleTerms) -> SaleTerms {
    SaleTerms {
        endpoint_id: wrong_endpoint(&terms.endpoint_id),
        ..terms.clone()
    }
}

/// A random 64-character nonce other than `nonce`.
pub(super) fn other_nonce(nonce: &Nonce) -> Nonce {
    other(nonce, || Nonce::from(random_alphanumeric(64)))
}

/// A random gateway session token (a UUID, as the sandbox gateway's) other than `token`.
pub(super) fn other_token(token: &SessionToken) -> SessionToken {
    other(token, || SessionToken::from(Uuid::new_v4().to_string()))
}

/// A random invoice id, shaped as the server's, other than `invoice_id`.
pub(super) fn other_invoice(invoice_id: &InvoiceId) -> InvoiceId {
    other(invoice_id, || {
        InvoiceId::from(format!("INV-{}", Uuid::new_v4().simple()))
    })
}

/// Another ISO 4217 code than `currency`.
pub(super) fn other_currency(currency: &str) -> String {
    let other = if currency == "USD" { "EUR" } else { "USD" };
    other.to_owned()
}

/// Another e-mail than `email` (or than none).
pub(super) fn other_email(email: Option<&Email>) -> Email {
    let other = if email.map(Email::as_str) == Some("other@example.com") {
        "another@example.com"
    } else {
        "other@example.com"
    };
    Email::from(other)
}

/// The first value `make` returns that is not `right`.
fn other<T: PartialEq>(right: &T, make: impl Fn() -> T) -> T {
    loop {
        let candidate = make();
        if &candidate != right {
            return candidate;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wrong_value_differs_from_the_right_one() {
        assert_eq!(wrong_endpoint(&EndpointId::from("1234")).as_str(), "12340");
        let nonce = Nonce::from("n".repeat(64));
        let other = other_nonce(&nonce);
        assert_ne!(other, nonce);
        assert_eq!(other.as_str().len(), 64);
        let token = SessionToken::from("0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b");
        assert_eq!(other_token(&token).as_str().len(), 36);
        assert_ne!(other_token(&token), token);
        let invoice_id = InvoiceId::from("INV-1");
        assert!(other_invoice(&invoice_id).as_str().starts_with("INV-"));
        assert_ne!(other_invoice(&invoice_id), invoice_id);
        assert_eq!(
            (other_currency("EUR"), other_currency("USD")),
            ("USD".into(), "EUR".into())
        );
        let mail = Email::from("other@example.com");
        assert_ne!(other_email(Some(&mail)), mail);
        assert_eq!(other_email(None), mail);
    }
}
