//! Every message of the sale flow (spec section 3), one module per hop, and of the card verification flow
//! (addendum §2), in [`verification`].

pub mod callback;
pub mod check;
pub mod common;
pub mod initiate;
pub mod perform;
pub mod status;
pub mod verification;

#[cfg(test)]
mod fixtures;
