//! The Connecting Party server's OpenAPI 3.1 document, served at `GET /openapi.json` and committed as
//! `docs/openapi/connpay-party.json`: the API a merchant's server implements (the app's calls and the
//! gateway's), with the documented error body of each message, and this reference server's sandbox routes,
//! tagged and marked (`x-sandbox-only`) as what a merchant does not implement. Generated from the types the
//! routes use (`api_description`), so it cannot drift from them.

use api_description::describe::json;
use api_description::model::OPENAPI_VERSION;
use api_description::{Document, Operation, PathItem, Schemas, Server, Tag};
use api_description::{connecting_party, journal, server};
use dapi::{InvoiceId, PartyCause, samples};
use sandbox_api::{PartyMisbehaviour, PartySaleRecord};
use std::collections::BTreeMap;

const APP: &str = "Called by the app";
const GATEWAY: &str = "Called by the gateway";
const SANDBOX: &str = "Sandbox only";
const SERVER: &str = "Server";

/// The reference server's default address, the document's server.
const DEFAULT_URL: &str = "http://127.0.0.1:8081";

/// The document of the Connecting Party API and this server's sandbox routes.
pub fn document() -> Document {
    let mut schemas = Schemas::default();
    let mut paths = connecting_party::app_paths(&mut schemas, APP);
    paths.extend(connecting_party::gateway_paths(&mut schemas, GATEWAY));
    paths.extend(sandbox_paths(&mut schemas));
    paths.extend(journal::journal_paths(
        &mut schemas,
        SANDBOX,
        "the Connecting Party server",
    ));
    paths.extend(journal::dashboard_paths(
        &mut schemas,
        SANDBOX,
        "the sales this server knows and every exchange it answered",
    ));
    paths.extend(server::paths(SERVER));
    Document {
        openapi: OPENAPI_VERSION,
        info: server::info("ConnPay Connecting Party API (connpay-sandbox)", DESCRIPTION),
        servers: vec![Server {
            url: DEFAULT_URL.to_owned(),
            description: "The reference Connecting Party server of connpay-sandbox, as started with no flags; \
                          yours is at your own address"
                .to_owned(),
        }],
        tags: tags(),
        paths,
        webhooks: BTreeMap::new(),
        components: schemas.into_components(),
    }
}

const DESCRIPTION: &str = "What a Connecting Party (merchant) server implements for the ConnPay (Payneteasy \
    \"DAPI\") Mobile Device Sale flow: the calls of the merchant's app (access token, initiate sale, its card \
    reference) and of the gateway (check sale, card mapping notification, final-status callback). The paths \
    are the reference layout; the app's ones are the merchant's own choice, the gateway's are configured per \
    endpoint. Signatures are HMAC-SHA1 keyed with the control key (dashes removed, hex-decoded) over the \
    documented fields, concatenated. Every error is `{\"error\":{\"cause\",\"code\",\"message\"},\"invoiceId\"}` \
    with a cause of `FILTERED`, `INVALID_REQUEST`, `SERVER_FAILED`, `SERVER_UNAVAILABLE`. Operations tagged \
    \"Sandbox only\" (`x-sandbox-only`) are the reference server's own: a merchant does not implement them.";

fn tags() -> Vec<Tag> {
    vec![
        Tag {
            name: APP,
            description: "The merchant's app calls these (spec 3.1, 3.2, A24); the layout is the merchant's choice.",
        },
        Tag {
            name: GATEWAY,
            description: "The gateway calls these (spec 3.4, 3.7, 3.8).",
        },
        Tag {
            name: SANDBOX,
            description: "The reference server's sandbox routes: a merchant does not implement them.",
        },
        Tag {
            name: SERVER,
            description: "Health and this document (the reference server's).",
        },
    ]
}

fn sandbox_paths(schemas: &mut Schemas) -> BTreeMap<String, PathItem> {
    let unknown = (404, "`INVALID_REQUEST`: no sale was initiated with this id");
    let record = Operation::new("partySaleRecord", "What the server recorded about a sale", SANDBOX)
        .sandbox_only()
        .describe(
            "The checks it answered, the card mapping it created, the callback it accepted and how often it \
             arrived, and the contract violations it saw in the gateway's messages.",
        )
        .path::<InvoiceId>(schemas, "invoiceId", "The sale")
        .example("invoiceId", samples::INVOICE_ID)
        .answer(200, json::<PartySaleRecord>(schemas, "The record", &[]))
        .errors::<PartyCause>(schemas, &[(400, "`INVALID_REQUEST`: a bad path"), unknown], None);
    let misbehave = Operation::new("partyMisbehave", "Make the server misbehave in one sale", SANDBOX)
        .sandbox_only()
        .describe(
            "Wrong answers on purpose (check sale, card mapping notification, callback) and faults for this \
             sale alone; `{}` resets. `delayMs` and `latencyMs` are at most 300000.",
        )
        .path::<InvoiceId>(schemas, "invoiceId", "The sale")
        .example("invoiceId", samples::INVOICE_ID)
        .json_body::<PartyMisbehaviour>(schemas, "The settings", &[])
        .answer(200, json::<PartyMisbehaviour>(schemas, "The settings now stored", &[]))
        .errors::<PartyCause>(
            schemas,
            &[
                (400, "`INVALID_REQUEST`: a bad path or body"),
                unknown,
                (413, "`INVALID_REQUEST`: the body is too large"),
            ],
            None,
        );
    BTreeMap::from([
        (
            "/sim/sales/{invoiceId}".to_owned(),
            PathItem {
                get: Some(record),
                post: None,
            },
        ),
        (
            "/sim/sales/{invoiceId}/misbehave".to_owned(),
            PathItem {
                get: None,
                post: Some(misbehave),
            },
        ),
    ])
}
