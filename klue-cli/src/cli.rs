//! The command-line definitions (clap), apart from what the commands do.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// klue: spec-first REST microservices in Rust.
#[derive(Debug, Parser)]
#[command(name = "klue", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a JWT for the secret, audience and issuer in KLUE_JWT_* (the server's settings).
    Token(TokenArgs),
    /// Check OpenAPI specs; report every problem with its location. Exit 0 when all are clean.
    Check(CheckArgs),
    /// Run the acceptance tests (testaccept/) against a running server: wait for its /ping, mint a
    /// test JWT, run the tests, summarize. The same as `run_acceptance_tests`.
    Test(klue_cli::acceptance::Args),
}

/// Arguments of `klue token`.
#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// The user id, put in `sub`.
    #[arg(long, default_value = "test-user")]
    pub sub: String,
    /// An extra claim, `name=value`; the value is read as JSON when it parses, else as a string.
    /// Repeatable.
    #[arg(long = "claim", value_name = "NAME=VALUE")]
    pub claims: Vec<String>,
    /// Print a JSON object with the token and its claims instead of the bare token.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `klue check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Spec files (YAML or JSON).
    #[arg(required = true)]
    pub specs: Vec<PathBuf>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}
