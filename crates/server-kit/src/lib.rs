//! HTTP plumbing shared by the sandbox's two servers (the fake gateway and the reference Connecting Party
//! server), so both answer bad input the same documented way. It knows the protocol's error body, not its flow.
//!
//! # Layout
//! - [`body`]: [`JsonBody`], the extractor that checks `Content-Type`, size and the message's [`dapi::Validate`]
//!   rules, rejecting with [`BodyError`].
//! - [`form`]: query strings and form bodies decoded strictly ([`form::parse_query`], [`FormBody`]).
//! - [`control`]: [`ControlPlane`], the sandbox control plane's switch, and [`control::guard`], its token check.
//! - [`failure`]: [`WireError`] (an error's HTTP status, cause and code) and [`Failure`], its response.
//! - [`document`]: [`openapi_route`], `GET /openapi.json`.
//! - [`layers`]: the middleware stack ([`with_common_layers`]: `/health`, body limit, tracing, JSON 404/405)
//!   and the whole-request timeout ([`with_request_timeout`]).
//! - [`mod@serve`]: [`serve()`]: plain HTTP or HTTPS ([`Transport`]), header-read, idle and handshake timeouts
//!   ([`Timeouts`]), a graceful shutdown bounded by [`Timeouts::drain`].
//! - [`tasks`]: [`Tasks`], tracked outbound jobs that shutdown drains.

pub mod body;
pub mod control;
pub mod document;
pub mod failure;
pub mod form;
pub mod layers;
pub mod serve;
pub mod tasks;

pub use body::{BodyError, InvalidInput, JsonBody, read_body};
pub use control::ControlPlane;
pub use document::openapi_route;
pub use failure::{Failure, WireError};
pub use form::{FormBody, parse_query};
pub use layers::{Limits, with_common_layers, with_request_timeout};
pub use serve::{Timeouts, Transport, serve};
pub use tasks::Tasks;
