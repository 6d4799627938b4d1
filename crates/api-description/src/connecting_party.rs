//! The Connecting Party API, what a merchant's server implements (spec 3.1–3.4, 3.7, 3.8, A24): the app's
//! calls (access token, initiate sale, client card id) and the gateway's (check sale, card mapping
//! notification, final-status callback). The gateway's document shows the gateway's three as its `webhooks`,
//! built here too, so both documents say the same.

use crate::describe::{TEXT, json, other};
use crate::model::{Operation, PathItem};
use crate::schemas::Schemas;
use crate::verification;
use dapi::messages::callback::Callback;
use dapi::messages::check::{
    CardMappingNotification, CardMappingResponse, CheckSaleRequest, CheckSaleResponse,
};
use dapi::messages::initiate::{
    AccessTokenQuery, AccessTokenRequest, AccessTokenResponse, ClientCardIdRequest,
    ClientCardIdResponse, InitiateSaleRequest, InitiateSaleResponse,
};
use dapi::{InvoiceId, PartyCause, paths, samples};
use schemars::json_schema;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The app's calls, by path.
pub fn app_paths(schemas: &mut Schemas, tag: &'static str) -> BTreeMap<String, PathItem> {
    BTreeMap::from([
        (
            paths::ACCESS_TOKEN.to_owned(),
            PathItem {
                get: Some(access_token_by_query(schemas, tag)),
                post: Some(access_token_by_body(schemas, tag)),
            },
        ),
        (
            paths::INITIATE_SALE.to_owned(),
            post(initiate_sale(schemas, tag)),
        ),
        (
            "/sale/{invoiceId}/client-card-id".to_owned(),
            post(client_card_id(schemas, tag)),
        ),
    ])
    .into_iter()
    .chain(verification::app_paths(schemas, tag))
    .collect()
}

/// The gateway's calls, by path on the Connecting Party server.
pub fn gateway_paths(schemas: &mut Schemas, tag: &'static str) -> BTreeMap<String, PathItem> {
    BTreeMap::from([
        (
            "/sale/{invoiceId}/check".to_owned(),
            post(check_sale(schemas, tag)),
        ),
        (
            paths::CARD_MAPPING_NOTIFICATION.to_owned(),
            post(card_mapping_notification(schemas, tag)),
        ),
        (paths::CALLBACK.to_owned(), get(callback(schemas, tag))),
    ])
    .into_iter()
    .chain(verification::party_paths(schemas, tag))
    .collect()
}

/// The gateway's calls as the webhooks of the gateway's document, by name.
pub fn gateway_webhooks(schemas: &mut Schemas, tag: &'static str) -> BTreeMap<String, PathItem> {
    BTreeMap::from([
        ("checkSale".to_owned(), post(check_sale(schemas, tag))),
        (
            "cardMappingNotification".to_owned(),
            post(card_mapping_notification(schemas, tag)),
        ),
        ("callback".to_owned(), get(callback(schemas, tag))),
    ])
    .into_iter()
    .chain(verification::webhooks(schemas, tag))
    .collect()
}

pub(crate) fn post(operation: Operation) -> PathItem {
    PathItem {
        get: None,
        post: Some(operation),
    }
}

fn get(operation: Operation) -> PathItem {
    PathItem {
        get: Some(operation),
        post: None,
    }
}

/// A refusal of bad input, the first answer of every message.
pub(crate) const BAD_INPUT: (u16, &str) = (
    400,
    "`INVALID_REQUEST`: the request breaks the schema (listed in `error.message`), or `FILTERED`: the \
     Connecting Party's own rules refuse it",
);
pub(crate) const UNAUTHENTICATED: (u16, &str) = (
    403,
    "`INVALID_REQUEST`: authentication failed (unknown or expired access token, another device, another sale)",
);
pub(crate) const TOO_LARGE: (u16, &str) = (
    413,
    "`INVALID_REQUEST`: the body is larger than the server accepts",
);
pub(crate) const FAILED: (u16, &str) = (500, "`SERVER_FAILED`: the server failed internally");
pub(crate) const UNAVAILABLE: (u16, &str) = (
    503,
    "`SERVER_UNAVAILABLE`: the server cannot serve now; try again",
);

