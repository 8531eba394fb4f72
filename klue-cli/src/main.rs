//! The `klue` command line. Run `klue --help`.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match &cli.command {
        cli::Command::Token(args) => commands::token::run(args),
        cli::Command::Check(args) => commands::check::run(args),
        cli::Command::Generate(args) => commands::generate::run(args),
        // Its own exit statuses (failed tests vs. could not run), so it reports by itself.
        cli::Command::Test(args) => return klue_cli::acceptance::main(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}
