//! The gateway's DAPI (spec 3.3, 3.5): perform sale and sale status, the app's two calls, under the configured
//! DAPI prefix; beside them the card verification's two (`crate::verification`).

use crate::describe::json;
use crate::model::{Operation, PathItem};
use crate::schemas::Schemas;
use dapi::messages::perform::{PerformSaleRequest, PerformSaleResponse};
use dapi::messages::status::{SaleStatusRequest, SaleStatusResponse};
use dapi::{EndpointId, InvoiceId, PerformSaleCause, StatusCause, samples};
use std::collections::BTreeMap;

/// Perform sale and sale status under `prefix` (e.g. `/paynet/dapi/v1`, spec A26), by path; `endpoint_id` is
/// the path's example (the samples are signed for [`dapi::SANDBOX_ENDPOINT_ID`]).
pub fn paths(
    schemas: &mut Schemas,
    prefix: &str,
    endpoint_id: &str,
    tag: &'static str,
) -> BTreeMap<String, PathItem> {
    let sale = format!("{prefix}/sale/{{endpointId}}/{{invoiceId}}");
    BTreeMap::from([
        (
            format!("{sale}/status"),
            PathItem {
                get: None,
                post: Some(sale_status(schemas, endpoint_id, tag)),
            },
        ),
        (
            sale,
            PathItem {
                get: None,
                post: Some(perform_sale(schemas, endpoint_id, tag)),
            },
        ),
    ])
    .into_iter()
    .chain(crate::verification::gateway_paths(
        schemas,
        prefix,
        endpoint_id,
        tag,
    ))
    .collect()
}

pub(crate) const TOO_LARGE: (u16, &str) = (
    413,
    "`INVALID_REQUEST`: the body is larger than the gateway accepts",
);

fn sale_ids(operation: Operation, schemas: &mut Schemas, endpoint_id: &str) -> Operation {
    operation
        .path::<EndpointId>(
            schemas,
            "endpointId",
            "The endpoint (terminal) initiate sale named",
        )
        .path::<InvoiceId>(schemas, "invoiceId", "The sale, as initiate sale named it")
        .example("endpointId", endpoint_id)
        .example("invoiceId", samples::INVOICE_ID)
}

fn perform_sale(schemas: &mut Schemas, endpoint_id: &str, tag: &'static str) -> Operation {
    let operation = Operation::new("performSale", "Perform sale", tag).describe(
        "Spec 3.3, steps 6–7: the app sends the card (or a card reference) straight to the gateway, with the \
         session initiate sale signed. The gateway checks the request, the endpoint and currency, \
         `session.signature` and that the invoice has no sale yet, answers with the sale's session token, and \
         only then checks the sale with the Connecting Party (check sale). Everything later shows in sale \
         status.",
    );
    sale_ids(operation, schemas, endpoint_id)
        .json_body::<PerformSaleRequest>(
            schemas,
            "The card or card reference, the device and the signed session",
            &[
                samples::perform_sale_request(),
                samples::perform_sale_repeat_request(),
                samples::perform_sale_full_request(),
                samples::verification::perform_sale_by_verified_card(),
            ],
        )
        .answer(200, json::<PerformSaleResponse>(schemas, "The sale's session token", &[samples::perform_sale_response()]))
        .errors::<PerformSaleCause>(
            schemas,
            &[
                (
                    400,
                    "`INVALID_REQUEST`: the request breaks the schema, `session.signature` does not verify, or the \
                     invoice already has a sale; `INVALID_CONFIGURATION`: unknown endpoint, or a currency it \
                     does not take",
                ),
                TOO_LARGE,
                (503, "`INTERNAL_ERROR`: the gateway keeps as many sales as it can; try again later"),
            ],
            Some(samples::perform_sale_error()),
        )
}

fn sale_status(schemas: &mut Schemas, endpoint_id: &str, tag: &'static str) -> Operation {
    let operation = Operation::new("saleStatus", "Sale status", tag).describe(
        "Spec 3.5, steps 11–12 and 21–22: poll every few seconds while the state is `PROCESSING` or \
         `REDIRECT_REQUEST` (then open `redirectUrl`, the 3-D Secure page, once); `APPROVED` and `DECLINED` \
         are final and never change. The callback, not the app, is the authority on the final status.",
    );
    sale_ids(operation, schemas, endpoint_id)
        .json_body::<SaleStatusRequest>(schemas, "The access token and the sale's token", &[samples::sale_status_request()])
        .answer(200, json::<SaleStatusResponse>(schemas, "The sale's state", &samples::sale_status_responses()))
        .errors::<StatusCause>(
            schemas,
            &[
                (
                    400,
                    "`INVALID_REQUEST`: the request breaks the schema, or the tokens are not the sale's; \
                     `INVALID_CONFIGURATION`: unknown endpoint; `ORDER_NOT_FOUND`: no such sale",
                ),
                TOO_LARGE,
            ],
            Some(samples::sale_status_error()),
        )
}
