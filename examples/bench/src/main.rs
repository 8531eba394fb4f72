//! Run with: cargo run --release -p bench -- --port 8080
//!
//! The benchmark workload (`apis/bench.yaml`) served by klue-generated code. Needs
//! `KLUE_JWT_SECRET=benchsecretbenchsecretbenchsecret KLUE_JWT_AUDIENCE=bench`.
//! Compare it with the hand-written servers: `cargo run --release -p bench-baselines --bin bench-report`.

use std::process::ExitCode;

use klue_core::ApiError;

mod api {
    klue_core::include_api!("bench");
}

use api::*;

struct Bench;

impl BenchApi for Bench {
    async fn create_item(
        &self,
        request: CreateItemRequest,
    ) -> Result<CreateItemResponse, ApiError> {
        let item = request.body;
        Ok(Item {
            id: uuid::Uuid::new_v4().into(),
            name: item.name,
            price: item.price,
            tags: item.tags,
        }
        .into())
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    klue_core::run([api::router(Bench)]).await
}
