//! What each command does.

pub mod check;
pub mod generate;
pub mod token;

pub use klue_cli::UserError;
