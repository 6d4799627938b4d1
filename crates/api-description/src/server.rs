//! What both servers have beside their APIs: `/health`, `/openapi.json` (the document itself) and the
//! document's `info`.

use crate::describe::{JSON, other};
use crate::model::{Info, License, Operation, PathItem};
use schemars::json_schema;
use std::collections::BTreeMap;

/// Path of the document on each server.
pub const OPENAPI_PATH: &str = "/openapi.json";
/// Path of the health check on each server.
pub const HEALTH_PATH: &str = "/health";

/// `info` with the sandbox's version and licence.
pub fn info(title: &str, description: &str) -> Info {
    Info {
        title: title.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        description: description.to_owned(),
        license: License {
            name: "MIT OR Apache-2.0".to_owned(),
            identifier: env!("CARGO_PKG_LICENSE").to_owned(),
        },
    }
}

/// `GET /health` and `GET /openapi.json`, by path.
pub fn paths(tag: &'static str) -> BTreeMap<String, PathItem> {
    let health = Operation::new("health", "Health check", tag)
        .describe("Answers while the server runs; for container health checks and start-up waits.")
        .answer(
            200,
            other(
                "Running",
                JSON,
                json_schema!({
                    "type": "object",
                    "properties": {"status": {"const": "ok"}},
                    "required": ["status"]
                }),
            ),
        );
    let document = Operation::new("openapi", "This document", tag)
        .describe("The OpenAPI 3.1 description of this server, generated from the types it uses.")
        .answer(
            200,
            other("The document", JSON, json_schema!({"type": "object"})),
        );
    BTreeMap::from([
        (
            HEALTH_PATH.to_owned(),
            PathItem {
                get: Some(health),
                post: None,
            },
        ),
        (
            OPENAPI_PATH.to_owned(),
            PathItem {
                get: Some(document),
                post: None,
            },
        ),
    ])
}
