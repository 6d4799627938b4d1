//! The published API descriptions (`docs/openapi/`): the committed files are what the code generates and what
//! the servers serve, every path they name is routed, every example validates against its schema and decodes
//! with the `dapi` types, and the schemas' lengths agree with the decoder's at their bounds.
//!
//! # Layout
//! - this file: the two documents, their examples ([`shown`]), a validator for a schema of a document
//!   ([`validator`]) and the `dapi` decoder of each named schema ([`decoder`]);
//! - `openapi_committed.rs`: the committed files, `/openapi.json`, the routes;
//! - `openapi_examples.rs`: the examples;
//! - `openapi_bounds.rs`: the schemas' lengths against the decoder's.

#[path = "openapi_bounds.rs"]
mod bounds;
#[path = "openapi_committed.rs"]
mod committed;
#[path = "openapi_examples.rs"]
mod examples;

use dapi::messages::check::{
    CardMappingNotification, CardMappingResponse, CheckSaleRequest, CheckSaleResponse,
};
use dapi::messages::initiate::{
    AccessTokenRequest, AccessTokenResponse, ClientCardIdRequest, ClientCardIdResponse,
    InitiateSaleRequest, InitiateSaleResponse,
};
use dapi::messages::perform::{PerformSaleRequest, PerformSaleResponse};
use dapi::messages::status::{SaleStatusRequest, SaleStatusResponse};
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
use dapi::validate::parse;
use dapi::{ErrorBody, PartyCause, PerformSaleCause, StatusCause, Validate, decode};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::path::PathBuf;

/// One published document: its file under `docs/openapi/` and what the code generates for it, as the file's
/// text and as JSON.
pub(super) struct Published {
    pub(super) file: PathBuf,
    pub(super) text: String,
    pub(super) document: Value,
}

impl Published {
    fn new(file: PathBuf, document: &api_description::Document) -> Self {
        let text = document.to_pretty_json().unwrap();
        let document = serde_json::from_str(&text).unwrap();
        Self {
            file,
            text,
            document,
        }
    }
}

/// The gateway's address when started with no flags: the `servers` entry of the committed document.
const DEFAULT_GATEWAY_URL: &str = "http://127.0.0.1:8080";

/// Both documents, as the code generates them for servers started with no flags.
pub(super) fn published() -> [Published; 2] {
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi");
    let config = gateway::Config::sandbox(DEFAULT_GATEWAY_URL, "http://127.0.0.1:8081");
    [
        Published::new(
            docs.join("gateway.json"),
            &gateway::openapi::document(&config),
        ),
        Published::new(docs.join("connpay-party.json"), &party::openapi::document()),
    ]
}

/// An example in a document: where it is, whether it is a body (else a parameter), the schema it must match
/// and the value.
#[derive(Debug)]
pub(super) struct Shown {
    pub(super) at: String,
    pub(super) body: bool,
    pub(super) schema: Value,
    pub(super) example: Value,
}

/// Every example of `document`: request and response bodies, and parameters, in paths and webhooks.
pub(super) fn shown(document: &Value) -> Vec<Shown> {
    let mut found = Vec::new();
    for section in ["paths", "webhooks"] {
        let Some(items) = document[section].as_object() else {
            continue;
        };
        for (path, item) in items {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let at = format!("{section} {method} {path}");
                operation_examples(&at, operation, &mut found);
            }
        }
    }
    found
}

fn operation_examples(at: &str, operation: &Value, found: &mut Vec<Shown>) {
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        if let Some(example) = parameter.get("example") {
            found.push(Shown {
                at: format!("{at} parameter {}", parameter["name"]),
                body: false,
                schema: parameter["schema"].clone(),
                example: example.clone(),
            });
        }
    }
    let mut bodies = vec![(format!("{at} request"), &operation["requestBody"])];
    for (status, response) in operation["responses"].as_object().into_iter().flatten() {
        bodies.push((format!("{at} {status}"), response));
    }
    for (label, body) in bodies {
        for media in body["content"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, m)| m)
        {
            for (name, example) in media["examples"].as_object().into_iter().flatten() {
                found.push(Shown {
                    at: format!("{label} example {name}"),
                    body: true,
                    schema: media["schema"].clone(),
                    example: example["value"].clone(),
                });
            }
        }
    }
}

/// A validator of `schema`, whose `$ref`s point into `document`'s components.
pub(super) fn validator(document: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root =
        json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "allOf": [schema]});
    root["components"] = document["components"].clone();
    jsonschema::validator_for(&root).unwrap_or_else(|error| panic!("{schema}: {error}"))
}

/// The name of a schema that is a `$ref` to a component.
pub(super) fn component_name(schema: &Value) -> Option<&str> {
    schema["$ref"]
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// Whether the `dapi` decoder of the named schema takes `body`: [`decode`] (serde, then the spec's rules) for
/// messages, serde alone for error bodies. `None` for a schema with no decoder here.
pub(super) fn decoder(name: &str) -> Option<fn(&[u8]) -> bool> {
    let decoder: fn(&[u8]) -> bool = match name {
        "AccessTokenRequest" => decodes::<AccessTokenRequest>,
        "AccessTokenResponse" => decodes::<AccessTokenResponse>,
        "InitiateSaleRequest" => decodes::<InitiateSaleRequest>,
        "InitiateSaleResponse" => decodes::<InitiateSaleResponse>,
        "ClientCardIdRequest" => decodes::<ClientCardIdRequest>,
        "ClientCardIdResponse" => decodes::<ClientCardIdResponse>,
        "PerformSaleRequest" => decodes::<PerformSaleRequest>,
        "PerformSaleResponse" => decodes::<PerformSaleResponse>,
        "SaleStatusRequest" => decodes::<SaleStatusRequest>,
        "SaleStatusResponse" => decodes::<SaleStatusResponse>,
        "CheckSaleRequest" => decodes::<CheckSaleRequest>,
        "CheckSaleResponse" => decodes::<CheckSaleResponse>,
        "CardMappingNotification" => decodes::<CardMappingNotification>,
        "CardMappingResponse" => decodes::<CardMappingResponse>,
        "InitiateVerificationRequest" => decodes::<InitiateVerificationRequest>,
        "InitiateVerificationResponse" => decodes::<InitiateVerificationResponse>,
        "PerformValidationRequest" => decodes::<PerformValidationRequest>,
        "PerformValidationResponse" => decodes::<PerformValidationResponse>,
        "VerificationStatusRequest" => decodes::<VerificationStatusRequest>,
        "VerificationStatusResponse" => decodes::<VerificationStatusResponse>,
        "CheckVerificationRequest" => decodes::<CheckVerificationRequest>,
        "CheckVerificationResponse" => decodes::<CheckVerificationResponse>,
        "VerificationCardMappingNotification" => decodes::<VerificationCardMappingNotification>,
        "VerificationCardMappingResponse" => decodes::<VerificationCardMappingResponse>,
        "ErrorBodyPartyCause" => parses::<ErrorBody<PartyCause>>,
        "ErrorBodyPerformSaleCause" => parses::<ErrorBody<PerformSaleCause>>,
        "ErrorBodyStatusCause" => parses::<ErrorBody<StatusCause>>,
        _ => return None,
    };
    Some(decoder)
}

fn decodes<T: DeserializeOwned + Validate>(body: &[u8]) -> bool {
    decode::<T>(body).is_ok()
}

fn parses<T: DeserializeOwned>(body: &[u8]) -> bool {
    parse::<T>(body).is_ok()
}