fn access_token_by_query(schemas: &mut Schemas, tag: &'static str) -> Operation {
    Operation::new("requestAccessTokenByQuery", "Request an access token (query form)", tag)
        .describe(
            "Spec 3.1 (the reference proxy's form): the consumer's session token, bound to the device serial \
             number for a time (30 minutes by default). How a Connecting Party authenticates its consumer is \
             its own choice; this is the reference server's way.",
        )
        .query::<AccessTokenQuery>(schemas, None)
        .answer(200, json::<AccessTokenResponse>(schemas, "The access token", &[samples::access_token_response()]))
        .errors::<PartyCause>(schemas, &[BAD_INPUT], None)
}

fn access_token_by_body(schemas: &mut Schemas, tag: &'static str) -> Operation {
    Operation::new("requestAccessToken", "Request an access token", tag)
        .describe(
            "Spec 3.1 (decision): as the query form, with the device and the consumer's optional e-mail in a \
             JSON body. The e-mail is returned in check sale for card references made with it (spec 2.2).",
        )
        .json_body::<AccessTokenRequest>(schemas, "The device", &[samples::access_token_request()])
        .answer(200, json::<AccessTokenResponse>(schemas, "The access token", &[samples::access_token_response()]))
        .errors::<PartyCause>(schemas, &[BAD_INPUT, TOO_LARGE], None)
}

fn initiate_sale(schemas: &mut Schemas, tag: &'static str) -> Operation {
    Operation::new("initiateSale", "Initiate sale", tag)
        .describe(
            "Spec 3.2, steps 4–5: records the intended sale, creates its `invoiceId` and `nonce`, and signs \
             them: `session.signature` = HMAC-SHA1 (key: the control key without dashes, hex-decoded) of \
             `accessToken` + `serialNumber` + `endpointId` + `nonce` + `invoiceId` + `amountCentis` + \
             `currency`, upper-case hex (spec 4.2). The app then performs the sale on the gateway.",
        )
        .json_body::<InitiateSaleRequest>(schemas, "The sale the app intends", &[samples::initiate_sale_request()])
        .answer(
            200,
            json::<InitiateSaleResponse>(schemas, "The sale, signed", &[samples::initiate_sale_response()]),
        )
        .errors::<PartyCause>(
            schemas,
            &[BAD_INPUT, UNAUTHENTICATED, TOO_LARGE, FAILED, UNAVAILABLE],
            None,
        )
}

fn client_card_id(schemas: &mut Schemas, tag: &'static str) -> Operation {
    Operation::new("clientCardId", "The card reference of a sale", tag)
        .describe(
            "Spec A24 (decision): how the app learns the `clientCardId` the Connecting Party made from the \
             card mapping notification of this sale, for repeat sales. Authenticated by the access token \
             that made the sale; 404 while no mapping exists.",
        )
        .path::<InvoiceId>(schemas, "invoiceId", "The sale")
        .example("invoiceId", samples::INVOICE_ID)
        .json_body::<ClientCardIdRequest>(schemas, "The app's access token", &[samples::client_card_id_request()])
        .answer(
            200,
            json::<ClientCardIdResponse>(schemas, "The card reference", &[samples::client_card_id_response()]),
        )
        .errors::<PartyCause>(
            schemas,
            &[BAD_INPUT, UNAUTHENTICATED, (404, "`INVALID_REQUEST`: no such sale, or no mapping yet"), TOO_LARGE],
            None,
        )
}

