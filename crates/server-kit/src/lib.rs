//! HTTP plumbing shared by the sandbox's two servers (the fake gateway and the reference Connecting Party
//! server), so both answer bad input the same documented way. It knows the protocol's error body, not its flow.
//!
//! # Layout
//! - [`body`]: [`JsonBody`], the extractor that checks `Content-Type`, size and the message's [`dapi::Validate`]
//!   rules, rejecting with [`BodyError`].
//! - [`form`]: query strings and form bodies decoded strictly ([`form::parse_query`], [`FormBody`]).
//! - [`failure`]: [`WireError`] (an error's HTTP status, cause and code) and [`Failure`], its response.
//! - [`document`]: [`openapi_route`], `GET /openapi.json`.
//! - [`mod@serve`]: [`serve()`] with graceful shutdown, the middleware stack, `/health`.
//! - [`tasks`]: [`Tasks`], tracked outbound jobs that shutdown drains.

pub mod body;
pub mod document;
pub mod failure;
pub mod form;
pub mod serve;
pub mod tasks;

pub use body::{BodyError, InvalidInput, JsonBody, read_body};
pub use document::openapi_route;
pub use failure::{Failure, WireError};
pub use form::{FormBody, parse_query};
pub use serve::{Limits, serve, with_common_layers};
pub use tasks::Tasks;
