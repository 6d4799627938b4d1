//! The gateway's OpenAPI 3.1 document, served at `GET /openapi.json` and committed as
//! `docs/openapi/gateway.json`: the DAPI (perform sale, sale status) under the configured prefix, the simulated
//! 3-D Secure pages, the sandbox's control routes, and, as `webhooks`, the three requests the gateway sends to
//! the Connecting Party server. Generated from the types the routes use (`api_description`), so it cannot
//! drift from them.

use crate::config::Config;
use crate::delivery::DeliveryFilter;
use crate::routes::dapi_prefix;
use crate::routes::three_ds::DoneQuery;
use api_description::describe::{FORM, HTML, json, other, see_other};
use api_description::model::OPENAPI_VERSION;
use api_description::{Document, Operation, PathItem, Schemas, Server, Tag};
use api_description::{connecting_party, gateway, journal, server};
use dapi::{EndpointId, InvoiceId, SANDBOX_ENDPOINT_ID, SessionToken, StatusCause, samples};
use sandbox_api::three_ds::{
    THREE_DS_ACTION_FIELD, THREE_DS_CANCEL, THREE_DS_PASSWORD_FIELD, THREE_DS_SUBMIT,
};
use sandbox_api::{DeliveryList, DeliveryRecord, GatewayMisbehaviour, GatewaySaleRecord};
use schemars::json_schema;
use std::collections::BTreeMap;

const DAPI: &str = "DAPI";
const CONNECTING_PARTY: &str = "Sent to the Connecting Party";
const THREE_DS: &str = "3-D Secure page (sandbox)";
const SANDBOX: &str = "Sandbox control";
const SERVER: &str = "Server";

/// The document for this gateway: paths under its DAPI prefix, its public URL as the server.
pub fn document(config: &Config) -> Document {
    let mut schemas = Schemas::default();
    let endpoint_id = config
        .endpoints
        .first()
        .map_or(SANDBOX_ENDPOINT_ID, |endpoint| endpoint.id.as_str());
    let prefix = dapi_prefix(&config.dapi_prefix);
    let mut paths = gateway::paths(&mut schemas, &prefix, endpoint_id, DAPI);
    paths.extend(three_ds_paths(&mut schemas));
    paths.extend(sandbox_paths(&mut schemas, endpoint_id));
    paths.extend(journal::journal_paths(&mut schemas, SANDBOX, "the gateway"));
    paths.extend(journal::dashboard_paths(
        &mut schemas,
        SANDBOX,
        "every sale, a sale's sequence diagram across the three parties, its messages and deliveries",
    ));
    paths.extend(server::paths(SERVER));
    let webhooks = connecting_party::gateway_webhooks(&mut schemas, CONNECTING_PARTY);
    Document {
        openapi: OPENAPI_VERSION,
        info: server::info("ConnPay gateway (connpay-sandbox)", DESCRIPTION),
        servers: vec![Server {
            url: config.public_url.clone(),
            description: "This gateway (its public URL)".to_owned(),
        }],
        tags: tags(),
        paths,
        webhooks,
        components: schemas.into_components(),
    }
}

const DESCRIPTION: &str = "The fake ConnPay (Payneteasy \"DAPI\") gateway of connpay-sandbox: the Mobile Device \
    Sale API an app calls (perform sale, sale status), the simulated 3-D Secure pages, and the sandbox's control \
    routes (`x-sandbox-only`). The `webhooks` are the requests the gateway sends to the Connecting Party server \
    (check sale, card mapping notification, final-status callback); the Connecting Party's own document \
    (`connpay-party.json`) describes them as the paths a merchant implements. Every error is the documented \
    body `{\"error\":{\"cause\",\"code\",\"message\"},\"invoiceId\"}`.";

fn tags() -> Vec<Tag> {
    vec![
        Tag {
            name: DAPI,
            description: "The app's calls to the gateway (spec 3.3, 3.5).",
        },
        Tag {
            name: CONNECTING_PARTY,
            description: "The gateway's calls to the Connecting Party server (spec 3.4, 3.7, 3.8).",
        },
        Tag {
            name: THREE_DS,
            description: "The simulated bank page behind `redirectUrl` (spec 3.6 decision); the consumer's browser \
                          uses it. A real gateway has its own.",
        },
        Tag {
            name: SANDBOX,
            description: "Sandbox only: records, misbehaviour, the delivery log, the message journal and the dashboard; \
                          not part of the ConnPay API.",
        },
        Tag {
            name: SERVER,
            description: "Health and this document.",
        },
    ]
}

