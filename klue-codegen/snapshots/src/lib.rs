//! The snapshots of generated code (`src/generated/*.rs`, written by
//! `klue-codegen/tests/snapshots.rs`), compiled here so that CI proves they build, and served
//! by this crate's tests.

/// `apis/helloworld.yaml`.
pub mod helloworld {
    include!("generated/helloworld.rs");
}

/// `apis/bench.yaml`.
pub mod bench {
    include!("generated/bench.rs");
}

/// `apis/ping.yaml`: the built-in endpoints, as a spec.
pub mod ping {
    include!("generated/ping.rs");
}

/// `apis/fixtures/openapi30/nullable.yaml`: absent vs null vs value.
pub mod nullable {
    include!("generated/nullable.rs");
}

/// `apis/fixtures/openapi30/cookies.yaml`: cookie parameters.
pub mod cookies {
    include!("generated/cookies.rs");
}
