//! Run with: cargo run -p helloworld -- --port 8080
//!
//! The klue helloworld service: `apis/helloworld.yaml` implemented in a few lines.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    klue_core::run([helloworld::api::router(helloworld::Hello::default())]).await
}
