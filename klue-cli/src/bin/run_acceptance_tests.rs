//! `run_acceptance_tests`: runs a service's acceptance tests (`testaccept/`) against a running
//! server. The same command as `klue test`; run with `--help`.

use std::process::ExitCode;

use clap::Parser;

/// Run the acceptance tests (the testaccept crate) against a running server: wait for its /ping,
/// mint a test JWT, run the tests, and summarize.
#[derive(Debug, Parser)]
#[command(name = "run_acceptance_tests", version)]
struct Cli {
    #[command(flatten)]
    args: klue_cli::acceptance::Args,
}

fn main() -> ExitCode {
    let args = Cli::parse().args;
    klue_cli::error::report(klue_cli::acceptance::main(&args), args.json)
}
