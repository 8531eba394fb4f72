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

mod access;
pub mod auth;
mod body_stream;
mod builtin;
pub mod client;
#[doc(hidden)]
pub mod codegen;
pub mod config;
mod docs;
pub mod error;
pub mod error_map;
pub mod formats;
mod generated_glue;
mod health;
pub mod hooks;
mod log_format;
mod log_writer;
mod metrics;
mod multipart;
mod params;
pub mod report;
mod request;
mod response;
mod router;
mod run;
mod serde_object;
mod served_spec;
mod server;
mod style;
mod url;
pub mod validate;
pub mod yaml;

pub use access::REQUEST_ID_HEADER;
pub use auth::{
    install_jwt_crypto, Authenticator, BasicCredentials, BearerToken, Claims, JwtConfig,
};
pub use body_stream::BodyStream;
pub use builtin::VersionInfo;
pub use client::{ClientConfig, ClientError, HttpClient};
pub use config::{ConfigError, LogFormat, ServerConfig};
pub use error::{codes, ApiError, ErrorEnvelope};
pub use error_map::ErrorReport;
pub use log_writer::flush as flush_logs;
pub use multipart::FilePart;
pub use params::{FromParam, ToParam};
pub use report::{LogReporter, Report, Reporter, WebhookReporter};
pub use request::OperationRequest;
pub use response::{empty_response, json_response, Body, IntoResponse};
pub use router::{ApiInfo, ApiRouter, AuthMode, BodySpec, OperationSpec};
pub use run::{
    init_logging, init_logging_with, run, run_configured, serve_with, shutdown_exit_code,
    ServerArgs, EXIT_REQUESTS_DROPPED,
};
pub use server::{BoundServer, BuildError, KlueService, ServeError, Server, ShutdownReport};
pub use style::{ParamSpec, Style};
pub use url::{add_cookie, set_header, UrlBuilder};
pub use validate::{Location, Validate, Violation, Violations};

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
