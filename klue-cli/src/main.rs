//! The `klue` command line. Run `klue --help`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    klue_cli::run(klue_cli::cli::Cli::parse())
}
