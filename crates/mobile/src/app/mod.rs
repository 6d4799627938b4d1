//! Playing the app and the consumer.

mod browser;
pub(crate) mod client;
pub(crate) mod form;
pub(crate) mod messages;
mod misbehave;
pub(crate) mod play;
mod status;
pub(crate) mod wire;

pub use client::Client;
