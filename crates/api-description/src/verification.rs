//! The card verification's operations (addendum §2), in both documents: the app's calls to the gateway
//! (perform validation, verification status), the app's calls to the Connecting Party (initiate verification,
//! its card reference) and the gateway's (check verification, the verification card mapping notification; in
//! the gateway's document, `webhooks`). The callback is the sale's operation, with `type=account-verification`.

use crate::connecting_party::{BAD_INPUT, FAILED, TOO_LARGE, UNAUTHENTICATED, UNAVAILABLE, post};
use crate::describe::json;
use crate::model::{Operation, PathItem};
use crate::schemas::Schemas;
use dapi::messages::initiate::{ClientCardIdRequest, ClientCardIdResponse};
use dapi::messages::verification::check::{CheckVerificationRequest, CheckVerificationResponse};
use dapi::messages::verification::initiate::{
    InitiateVerificationRequest, InitiateVerificationResponse,
};
use dapi::messages::verification::notification::{
    VerificationCardMappingNotification, VerificationCardMappingResponse,
};
use dapi::messages::verification::status::{VerificationStatusRequest, VerificationStatusResponse};
use dapi::messages::verification::validation::{
    PerformValidationRequest, PerformValidationResponse,
};
use dapi::samples::verification as samples;
use dapi::{EndpointId, InvoiceId, PartyCause, PerformSaleCause, StatusCause, paths};
use std::collections::BTreeMap;

/// Perform validation and verification status under `prefix`, by path.
pub fn gateway_paths(
    schemas: &mut Schemas,
    prefix: &str,
    endpoint_id: &str,
    tag: &'static str,
) -> BTreeMap<String, PathItem> {
    let verification = format!("{prefix}/verification/{{endpointId}}/{{invoiceId}}");
    BTreeMap::from([
        (
            format!("{verification}/status"),
            post(status(schemas, endpoint_id, tag)),
        ),
        (
            verification,
            post(perform_validation(schemas, endpoint_id, tag)),
        ),
    ])
}

/// Initiate verification and the card reference of a verification, by path on the Connecting Party server.
pub fn app_paths(schemas: &mut Schemas, tag: &'static str) -> BTreeMap<String, PathItem> {
    BTreeMap::from([
        (
            paths::INITIATE_VERIFICATION.to_owned(),
            post(initiate(schemas, tag)),
        ),
        (
            "/verification/{invoiceId}/client-card-id".to_owned(),
            post(client_card_id(schemas, tag)),
        ),
    ])
}

/// Check verification and the verification card mapping notification, by path on the Connecting Party server.
pub fn party_paths(schemas: &mut Schemas, tag: &'static str) -> BTreeMap<String, PathItem> {
    BTreeMap::from([
        (
            "/verification/{invoiceId}/check".to_owned(),
            post(check(schemas, tag)),
        ),
        (
            paths::VERIFICATION_CARD_MAPPING_NOTIFICATION.to_owned(),
            post(notification(schemas, tag)),
        ),
    ])
}

/// The same two as the gateway's webhooks, by name.
pub fn webhooks(schemas: &mut Schemas, tag: &'static str) -> BTreeMap<String, PathItem> {
    BTreeMap::from([
        ("checkVerification".to_owned(), post(check(schemas, tag))),
        (
            "verificationCardMappingNotification".to_owned(),
            post(notification(schemas, tag)),
        ),
    ])
}

fn verification_id(operation: Operation, schemas: &mut Schemas) -> Operation {
    operation
        .path::<InvoiceId>(
            schemas,
            "invoiceId",
            "The verification, as initiate verification named it",
        )
        .example("invoiceId", samples::INVOICE_ID)
}

fn gateway_ids(operation: Operation, schemas: &mut Schemas, endpoint_id: &str) -> Operation {
    let operation = operation
        .path::<EndpointId>(
            schemas,
            "endpointId",
            "The endpoint initiate verification named",
        )
        .example("endpointId", endpoint_id);
    verification_id(operation, schemas)
}

fn perform_validation(schemas: &mut Schemas, endpoint_id: &str, tag: &'static str) -> Operation {
    let operation = Operation::new("performValidation", "Perform validation", tag).describe(
        "Addendum §2.3, steps 6–7: the app sends the card (`sourceCard`, never a reference) straight to the \
         gateway, with `consumer.email` (Required) and the session initiate verification signed. The gateway \
         checks it as perform sale (the signature early only when it knows the currency: \
         `transaction.currency`, or the endpoint's only one), answers with the verification's session token, \
         then checks it with the Connecting Party. Nothing is charged; the CVV picks the sandbox outcome as \
         for a sale.",
    );
    gateway_ids(operation, schemas, endpoint_id)
        .json_body::<PerformValidationRequest>(
            schemas,
            "The card, the device, the e-mail and the signed session",
            &[samples::perform_validation_request()],
        )
        .answer(
            200,
            json::<PerformValidationResponse>(
                schemas,
                "The verification's session token",
                &[samples::perform_validation_response()],
            ),
        )
        .errors::<PerformSaleCause>(
            schemas,
            &[
                (
                    400,
                    "`INVALID_REQUEST`: the request breaks the schema (a `sourceOfFunds` too), \
                     `session.signature` does not verify, or the invoice was performed already (as a sale or a \
                     verification); `INVALID_CONFIGURATION`: unknown endpoint, or a currency it does not take",
                ),
                crate::gateway::TOO_LARGE,
            ],
            None,
        )
}

