//! Judging what happened.

pub(crate) mod answers;
pub(crate) mod expectations;
mod records;
pub(crate) mod violations;
