#![doc = include_str!("../README.md")]
//!
//! ## The crate
//!
//! The generated code is pulled in with [`include_api!`]; its router function binds an
//! implementation of the API's trait to an [`ApiRouter`], which this crate serves. Around the
//! operations, each switchable by configuration ([`ServerConfig`]): an access log line per
//! request with a request id, `/metrics`, `/health`, the spec and Swagger UI at `/docs`,
//! CORS, compression, timeouts, HTTP/2 (h2c), graceful shutdown, error reporting
//! ([`report`]) and tower layers around operations ([`hooks`]).
//!
//! ## Features
//!
//! All on by default; a service that needs less sets `default-features = false` and names
//! the ones it wants:
//! - `client`: the runtime of generated clients (the `client` module); without it, generate the
//!   service's code with klue-codegen's `Builder::build_client(false)`;
//! - `tls` (implies `client`): HTTPS for the client and the webhook reporter, with rustls;
//!   without it they speak `http` only;
//! - `docs`: Swagger UI at `/docs`; without it `/docs` is a 404 (`/openapi.json` is served);
//! - `cli`: the command line parsed by clap (`--port`, `--host`, `--builtins-prefix`,
//!   `--help`); without it only `PORT` and `HOST` are read.

#![warn(missing_docs)]

mod access;
mod api_spec;
pub mod auth;
mod builtin;
#[cfg(feature = "client")]
pub mod client;
#[doc(hidden)]
pub mod codegen;
pub mod config;
mod connector;
mod docs;
pub mod error;
pub mod error_map;
mod extract;
pub mod formats;
mod generated_glue;
mod health;
pub mod hooks;
mod log_format;
mod log_writer;
mod metrics;
mod raw_body;
mod registry;
pub mod report;
mod response;
mod run;
mod serde_object;
mod served_spec;
mod server;
mod url;
pub mod validate;
pub mod yaml;

pub use access::REQUEST_ID_HEADER;
pub use auth::{
    install_jwt_crypto, Authenticator, BasicCredentials, BearerToken, Claims, JwtConfig,
};
pub use builtin::VersionInfo;
#[cfg(feature = "client")]
pub use client::{ClientConfig, ClientError, HttpClient};
pub use config::{ConfigError, LogFormat, ServerConfig};
pub use error::{codes, ApiError, ErrorEnvelope};
pub use error_map::ErrorReport;
pub use extract::body_stream::BodyStream;
pub use extract::multipart::FilePart;
pub use extract::params::{FromParam, ToParam};
pub use extract::request::OperationRequest;
pub use extract::style::{ParamSpec, Style};
pub use log_writer::flush as flush_logs;
pub use raw_body::RawBody;
pub use registry::{ApiInfo, ApiRouter, AuthMode, BodySpec, OperationSpec};
pub use report::{LogReporter, Report, Reporter, WebhookReporter};
pub use response::{
    empty_response, json_response, raw_response, text_response, Body, IntoResponse,
};
pub use run::{
    init_logging, init_logging_with, run, run_configured, serve_with, shutdown_exit_code,
    ServerArgs, EXIT_REQUESTS_DROPPED,
};
pub use serde_object::{deserialize_non_null, deserialize_nullable, deserialize_present};
pub use server::{BoundServer, BuildError, KlueService, ServeError, Server, ShutdownReport};
pub use url::{add_cookie, set_header, UrlBuilder};
pub use validate::{Location, Validate, Violation, Violations};

/// The cargo features this build of klue-core has (cargo unifies features across a workspace
/// build, so a crate asking for `default-features = false` may still get them).
pub const FEATURES: &[&str] = &[
    #[cfg(feature = "client")]
    "client",
    #[cfg(feature = "tls")]
    "tls",
    #[cfg(feature = "docs")]
    "docs",
    #[cfg(feature = "cli")]
    "cli",
];

/// Includes the code `klue-codegen` generated for the API named `$name` (the spec's file stem)
/// from `OUT_DIR`.
///
/// ```ignore
/// mod api {
///     klue_core::include_api!("helloworld");
/// }
/// ```
#[macro_export]
macro_rules! include_api {
    ($name:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $name, ".rs"));
    };
}
