//! Run with: PORT=8080 cargo run -p minimal (no command line without the `cli` feature).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    klue_core::run([minimal::api::router(minimal::Minimal)]).await
}
