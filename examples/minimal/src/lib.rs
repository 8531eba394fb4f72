//! A klue service built with klue-core's default features off (`client`, `tls`, `docs`,
//! `cli`): the proof that each of them is optional. Every operation of
//! `apis/helloworld.yaml` answers 501 (default stubs); the built-ins are served.

/// The code generated from `apis/helloworld.yaml`, without the client.
pub mod api {
    klue_core::include_api!("helloworld");
}

/// The service: no operation implemented.
#[derive(Debug, Default)]
pub struct Minimal;

impl api::HelloworldApi for Minimal {}
