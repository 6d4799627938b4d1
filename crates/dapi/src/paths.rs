//! The paths of every message (spec 3), relative to the party's base URL or the gateway's DAPI prefix, and the
//! one way an id goes into a path: percent-encoded as a single segment ([`segment`]), so that an id holding `/`,
//! `?`, `#` or `..` cannot re-route a request.

use crate::ids::{EndpointId, InvoiceId};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but the unreserved characters of RFC 3986 (`A–Z a–z 0–9 - _ ~`) is encoded; `.` too, so that `.`
/// and `..` cannot be read as dot-segments.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// `text` as one path segment.
pub fn segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// Access token request (spec 3.1), on the Connecting Party server.
pub const ACCESS_TOKEN: &str = "/auth/request-access-token";
/// Initiate sale (spec 3.2), on the Connecting Party server.
pub const INITIATE_SALE: &str = "/sale/initiate-sale";
/// Sale card mapping notification (spec 3.7), on the Connecting Party server.
pub const CARD_MAPPING_NOTIFICATION: &str = "/sale/notification";
/// The default final-status callback path (spec 3.8), on the Connecting Party server.
pub const CALLBACK: &str = "/callback";

/// Check sale (spec 3.4), on the Connecting Party server.
pub fn check_sale(invoice_id: &InvoiceId) -> String {
    format!("/sale/{}/check", segment(invoice_id.as_str()))
}

/// The app's request for its `clientCardId` (spec A24), on the Connecting Party server.
pub fn client_card_id(invoice_id: &InvoiceId) -> String {
    format!("/sale/{}/client-card-id", segment(invoice_id.as_str()))
}

/// Perform sale (spec 3.3), under the gateway's DAPI prefix.
pub fn perform_sale(endpoint_id: &EndpointId, invoice_id: &InvoiceId) -> String {
    format!(
        "/sale/{}/{}",
        segment(endpoint_id.as_str()),
        segment(invoice_id.as_str())
    )
}

/// Sale status (spec 3.5), under the gateway's DAPI prefix.
pub fn sale_status(endpoint_id: &EndpointId, invoice_id: &InvoiceId) -> String {
    format!("{}/status", perform_sale(endpoint_id, invoice_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_cannot_leave_its_segment() {
        assert_eq!(
            check_sale(&"INV-2024-000042".into()),
            "/sale/INV-2024-000042/check"
        );
        for id in ["../x", "a/b", "a?b", "a#b", "..", "%2F", "a b"] {
            let path = check_sale(&id.into());
            let inner = &path["/sale/".len()..path.len() - "/check".len()];
            assert!(
                !inner.contains(['/', '?', '#', '.', ' ']) && inner != "..",
                "{id} -> {path}"
            );
        }
        assert_eq!(segment("ü"), "%C3%BC");
        assert_eq!(
            sale_status(&"1234".into(), &"INV 1".into()),
            "/sale/1234/INV%201/status"
        );
    }
}
