#![doc = include_str!("../README.md")]
//!
//! ## The library
//!
//! The whole of the `klue` command: its flags (`cli`), what each command does (`commands`,
//! private) and [`run`], which the `klue` binary calls with the parsed command line.
//! `run_acceptance_tests` is `klue test` under another name, so `acceptance` is public for it.

pub mod acceptance;
pub mod cli;
mod commands;
pub mod error;

pub use error::UserError;

use std::process::ExitCode;

/// Runs the command `cli` names, reports how it went and returns the exit status.
pub fn run(cli: cli::Cli) -> ExitCode {
    let json = cli.json_errors();
    // `--local`: the local cloud's variables are set before anything runs (exit 2 when it is
    // not up, never AWS instead).
    let result = commands::cloud::apply(cli).and_then(|cli| commands::run(&cli));
    error::report(result, json)
}
