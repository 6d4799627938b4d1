//! e2e kit