fn three_ds_paths(schemas: &mut Schemas) -> BTreeMap<String, PathItem> {
    let token = |operation: Operation, schemas: &mut Schemas| {
        operation
            .path::<SessionToken>(schemas, "token", "The sale's session token")
            .example("token", samples::TOKEN)
    };
    let unknown = (404, "`ORDER_NOT_FOUND`: no sale has this token");
    let not_waiting = (
        409,
        "`INVALID_REQUEST`: the sale is not waiting for 3-D Secure (any more)",
    );
    let page = Operation::new("threeDsPage", "The 3-D Secure page", THREE_DS).sandbox_only().describe(
        "Steps 13–15: the form the consumer fills in (the expected password is shown as a hint, spec A19).",
    );
    let page = token(page, schemas)
        .answer(
            200,
            other("The form", HTML, json_schema!({"type": "string"})),
        )
        .errors::<StatusCause>(schemas, &[unknown, not_waiting], None);
    let form = json_schema!({
        "type": "object",
        "properties": {
            THREE_DS_PASSWORD_FIELD: {"type": "string", "description": "What the consumer typed"},
            THREE_DS_ACTION_FIELD: {"type": "string", "enum": [THREE_DS_SUBMIT, THREE_DS_CANCEL]}
        },
        "required": [THREE_DS_ACTION_FIELD]
    });
    let answer = Operation::new("threeDsAnswer", "Answer the 3-D Secure page", THREE_DS).sandbox_only().describe(
        "Step 16, the \"3DS status update\": `submit` with the password, or `cancel`. The sale leaves \
         `REDIRECT_REQUEST`; the answer redirects to the close page (step 17).",
    );
    let answer = token(answer, schemas)
        .body(
            FORM,
            "The form's fields (`password` is needed with `submit`)",
            form,
        )
        .answer(
            303,
            see_other("To the close page, `…/done?result=success|failure`"),
        )
        .errors::<StatusCause>(
            schemas,
            &[
                (400, "`INVALID_REQUEST`: not the form's fields"),
                unknown,
                not_waiting,
            ],
            None,
        );
    let done = Operation::new("threeDsDone", "The close page", THREE_DS).sandbox_only().describe(
        "Step 17, the \"close browser request\": carries `<meta name=\"dapi-close\" content=\"1\">`; an app may \
         close its browser here, or when the status leaves `REDIRECT_REQUEST`.",
    );
    let done = token(done, schemas)
        .query::<DoneQuery>(schemas, None)
        .answer(
            200,
            other("The page", HTML, json_schema!({"type": "string"})),
        )
        .errors::<StatusCause>(schemas, &[unknown], None);
    BTreeMap::from([
        (
            "/sim/3ds/{token}".to_owned(),
            PathItem {
                get: Some(page),
                post: Some(answer),
            },
        ),
        (
            "/sim/3ds/{token}/done".to_owned(),
            PathItem {
                get: Some(done),
                post: None,
            },
        ),
    ])
}

fn sandbox_paths(schemas: &mut Schemas, endpoint_id: &str) -> BTreeMap<String, PathItem> {
    let sale = |operation: Operation, schemas: &mut Schemas| {
        operation
            .sandbox_only()
            .path::<EndpointId>(schemas, "endpointId", "The sale's endpoint")
            .path::<InvoiceId>(schemas, "invoiceId", "The sale")
            .example("endpointId", endpoint_id)
            .example("invoiceId", samples::INVOICE_ID)
    };
    let bad_sale = (
        400,
        "`INVALID_REQUEST`: a bad path or body; `INVALID_CONFIGURATION`: unknown endpoint",
    );
    let record = Operation::new("gatewaySaleRecord", "What the gateway recorded about a sale", SANDBOX)
        .describe("Its state and the contract violations the gateway saw in the app's and the Connecting Party's messages.");
    let record = sale(record, schemas)
        .answer(200, json::<GatewaySaleRecord>(schemas, "The record", &[]))
        .errors::<StatusCause>(
            schemas,
            &[bad_sale, (404, "`ORDER_NOT_FOUND`: no such sale")],
            None,
        );
    let misbehave = Operation::new("gatewayMisbehave", "Make the gateway misbehave in one sale", SANDBOX)
        .describe("Misbehaviour on purpose and faults for this sale alone, accepted before or after its perform; `{}` resets.");
    let misbehave = sale(misbehave, schemas)
        .json_body::<GatewayMisbehaviour>(schemas, "The settings", &[])
        .answer(
            200,
            json::<GatewayMisbehaviour>(schemas, "The settings now stored", &[]),
        )
        .errors::<StatusCause>(
            schemas,
            &[bad_sale, (413, "`INVALID_REQUEST`: the body is too large")],
            None,
        );
    let deliveries = Operation::new("deliveries", "The delivery log", SANDBOX)
        .sandbox_only()
        .describe(
            "Every card mapping notification and final callback, with each attempt to deliver it.",
        )
        .query::<DeliveryFilter>(schemas, None)
        .answer(
            200,
            json::<DeliveryList>(schemas, "The deliveries, oldest first", &[]),
        )
        .errors::<StatusCause>(
            schemas,
            &[(400, "`INVALID_REQUEST`: an unknown or malformed parameter")],
            None,
        );
    let replay = Operation::new("replayDelivery", "Re-send one delivery now", SANDBOX)
        .sandbox_only()
        .describe("E.g. a dead-lettered callback, once the Connecting Party server is back.")
        .path::<String>(schemas, "id", "The delivery's id, as the log shows it")
        .example("id", "dlv-1")
        .answer(
            202,
            json::<DeliveryRecord>(
                schemas,
                "Accepted: the record, a new attempt scheduled",
                &[],
            ),
        )
        .errors::<StatusCause>(
            schemas,
            &[
                (400, "`INVALID_REQUEST`: a bad path"),
                (404, "`ORDER_NOT_FOUND`: no such delivery"),
                (409, "`INVALID_REQUEST`: the delivery is still pending"),
            ],
            None,
        );
    BTreeMap::from([
        (
            "/sim/sales/{endpointId}/{invoiceId}".to_owned(),
            PathItem {
                get: Some(record),
                post: None,
            },
        ),
        (
            "/sim/sales/{endpointId}/{invoiceId}/misbehave".to_owned(),
            PathItem {
                get: None,
                post: Some(misbehave),
            },
        ),
        (
            "/sim/deliveries".to_owned(),
            PathItem {
                get: Some(deliveries),
                post: None,
            },
        ),
        (
            "/sim/deliveries/{id}/replay".to_owned(),
            PathItem {
                get: None,
                post: Some(replay),
            },
        ),
    ])
}
