//! party
