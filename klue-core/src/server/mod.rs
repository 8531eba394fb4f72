//! The HTTP server: [`Server`] collects APIs, hooks, health checks and reporters;
//! [`Server::bind`] compiles them into a [`KlueService`] and listens.

mod accept_backoff;
mod body;
mod drain;
mod idle;
mod listen;
mod parse_error_envelope;
mod plan;
mod router;
mod routes;
mod service;
mod stack;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::Method;
use tokio::net::TcpListener;

use crate::config::ServerConfig;
use crate::health::HealthChecks;
use crate::hooks::{LayerFn, OperationService};
use crate::registry::ApiRouter;
use crate::report::Reporter;

pub use drain::ShutdownReport;
pub use listen::BoundServer;
pub use service::KlueService;

/// Why a set of APIs cannot be served together.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Two operations claim the same method and path.
    #[error("{method} {path} is bound twice: by operation '{first}' and by '{second}'")]
    DuplicateOperation {
        /// The method.
        method: Method,
        /// The path template.
        path: String,
        /// The operation registered first.
        first: String,
        /// The operation registered second.
        second: String,
    },
    /// The router refused a path template (e.g. two templates that conflict).
    #[error("path '{path}' cannot be routed: {reason}")]
    InvalidPath {
        /// The path template.
        path: String,
        /// The router's explanation.
        reason: String,
    },
    /// A hook or a setting names an operation no API has.
    #[error("{what} names operation '{operation}', which no API served here has")]
    UnknownOperation {
        /// What named it.
        what: &'static str,
        /// The operation id.
        operation: String,
    },
    /// A bearer verifier names a scheme that is not an opaque bearer scheme of its API (a
    /// typo would leave the scheme's tokens unchecked).
    #[error(
        "ApiRouter::bearer_verifier names '{scheme}', which is not an opaque bearer security \
         scheme of API '{api}' (an http bearer scheme whose bearerFormat is not JWT, or one \
         named in the code generator's opaque_bearer)"
    )]
    UnknownBearerScheme {
        /// The API.
        api: &'static str,
        /// The scheme name given.
        scheme: String,
    },
    /// No API was given.
    #[error("the server has no API to serve")]
    NoApi,
}

/// An API and where it is mounted.
pub(crate) struct Mounted {
    pub(crate) prefix: String,
    pub(crate) router: ApiRouter,
}

/// A klue server: APIs plus configuration. Build with [`Server::new`], add APIs with
/// [`Server::api`], then [`Server::bind`] and [`BoundServer::serve`].
pub struct Server {
    pub(crate) apis: Vec<Mounted>,
    pub(crate) config: ServerConfig,
    pub(crate) layers: Vec<LayerFn>,
    pub(crate) health: HealthChecks,
    pub(crate) reporters: Vec<Arc<dyn Reporter>>,
    pub(crate) slow_thresholds: Vec<(String, Duration)>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field(
                "apis",
                &self
                    .apis
                    .iter()
                    .map(|m| (&m.prefix, m.router.info.name))
                    .collect::<Vec<_>>(),
            )
            .field("config", &self.config)
            .field("layers", &self.layers.len())
            .field("health_checks", &self.health.names())
            .field("reporters", &self.reporters.len())
            .finish()
    }
}

impl Server {
    /// A server with `config`.
    pub fn new(config: ServerConfig) -> Self {
        Server {
            apis: Vec::new(),
            config,
            layers: Vec::new(),
            health: HealthChecks::default(),
            reporters: Vec::new(),
            slow_thresholds: Vec::new(),
        }
    }

    /// Adds an API, its paths served as the spec writes them. The first API added is the one
    /// `/version` reports.
    pub fn api(self, router: ApiRouter) -> Self {
        self.api_at("", router)
    }

    /// Adds an API with every path under `prefix` (e.g. `/v2`): two versions of an API can be
    /// served side by side. The built-ins stay unversioned.
    pub fn api_at(mut self, prefix: &str, router: ApiRouter) -> Self {
        let prefix = prefix.trim_end_matches('/').to_owned();
        self.apis.push(Mounted { prefix, router });
        self
    }

    /// Adds an API under the base path of its spec: the path of the first `servers` URL
    /// (OpenAPI 3) or `basePath` (Swagger 2.0), e.g. `/v2` for `servers: [{url: /v2}]`.
    pub fn api_at_base_path(self, router: ApiRouter) -> Self {
        let prefix = router.info.base_path();
        self.api_at(&prefix, router)
    }

    /// Wraps every operation of every API, and the built-ins, in a tower layer (the
    /// original's `x-decorate-server`). See [`crate::hooks`].
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<OperationService> + Send + Sync + 'static,
        L::Service: crate::hooks::IntoOperationService,
    {
        self.layers.push(crate::hooks::layer_fn(layer));
        self
    }

    /// Registers a readiness check run by `GET /health`: it passes when `check` returns `Ok`
    /// within the configured `health_timeout`.
    pub fn health_check<F, Fut, E>(mut self, name: &str, check: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<(), E>> + Send + 'static,
        E: std::fmt::Display + 'static,
    {
        self.health.add(name, check);
        self
    }

    /// Adds a reporter, called (off the request path) for every 5xx and every slow call.
    pub fn reporter(mut self, reporter: impl Reporter) -> Self {
        self.reporters.push(Arc::new(reporter));
        self
    }

    /// Calls to `operation` slower than `threshold` are reported (instead of the configured
    /// `slow_call_threshold`).
    pub fn slow_call_threshold(mut self, operation: &str, threshold: Duration) -> Self {
        self.slow_thresholds.push((operation.to_owned(), threshold));
        self
    }

    /// Compiles the routing table; fails on conflicting operations or paths.
    pub fn build(self) -> Result<KlueService, BuildError> {
        KlueService::build(self)
    }

    /// Builds and binds to `addr` (port 0 picks a free port).
    pub async fn bind(self, addr: SocketAddr) -> Result<BoundServer, ServeError> {
        let config = self.config.clone();
        let service = self.build()?;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        Ok(BoundServer::new(service, listener, config))
    }
}

/// Failure to start serving.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The APIs cannot be served together.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}
