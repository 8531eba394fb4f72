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

/// Runs the command `cli` names and returns its exit status.
pub fn run(parsed: cli::Cli) -> ExitCode {
    // `--local`: the local cloud's variables are set before anything runs (exit 2 when it is
    // not up, never AWS instead).
    let wants_json = commands::cloud::wants_json(&parsed);
    let cli = match commands::cloud::apply(parsed) {
        Ok(cli) => cli,
        Err(err) => {
            eprintln!("{err}");
            if wants_json {
                println!("{}", err.to_json());
            }
            return ExitCode::from(err.exit_code());
        }
    };
    let json = match &cli.command {
        cli::Command::Token(args) => args.json,
        // Its report is the JSON, problems included.
        cli::Command::Envs(args) => args.json,
        cli::Command::Cleanup(args) => args.json,
        cli::Command::Logs(args) => args.json,
        _ => false,
    };
    let result = match &cli.command {
        cli::Command::Token(args) => commands::token::run(args),
        cli::Command::Check(args) => commands::check::run(args),
        cli::Command::Generate(args) => commands::generate::run(args),
        cli::Command::New(args) => commands::new::run(args),
        cli::Command::Build(args) => commands::build::run(args),
        cli::Command::Envs(args) => commands::envs::run(args),
        cli::Command::Cleanup(args) => commands::cleanup::run(args),
        cli::Command::Logs(args) => commands::deploy::logs::run(args),
        cli::Command::Cloud(args) => commands::cloud::run(args),
        // Its own exit statuses (a failed step vs. bad setup) and summary.
        cli::Command::Deploy(args) => return commands::deploy::main(args),
        // Exit 1 (a check failed, nothing swapped) or 2 (nothing to roll back to).
        cli::Command::Rollback(args) => return commands::deploy::rollback::main(args),
        // Its own exit statuses (failed tests vs. could not run), so it reports by itself.
        cli::Command::Test(args) => return acceptance::main(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The same status for the same cause in every command: 1 the step failed, 2 it could
        // not run.
        Err(err) => {
            eprintln!("{err}");
            if json {
                println!("{}", err.to_json());
            }
            ExitCode::from(err.exit_code())
        }
    }
}
