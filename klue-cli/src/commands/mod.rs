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

use crate::cli::{Cli, Command};

/// Runs the command. Deploy, rollback and test print their own summary, so their failures are
/// [`UserError::reported`] with their exit statuses.
pub fn run(cli: &Cli) -> Result<(), UserError> {
    match &cli.command {
        Command::Token(args) => token::run(args),
        Command::Check(args) => check::run(args),
        Command::Generate(args) => generate::run(args),
        Command::New(args) => new::run(args),
        Command::Build(args) => build::run(args),
        Command::Envs(args) => envs::run(args),
        Command::Cleanup(args) => cleanup::run(args),
        Command::Logs(args) => deploy::logs::run(args),
        Command::Cloud(args) => cloud::run(args),
        Command::Deploy(args) => deploy::main(args),
        Command::Rollback(args) => deploy::rollback::main(args),
        Command::Test(args) => crate::acceptance::main(args),
    }
}
