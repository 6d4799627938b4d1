//! Wrong values for wrong answers, each never the right one: another endpoint id to sign with, another nonce.

use crate::auth::random_alphanumeric;
use crate::sale::SaleTerms;
use dapi::{EndpointId, Nonce};

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
    }
}
