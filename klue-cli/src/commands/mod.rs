//! What each command does.

pub mod check;
pub mod token;

pub use klue_cli::UserError;
