//! What each command does.

pub mod build;
pub mod check;
pub mod cleanup;
pub mod cloud;
pub mod deploy;
pub mod envs;
pub mod generate;
pub mod klue_path;
pub mod new;
pub mod service;
pub mod templates;
pub mod token;

pub use crate::UserError;
