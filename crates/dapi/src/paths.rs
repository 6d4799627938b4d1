//! The paths of every message (spec 3), relative to the party's base URL or the gateway's DAPI prefix, and the
//! one way an id goes into a path: percent-encoded as a single segment ([`segment`]), so that an id holding `/`,
//! `?`, `#` or `..` cannot re-route a request.

use crate::flow::Flow;
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

/// Initiate verification (addendum §2.2), on the Connecting Party server.
pub const INITIATE_VERIFICATION: &str = "/verification/initiate-verification";
/// Verification card mapping notification (addendum §2.7), on the Connecting Party server.
pub const VERIFICATION_CARD_MAPPING_NOTIFICATION: &str = "/verification/notification";

/// Check sale (spec 3.4), on the Connecting Party server.
pub fn check_sale(invoice_id: &InvoiceId) -> String {
    check(Flow::Sale, invoice_id)
}

/// Check sale (spec 3.4) or check verification (addendum §2.4), on the Connecting Party server.
pub fn check(flow: Flow, invoice_id: &InvoiceId) -> String {
    format!("/{flow}/{}/check", segment(invoice_id.as_str()))
}

/// The app's request for its `clientCardId` (spec A24), on the Connecting Party server.
pub fn client_card_id(invoice_id: &InvoiceId) -> String {
    client_card_id_of(Flow::Sale, invoice_id)
}

/// The app's request for the `clientCardId` mapped in a sale (spec A24) or a verification (addendum V17).
pub fn client_card_id_of(flow: Flow, invoice_id: &InvoiceId) -> String {
    format!("/{flow}/{}/client-card-id", segment(invoice_id.as_str()))
}

/// The card mapping notification of a flow, on the Connecting Party server.
pub fn card_mapping_notification(flow: Flow) -> &'static str {
    match flow {
        Flow::Sale => CARD_MAPPING_NOTIFICATION,
        Flow::Verification => VERIFICATION_CARD_MAPPING_NOTIFICATION,
    }
}

/// Perform sale (spec 3.3), under the gateway's DAPI prefix.
pub fn perform_sale(endpoint_id: &EndpointId, invoice_id: &InvoiceId) -> String {
    perform(Flow::Sale, endpoint_id, invoice_id)
}

/// Perform sale (spec 3.3) or perform validation (addendum §2.3), under the gateway's DAPI prefix.
pub fn perform(flow: Flow, endpoint_id: &EndpointId, invoice_id: &InvoiceId) -> String {
    format!(
        "/{flow}/{}/{}",
        segment(endpoint_id.as_str()),
        segment(invoice_id.as_str())
    )
}

/// Sale status (spec 3.5), under the gateway's DAPI prefix.
pub fn sale_status(endpoint_id: &EndpointId, invoice_id: &InvoiceId) -> String {
    status(Flow::Sale, endpoint_id, invoice_id)
}

/// Sale status (spec 3.5) or verification status (addendum §2.5), under the gateway's DAPI prefix.
pub fn status(flow: Flow, endpoint_id: &EndpointId, invoice_id: &InvoiceId) -> String {
    format!("{}/status", perform(flow, endpoint_id, invoice_id))
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

    #[test]
    fn verification_paths_follow_the_addendum() {
        let (endpoint, invoice) = (EndpointId::from("5678"), InvoiceId::from("VER-2024-000107"));
        let flow = Flow::Verification;
        assert_eq!(
            perform(flow, &endpoint, &invoice),
            "/verification/5678/VER-2024-000107"
        );
        assert_eq!(
            status(flow, &endpoint, &invoice),
            "/verification/5678/VER-2024-000107/status"
        );
        assert_eq!(check(flow, &invoice), "/verification/VER-2024-000107/check");
        assert_eq!(
            client_card_id_of(flow, &"a/b".into()),
            "/verification/a%2Fb/client-card-id"
        );
        assert_eq!(
            card_mapping_notification(flow),
            "/verification/notification"
        );
    }
}
