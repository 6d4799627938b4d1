//! Every message of the sale flow (spec section 3), one module per hop.

pub mod callback;
pub mod check;
pub mod common;
pub mod initiate;
pub mod perform;
pub mod status;

#[cfg(test)]
mod fixtures;
