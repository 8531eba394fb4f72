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
    /// Generate the code of a spec as a standalone crate (Cargo.toml + src/lib.rs, depending on
    /// klue-core), for reading or for compiling the spec on its own.
    Generate(GenerateArgs),
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

/// Arguments of `klue generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The spec (YAML or JSON).
    pub spec: PathBuf,
    /// The directory to write the crate into (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
    /// The crate's name (default: `<spec file stem>-api`).
    #[arg(long)]
    pub name: Option<String>,
    /// Depend on klue-core at this path instead of by version (e.g. a checkout of klue).
    #[arg(long, value_name = "DIR")]
    pub klue_core_path: Option<PathBuf>,
    /// Generate only the server side (trait, request types, router).
    #[arg(long, conflicts_with = "client_only")]
    pub server_only: bool,
    /// Generate only the client side.
    #[arg(long)]
    pub client_only: bool,
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
