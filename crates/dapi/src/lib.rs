//! The ConnPay (Payneteasy "DAPI") Mobile Device Sale protocol and its card verification flow, shared by the
//! three parties of the sandbox: typed messages, the documented error body, validation with field paths, and the
//! signatures.
//!
//! Nothing sandbox-specific (that is `sandbox-api`), no HTTP, no async, no I/O: the gateway, the Connecting
//! Party server and the mobile client all build and check their messages with these types, so the three cannot
//! drift apart. Section numbers ("spec 3.4") refer to the protocol reference, `dapi-sale.md`; "addendum §2.4"
//! and "V9" to its card verification addendum, `dapi-verification.md`.
//!
//! # Layout
//! - [`flow`]: [`Flow`], sale or card verification: which paths, steps and callback `type`.
//! - [`ids`]: identifier newtypes (`InvoiceId`, `SessionToken`, `ServerCardId`, ...).
//! - [`card`]: card number and security code with redacting `Debug`, Luhn, the one masking rule.
//! - [`state`]: sale state, 3-D Secure status, callback status.
//! - [`messages`]: request and response of every hop, one module per hop, each with its [`Validate`] rules;
//!   the verification's in [`messages::verification`].
//! - [`steps`]: the messages of the sequence diagrams, by step number and name.
//! - [`paths`]: the path of every message, ids percent-encoded as one segment.
//! - [`samples`]: one sample of every message, the spec's examples first; the fixtures of the tests and the
//!   examples of the API descriptions.
//! - [`error`]: the error body and each message's cause enum.
//! - [`validate`]: [`Violation`]s, [`Rule`]s and [`decode`].
//! - [`signature`]: control key, HMAC-SHA1 signatures and the callback `control`.
//!
//! Every message, id and enum also derives its JSON Schema (`schemars`), with the spec's necessity, types and
//! lengths, so the published API descriptions are generated from these types.

pub mod card;
pub mod error;
pub mod flow;
pub mod ids;
pub mod messages;
pub mod paths;
pub mod samples;
pub mod signature;
pub mod state;
pub mod steps;
pub mod validate;

pub use card::{CardNumber, SecurityCode};
pub use error::{ErrorBody, PartyCause, PerformSaleCause, StatusCause};
pub use flow::Flow;
pub use ids::*;
pub use paths::segment;
pub use signature::{ControlKey, SignatureError};
pub use state::{AuthStatus, CallbackStatus, SaleState};
pub use steps::Step;
pub use validate::{Rule, Validate, Violation, Violations, decode};

/// The documented default DAPI path prefix (spec A26).
pub const DEFAULT_DAPI_PREFIX: &str = "/paynet/dapi/v1";
/// The endpoint id the sandbox parties use when none is given.
pub const SANDBOX_ENDPOINT_ID: &str = "1234";
/// The control key the sandbox parties share when none is given (the spec's test-vector key; never use it in production).
pub const SANDBOX_CONTROL_KEY: &str = "3F2A1B4C-5D6E-4F70-8192-A3B4C5D6E7F8";
