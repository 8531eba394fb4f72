//! klue-core: the runtime of klue services.
//!
//! A service's `build.rs` runs `klue-codegen` on its OpenAPI spec; the generated code, pulled in
//! with [`include_api!`], defines the types, an async trait per API and a function binding an
//! implementation of that trait to an [`ApiRouter`]. This crate serves such routers on hyper 1:
//! routing, parameter and body decoding, validation that reports every violation, JWT auth,
//! the uuid-tagged error envelope and the built-in `/ping`, `/version` and `/auth/version`.

pub mod auth;
pub mod error;
pub mod validate;

// pub use auth::{Authenticator, Claims, JwtConfig};
pub use error::{codes, ApiError, ErrorEnvelope};
pub use validate::{Location, Validate, Violation, Violations};
