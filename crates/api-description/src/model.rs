//! The OpenAPI 3.1 objects the descriptions use, as typed structs serialised in the specification's spelling.
//! Only what the sandbox's documents need is modelled; schemas are JSON Schema 2020-12 ([`schemars::Schema`]),
//! which is OpenAPI 3.1's own dialect.

use schemars::Schema;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The OpenAPI version every document declares.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// An OpenAPI document.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// Always [`OPENAPI_VERSION`].
    pub openapi: &'static str,
    /// Title, version, description.
    pub info: Info,
    /// Where the API is served.
    pub servers: Vec<Server>,
    /// The groups operations are tagged with, in the order shown.
    pub tags: Vec<Tag>,
    /// Operations by path.
    pub paths: BTreeMap<String, PathItem>,
    /// Requests this API's server sends to others, by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub webhooks: BTreeMap<String, PathItem>,
    /// The schemas the operations refer to.
    pub components: Components,
}

impl Document {
    /// The document as pretty JSON with a final newline: the form of the files in `docs/openapi/`.
    ///
    /// # Errors
    /// Never in practice: every part is plain data with string keys.
    pub fn to_pretty_json(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self).map(|json| json + "\n")
    }
}

/// `info`.
#[derive(Clone, Debug, Serialize)]
pub struct Info {
    /// The API's name.
    pub title: String,
    /// The sandbox's version.
    pub version: String,
    /// What the API is, in Markdown.
    pub description: String,
    /// The sandbox's licence.
    pub license: License,
}

/// `info.license`.
#[derive(Clone, Debug, Serialize)]
pub struct License {
    /// Its name.
    pub name: String,
    /// Its SPDX expression.
    pub identifier: String,
}

/// One entry of `servers`.
#[derive(Clone, Debug, Serialize)]
pub struct Server {
    /// Base URL; paths are appended to it.
    pub url: String,
    /// Which server this is.
    pub description: String,
}

/// One entry of `tags`.
#[derive(Clone, Debug, Serialize)]
pub struct Tag {
    /// The tag operations carry.
    pub name: &'static str,
    /// What the group is.
    pub description: &'static str,
}

/// The operations on one path.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PathItem {
    /// `GET`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub get: Option<Operation>,
    /// `POST`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post: Option<Operation>,
}

/// One operation.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// Its groups.
    pub tags: Vec<&'static str>,
    /// One line.
    pub summary: &'static str,
    /// More, in Markdown; cites the spec's sections.
    pub description: String,
    /// A stable name, for code generators.
    pub operation_id: &'static str,
    /// Path and query parameters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    /// The body, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RequestBody>,
    /// Answers by HTTP status.
    pub responses: BTreeMap<String, Response>,
    /// `x-sandbox-only`: the operation is the sandbox's own, not part of the ConnPay API.
    #[serde(rename = "x-sandbox-only", skip_serializing_if = "std::ops::Not::not")]
    pub sandbox_only: bool,
}

/// Where a parameter is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParameterIn {
    /// A path segment.
    Path,
    /// A query parameter.
    Query,
}

/// One parameter.
#[derive(Clone, Debug, Serialize)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Path or query.
    #[serde(rename = "in")]
    pub location: ParameterIn,
    /// What it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether it must be present (path parameters always are).
    pub required: bool,
    /// Its value's schema.
    pub schema: Schema,
    /// A sample value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
}

/// A request body.
#[derive(Clone, Debug, Serialize)]
pub struct RequestBody {
    /// What it is.
    pub description: &'static str,
    /// Always `true` here.
    pub required: bool,
    /// By media type.
    pub content: BTreeMap<String, MediaType>,
}

/// A body of one media type.
#[derive(Clone, Debug, Serialize)]
pub struct MediaType {
    /// Its schema.
    pub schema: Schema,
    /// Samples by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub examples: BTreeMap<String, Example>,
}

/// A sample body.
#[derive(Clone, Debug, Serialize)]
pub struct Example {
    /// What it shows.
    pub summary: &'static str,
    /// The body.
    pub value: Value,
}

/// One answer.
#[derive(Clone, Debug, Serialize)]
pub struct Response {
    /// When it is given.
    pub description: String,
    /// Headers that matter.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, Header>,
    /// Its body by media type; none for an empty body.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub content: BTreeMap<String, MediaType>,
}

/// A response header.
#[derive(Clone, Debug, Serialize)]
pub struct Header {
    /// What it carries.
    pub description: &'static str,
    /// Whether it is always sent.
    pub required: bool,
    /// Its value's schema.
    pub schema: Schema,
}

/// `components`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Components {
    /// Every named schema, by name.
    pub schemas: serde_json::Map<String, Value>,
}
