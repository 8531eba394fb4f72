#![doc = include_str!("../README.md")]
//!
//! ## The library
//!
//! What the klue command-line binaries share: `klue test` and `run_acceptance_tests` are the same
//! command, so it lives here rather than in either binary.

pub mod acceptance;
pub mod error;

pub use error::UserError;