fn check_sale(schemas: &mut Schemas, tag: &'static str) -> Operation {
    Operation::new("checkSale", "Check sale", tag)
        .describe(
            "Spec 3.4, steps 8–9, sent by the gateway after it answered perform sale: confirm the sale against \
             what initiate sale stored (the reference server refuses with 403 when the access token, device, \
             nonce or signature do not match) and answer with the stored values. `session.checkSignature` = \
             HMAC-SHA1 of `serialNumber` + `nonce` + `endpointId` + `invoiceId` [+ \
             `sourceOfFunds.reference.serverCardId` when present]. A request with a `clientCardId` (a repeat \
             sale) must be answered with its `serverCardId`, and, for a card a verification mapped, the e-mail \
             it was verified with (addendum §4). Any other answer declines the sale; `FILTERED` ends it as \
             `filtered`.",
        )
        .path::<InvoiceId>(schemas, "invoiceId", "The sale")
        .example("invoiceId", samples::INVOICE_ID)
        .json_body::<CheckSaleRequest>(
            schemas,
            "What the app sent, with the gateway's session token",
            &[samples::check_sale_request(), samples::check_sale_repeat_request()],
        )
        .answer(
            200,
            json::<CheckSaleResponse>(
                schemas,
                "The sale confirmed and signed",
                &[
                    samples::check_sale_response(),
                    samples::check_sale_repeat_response(),
                    samples::verification::check_sale_by_verified_card(),
                ],
            ),
        )
        .errors::<PartyCause>(
            schemas,
            &[UNAUTHENTICATED, BAD_INPUT, TOO_LARGE, FAILED, UNAVAILABLE],
            Some(samples::party_error()),
        )
}

fn card_mapping_notification(schemas: &mut Schemas, tag: &'static str) -> Operation {
    Operation::new("cardMappingNotification", "Sale card mapping notification", tag)
        .describe(
            "Spec 3.7, steps 19–20, sent by the gateway before an approved sale with card data shows \
             `APPROVED`, retried up to 3 times; its failure never changes the sale. Map the `serverCardId` to \
             your own `clientCardId` (found by `session.token`, learned in check sale) and answer with \
             `session.checkSignature` = HMAC-SHA1 of `nonce` + `endpointId` + `invoiceId`.",
        )
        .json_body::<CardMappingNotification>(
            schemas,
            "The gateway's card reference",
            &[samples::card_mapping_notification()],
        )
        .answer(
            200,
            json::<CardMappingResponse>(schemas, "The mapping confirmed and signed", &[samples::card_mapping_response()]),
        )
        .errors::<PartyCause>(schemas, &[BAD_INPUT, UNAUTHENTICATED, TOO_LARGE, FAILED, UNAVAILABLE], None)
}

fn callback(schemas: &mut Schemas, tag: &'static str) -> Operation {
    let sample = callback_sample();
    Operation::new("callback", "Final-status callback", tag)
        .describe(
            "Spec 3.8, steps 23–24: an HTTP `GET` to the endpoint's callback URL (`{cp}/callback` by \
             default) with the final status as query parameters, sent for every final sale (and card \
             verification: `type=account-verification`, `amount=0.00`, addendum §2.8). `control` = SHA-1 \
             (not HMAC) of `status` + `orderid` + `client_orderid` + the control key as text with its dashes, \
             lower-case hex. Answer 200 once verified; any other answer is retried (30 times), and a \
             callback may arrive more than once.",
        )
        .query::<Callback>(schemas, sample.as_ref())
        .answer(200, other("Accepted (duplicates too)", TEXT, json_schema!({"type": "string"})))
        .errors::<PartyCause>(
            schemas,
            &[
                (400, "`INVALID_REQUEST`: a parameter breaks the spec, or `client_orderid` is unknown"),
                (403, "`INVALID_REQUEST`: `control` does not verify"),
                UNAVAILABLE,
            ],
            None,
        )
}

/// The callback sample's parameters as typed JSON values (numbers as numbers), for the parameters' examples.
fn callback_sample() -> Option<Value> {
    let pairs: Map<String, Value> = samples::CALLBACK_QUERY
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (key.to_owned(), Value::from(value)))
        .collect();
    let callback: Callback = serde_json::from_value(Value::Object(pairs)).ok()?;
    serde_json::to_value(callback).ok()
}
