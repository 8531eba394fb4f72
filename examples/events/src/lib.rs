//! The events service of the Connexion + MongoDB seed as a klue service: `apis/events.yaml`
//! implemented over an embedded SQLite database. `main.rs` serves it; the tests serve it on a
//! free port.

pub mod db;
pub mod filter;
pub mod instant;
pub mod report;
pub mod service;
pub mod store;

/// The code generated from `apis/events.yaml`.
pub mod api {
    klue_core::include_api!("events");
}

pub use db::Db;
pub use service::Events;
