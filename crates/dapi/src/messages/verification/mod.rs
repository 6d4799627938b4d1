//! The card verification's messages (addendum §2), one module per hop. What the addendum says is the same as in
//! the sale is the sale's type, re-exported under the verification's name: the shared session shapes, the error
//! body, the card data, the check answer's `session`, the notification's answer.
//!
//! - [`initiate`]: initiate verification (§2.2), app → Connecting Party.
//! - [`validation`]: perform validation (§2.3), app → gateway.
//! - [`check`]: check verification (§2.4), gateway → Connecting Party.
//! - [`status`]: verification status (§2.5), app → gateway.
//! - [`notification`]: the verification card mapping notification (§2.7), gateway → Connecting Party.

pub mod check;
pub mod initiate;
pub mod notification;
pub mod status;
pub mod validation;

#[cfg(test)]
mod fixtures;
