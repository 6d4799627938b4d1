//! Building operations: an [`Operation`] gets its parameters, body and answers from Rust types through
//! [`Schemas`], and its examples from `dapi::samples`, so nothing in a document is written twice.

use crate::model::{
    Example, Header, MediaType, Operation, Parameter, ParameterIn, RequestBody, Response,
};
use crate::schemas::Schemas;
use dapi::ErrorBody;
use dapi::samples::Sample;
use schemars::{JsonSchema, Schema, json_schema};
use serde_json::Value;
use std::collections::BTreeMap;

/// `application/json`.
pub const JSON: &str = "application/json";
/// `text/html`, the simulated 3-D Secure pages.
pub const HTML: &str = "text/html";
/// `text/plain`, the callback's `OK`.
pub const TEXT: &str = "text/plain";
/// `application/x-www-form-urlencoded`, the 3-D Secure form.
pub const FORM: &str = "application/x-www-form-urlencoded";

impl Operation {
    /// An operation with no parameters, body or answers yet.
    pub fn new(operation_id: &'static str, summary: &'static str, tag: &'static str) -> Self {
        Self {
            tags: vec![tag],
            summary,
            description: String::new(),
            operation_id,
            parameters: Vec::new(),
            request_body: None,
            responses: BTreeMap::new(),
            sandbox_only: false,
        }
    }

    /// Sets the description (Markdown).
    #[must_use]
    pub fn describe(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Marks the operation as the sandbox's own (`x-sandbox-only`).
    #[must_use]
    pub fn sandbox_only(mut self) -> Self {
        self.sandbox_only = true;
        self
    }

    /// Adds a path parameter of type `T`.
    #[must_use]
    pub fn path<T: JsonSchema>(
        mut self,
        schemas: &mut Schemas,
        name: &str,
        description: &str,
    ) -> Self {
        self.parameters.push(Parameter {
            name: name.to_owned(),
            location: ParameterIn::Path,
            description: Some(description.to_owned()),
            required: true,
            schema: schemas.of::<T>(),
            example: None,
        });
        self
    }

    /// Sets the example of the parameter `name`, e.g. a path parameter's: a value that reaches the operation's
    /// logic (the sandbox's endpoint, the samples' invoice).
    #[must_use]
    pub fn example(mut self, name: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        for parameter in self.parameters.iter_mut().filter(|p| p.name == name) {
            parameter.example = Some(value.clone());
        }
        self
    }

    /// Adds one query parameter per field of the struct `T`, with the sample's values as examples.
    #[must_use]
    pub fn query<T: JsonSchema>(mut self, schemas: &mut Schemas, sample: Option<&Value>) -> Self {
        for property in schemas.properties_of::<T>() {
            let example = sample
                .and_then(|values| values.get(&property.name))
                .cloned();
            self.parameters.push(Parameter {
                name: property.name,
                location: ParameterIn::Query,
                description: property.description,
                required: property.required,
                schema: property.schema,
                example,
            });
        }
        self
    }

    /// Sets a JSON body of type `T`, with samples as examples.
    #[must_use]
    pub fn json_body<T: JsonSchema>(
        mut self,
        schemas: &mut Schemas,
        description: &'static str,
        samples: &[Sample],
    ) -> Self {
        let media = media(schemas.of::<T>(), samples);
        self.request_body = Some(RequestBody {
            description,
            required: true,
            content: BTreeMap::from([(JSON.to_owned(), media)]),
        });
        self
    }

    /// Sets a body of another media type (the 3-D Secure form).
    #[must_use]
    pub fn body(mut self, media_type: &str, description: &'static str, schema: Schema) -> Self {
        let media = MediaType {
            schema,
            examples: BTreeMap::new(),
        };
        self.request_body = Some(RequestBody {
            description,
            required: true,
            content: BTreeMap::from([(media_type.to_owned(), media)]),
        });
        self
    }

    /// Adds the answer given with `status`.
    #[must_use]
    pub fn answer(mut self, status: u16, response: Response) -> Self {
        self.responses.insert(status.to_string(), response);
        self
    }

    /// Adds the documented error body of the message whose cause enum is `C`, for each `(status, when)`; the
    /// sample, if any, is shown with the first.
    #[must_use]
    pub fn errors<C: JsonSchema>(
        mut self,
        schemas: &mut Schemas,
        answers: &[(u16, &str)],
        sample: Option<Sample>,
    ) -> Self {
        let schema = schemas.of::<ErrorBody<C>>();
        for (index, (status, when)) in answers.iter().enumerate() {
            let shown = if index == 0 { sample.as_slice() } else { &[] };
            let response = with_body(when, JSON, media(schema.clone(), shown));
            self.responses.insert(status.to_string(), response);
        }
        self
    }
}

/// A JSON answer of type `T`, with samples as examples.
pub fn json<T: JsonSchema>(
    schemas: &mut Schemas,
    description: &str,
    samples: &[Sample],
) -> Response {
    with_body(description, JSON, media(schemas.of::<T>(), samples))
}

/// An answer with a body of `media_type` whose schema is `schema`.
pub fn other(description: &str, media_type: &str, schema: Schema) -> Response {
    let media = MediaType {
        schema,
        examples: BTreeMap::new(),
    };
    with_body(description, media_type, media)
}

/// A `303 See Other` answer to `Location`.
pub fn see_other(description: &str) -> Response {
    let location = Header {
        description: "Where the browser goes next.",
        required: true,
        schema: json_schema!({"type": "string", "format": "uri"}),
    };
    Response {
        description: description.to_owned(),
        headers: BTreeMap::from([("Location".to_owned(), location)]),
        content: BTreeMap::new(),
    }
}

fn with_body(description: &str, media_type: &str, media: MediaType) -> Response {
    Response {
        description: description.to_owned(),
        headers: BTreeMap::new(),
        content: BTreeMap::from([(media_type.to_owned(), media)]),
    }
}

fn media(schema: Schema, samples: &[Sample]) -> MediaType {
    let examples = samples
        .iter()
        .map(|sample| {
            let example = Example {
                summary: sample.summary,
                value: sample.value.clone(),
            };
            (sample.name.to_owned(), example)
        })
        .collect();
    MediaType { schema, examples }
}
