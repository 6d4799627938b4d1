//! The sandbox's own paths (all under `/sim/`), relative to a server's base URL. Ids are percent-encoded as one
//! path segment each ([`dapi::segment`]), so an id with `/`, `?`, `#` or `..` cannot change which resource is
//! addressed.

use dapi::{EndpointId, Flow, InvoiceId, segment};

/// The `/sim/` collection of a flow's records: `/sim/sales` or `/sim/verifications` (addendum §5, the sale
/// hooks' twins).
pub fn records_of(flow: Flow) -> &'static str {
    match flow {
        Flow::Sale => "/sim/sales",
        Flow::Verification => "/sim/verifications",
    }
}

/// Path of the party's record of one sale ([`crate::PartySaleRecord`]).
pub fn party_record_path(invoice_id: &InvoiceId) -> String {
    party_record_path_of(Flow::Sale, invoice_id)
}

/// Path of the party's record of one sale or verification.
pub fn party_record_path_of(flow: Flow, invoice_id: &InvoiceId) -> String {
    format!("{}/{}", records_of(flow), segment(invoice_id.as_str()))
}

/// Path that sets the party's misbehaviour for one sale ([`crate::PartyMisbehaviour`]).
pub fn party_misbehave_path(invoice_id: &InvoiceId) -> String {
    party_misbehave_path_of(Flow::Sale, invoice_id)
}

/// Path that sets the party's misbehaviour for one sale or verification.
pub fn party_misbehave_path_of(flow: Flow, invoice_id: &InvoiceId) -> String {
    format!("{}/misbehave", party_record_path_of(flow, invoice_id))
}

/// Path of the gateway's record of one sale ([`crate::GatewaySaleRecord`]).
pub fn gateway_record_path(endpoint_id: &EndpointId, invoice_id: &InvoiceId) -> String {
    gateway_record_path_of(Flow::Sale, endpoint_id, invoice_id)
}

/// Path of the gateway's record of one sale or verification.
pub fn gateway_record_path_of(
    flow: Flow,
    endpoint_id: &EndpointId,
    invoice_id: &InvoiceId,
) -> String {
    format!(
        "{}/{}/{}",
        records_of(flow),
        segment(endpoint_id.as_str()),
        segment(invoice_id.as_str())
    )
}

/// Path that sets the gateway's misbehaviour for one sale ([`crate::GatewayMisbehaviour`]); may be set before
/// perform.
pub fn gateway_misbehave_path(endpoint_id: &EndpointId, invoice_id: &InvoiceId) -> String {
    gateway_misbehave_path_of(Flow::Sale, endpoint_id, invoice_id)
}

/// Path that sets the gateway's misbehaviour for one sale or verification; may be set before perform.
pub fn gateway_misbehave_path_of(
    flow: Flow,
    endpoint_id: &EndpointId,
    invoice_id: &InvoiceId,
) -> String {
    format!(
        "{}/misbehave",
        gateway_record_path_of(flow, endpoint_id, invoice_id)
    )
}

/// Path of the gateway's delivery log (`GET`, optional `?invoiceId=` and `?state=`).
pub const DELIVERIES_PATH: &str = "/sim/deliveries";

/// Path of a server's message journal (`GET`, [`crate::JournalPage`]; `?format=ndjson` exports it).
pub const JOURNAL_PATH: &str = "/sim/journal";

/// Path of a server's dashboard (HTML); `/` redirects to it.
pub const DASHBOARD_PATH: &str = "/sandbox/";

/// Path and query of one sale's deliveries: `/sim/deliveries?invoiceId=…`, the id form-encoded.
pub fn invoice_deliveries_path(invoice_id: &InvoiceId) -> String {
    let query: String = form_urlencoded(invoice_id.as_str());
    format!("{DELIVERIES_PATH}?invoiceId={query}")
}

/// `text` form-encoded as a query value: unreserved characters as they are, every other byte `%XX`.
fn form_urlencoded(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Path that re-sends one delivery (`POST`), e.g. a dead-lettered callback.
pub fn replay_path(delivery_id: &str) -> String {
    format!("/sim/deliveries/{}/replay", segment(delivery_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_one_segment_whatever_they_contain() {
        for (id, path) in [
            ("INV-1", "/sim/sales/INV-1"),
            ("a/b", "/sim/sales/a%2Fb"),
            ("..", "/sim/sales/%2E%2E"),
            ("x?y#z", "/sim/sales/x%3Fy%23z"),
        ] {
            assert_eq!(party_record_path(&id.into()), path);
        }
        assert_eq!(
            gateway_misbehave_path(&"1234".into(), &"a b".into()),
            "/sim/sales/1234/a%20b/misbehave"
        );
        let verification = Flow::Verification;
        assert_eq!(
            party_record_path_of(verification, &"VER-1".into()),
            "/sim/verifications/VER-1"
        );
        assert_eq!(
            gateway_misbehave_path_of(verification, &"5678".into(), &"a/b".into()),
            "/sim/verifications/5678/a%2Fb/misbehave"
        );
        assert_eq!(
            invoice_deliveries_path(&"INV 1&x=2".into()),
            "/sim/deliveries?invoiceId=INV%201%26x%3D2"
        );
    }
}