fn status(schemas: &mut Schemas, endpoint_id: &str, tag: &'static str) -> Operation {
    let operation = Operation::new("verificationStatus", "Verification status", tag).describe(
        "Addendum §2.5, steps 11–12 and 21–22: as sale status, without `orderId` and `transaction`. A \
         verification's session token works on this path only, a sale's never.",
    );
    gateway_ids(operation, schemas, endpoint_id)
        .json_body::<VerificationStatusRequest>(
            schemas,
            "The access token and the verification's token",
            &[samples::status_request()],
        )
        .answer(
            200,
            json::<VerificationStatusResponse>(
                schemas,
                "The verification's state",
                &samples::status_responses(),
            ),
        )
        .errors::<StatusCause>(
            schemas,
            &[
                (
                    400,
                    "`INVALID_REQUEST`: the request breaks the schema, the tokens are not the verification's, \
                     or the invoice is a sale; `INVALID_CONFIGURATION`: unknown endpoint; `ORDER_NOT_FOUND`: no \
                     such verification",
                ),
                crate::gateway::TOO_LARGE,
            ],
            None,
        )
}

fn initiate(schemas: &mut Schemas, tag: &'static str) -> Operation {
    Operation::new("initiateVerification", "Initiate verification", tag)
        .describe(
            "Addendum §2.2, steps 4–5: records the intended card verification, creates its `invoiceId` and \
             `nonce`, and signs them: `session.signature` = HMAC-SHA1 of `accessToken` + `serialNumber` + \
             `endpointId` + `nonce` + `invoiceId` + `currency` (no amount: nothing is charged), upper-case hex.",
        )
        .json_body::<InitiateVerificationRequest>(
            schemas,
            "The device and the currency",
            &[samples::initiate_request()],
        )
        .answer(
            200,
            json::<InitiateVerificationResponse>(
                schemas,
                "The verification, signed",
                &[samples::initiate_response()],
            ),
        )
        .errors::<PartyCause>(
            schemas,
            &[BAD_INPUT, UNAUTHENTICATED, TOO_LARGE, FAILED, UNAVAILABLE],
            None,
        )
}

fn client_card_id(schemas: &mut Schemas, tag: &'static str) -> Operation {
    let operation = Operation::new("verificationClientCardId", "The card reference of a verification", tag)
        .describe(
            "Addendum V17 (decision): the `clientCardId` the Connecting Party made from the verification card \
             mapping notification, for sales by the saved card. Authenticated by the access token that made \
             the verification; 404 while no mapping exists (a declined verification never has one).",
        );
    verification_id(operation, schemas)
        .json_body::<ClientCardIdRequest>(
            schemas,
            "The app's access token",
            &[samples::client_card_id_request()],
        )
        .answer(
            200,
            json::<ClientCardIdResponse>(
                schemas,
                "The card reference",
                &[samples::client_card_id_response()],
            ),
        )
        .errors::<PartyCause>(
            schemas,
            &[
                BAD_INPUT,
                UNAUTHENTICATED,
                (
                    404,
                    "`INVALID_REQUEST`: no such verification, or no mapping",
                ),
                TOO_LARGE,
            ],
            None,
        )
}

fn check(schemas: &mut Schemas, tag: &'static str) -> Operation {
    let operation = Operation::new("checkVerification", "Check verification", tag).describe(
        "Addendum §2.4, steps 8–9, sent by the gateway after it answered perform validation: confirm the \
         verification against what initiate verification stored (as check sale) and answer with the stored \
         nonce, the echoed token, `session.checkSignature` = HMAC-SHA1 of `serialNumber` + `nonce` + \
         `endpointId` + `invoiceId`, the verification's `transaction.currency` and the consumer's \
         `consumer.email`, which must be perform validation's. Any other answer declines the verification.",
    );
    verification_id(operation, schemas)
        .json_body::<CheckVerificationRequest>(
            schemas,
            "What the app sent, with the gateway's session token",
            &[samples::check_request()],
        )
        .answer(
            200,
            json::<CheckVerificationResponse>(
                schemas,
                "The verification confirmed and signed",
                &[samples::check_response()],
            ),
        )
        .errors::<PartyCause>(
            schemas,
            &[UNAUTHENTICATED, BAD_INPUT, TOO_LARGE, FAILED, UNAVAILABLE],
            None,
        )
}

fn notification(schemas: &mut Schemas, tag: &'static str) -> Operation {
    Operation::new(
        "verificationCardMappingNotification",
        "Verification card mapping notification",
        tag,
    )
    .describe(
        "Addendum §2.7, steps 19–20, sent by the gateway before an approved verification shows `APPROVED`, \
         retried up to 3 times; its failure never changes the outcome. The reference is at the top level \
         (`reference.serverCardId`), unlike the sale's. Map it to your own `clientCardId` (found by \
         `session.token`, learned in check verification) and answer as to the sale's notification: \
         `session.checkSignature` = HMAC-SHA1 of `nonce` + `endpointId` + `invoiceId`.",
    )
    .json_body::<VerificationCardMappingNotification>(
        schemas,
        "The gateway's card reference",
        &[samples::card_mapping_notification()],
    )
    .answer(
        200,
        json::<VerificationCardMappingResponse>(
            schemas,
            "The mapping confirmed and signed",
            &[samples::card_mapping_response()],
        ),
    )
    .errors::<PartyCause>(
        schemas,
        &[BAD_INPUT, UNAUTHENTICATED, TOO_LARGE, FAILED, UNAVAILABLE],
        None,
    )
}
