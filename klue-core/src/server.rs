//! The HTTP server: routes requests to operations, authenticates, reads bodies within limits,
//! runs handlers (a panic becomes a 500 envelope) and answers every error as an envelope.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::FutureExt;
use http::{header, HeaderMap, Method, Request, Response};
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body as _, Incoming};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::auth::Authenticator;
use crate::builtin::{self, VersionInfo};
use crate::client::CallContext;
use crate::config::ServerConfig;
use crate::request::OperationRequest;
use crate::response::{json_bytes_response, Body};
use crate::router::{ApiRouter, AuthMode, Handler, OperationSpec};
use crate::ApiError;

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
    /// No API was given.
    #[error("the server has no API to serve")]
    NoApi,
}

/// A klue server: APIs plus configuration. Build with [`Server::new`], add APIs with
/// [`Server::api`], then [`Server::bind`] and [`BoundServer::serve`].
#[derive(Debug)]
pub struct Server {
    routers: Vec<ApiRouter>,
    config: ServerConfig,
}

impl Server {
    /// A server with `config`.
    pub fn new(config: ServerConfig) -> Self {
        Server {
            routers: Vec::new(),
            config,
        }
    }

    /// Adds an API. The first API added is the one `/version` reports.
    pub fn api(mut self, router: ApiRouter) -> Self {
        self.routers.push(router);
        self
    }

    /// Compiles the routing table; fails on conflicting operations or paths.
    pub fn build(self) -> Result<KlueService, BuildError> {
        KlueService::build(self.routers, self.config)
    }

    /// Builds and binds to `addr` (port 0 picks a free port).
    pub async fn bind(self, addr: SocketAddr) -> Result<BoundServer, ServeError> {
        let shutdown_timeout = self.config.shutdown_timeout;
        let service = self.build()?;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        Ok(BoundServer {
            service,
            listener,
            shutdown_timeout,
        })
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

/// A server bound to its address, ready to serve.
#[derive(Debug)]
pub struct BoundServer {
    service: KlueService,
    listener: TcpListener,
    shutdown_timeout: std::time::Duration,
}

impl BoundServer {
    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then shuts down gracefully: stops accepting, lets
    /// every connection finish the request it is serving (idle keep-alive connections close),
    /// and returns once all are done, or when the configured `shutdown_timeout` has passed.
    /// Returns whether every connection finished in time.
    pub async fn serve_until(self, shutdown: impl Future<Output = ()>) -> bool {
        let BoundServer {
            service,
            listener,
            shutdown_timeout,
        } = self;
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        tokio::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = &mut shutdown => break,
            };
            let stream = match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    // Out of file descriptors and the like: keep serving the open connections.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service.clone());
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(err) = connection.await {
                    tracing::debug!(error = %err, "connection ended with an error");
                }
            });
        }
        drop(listener);
        tracing::info!(
            connections = graceful.count(),
            "shutting down: no new connections; finishing in-flight requests"
        );
        match tokio::time::timeout(shutdown_timeout, graceful.shutdown()).await {
            Ok(()) => true,
            Err(_) => {
                tracing::warn!(
                    timeout_ms = shutdown_timeout.as_millis() as u64,
                    "shutdown timeout passed with requests still in flight; they are dropped"
                );
                false
            }
        }
    }

    /// Serves forever.
    pub async fn serve(self) {
        self.serve_until(std::future::pending()).await;
    }
}

struct Operation {
    spec: &'static OperationSpec,
    action: Action,
}

/// What answers an operation.
enum Action {
    /// A fixed JSON body (the built-ins): answered without a handler future.
    Static(Bytes),
    /// A generated handler.
    Handler(Handler),
}

struct PathEntry {
    template: String,
    allow: String,
    operations: Vec<Operation>,
}

struct Inner {
    router: matchit::Router<usize>,
    paths: Vec<PathEntry>,
    auth: Authenticator,
    body_limit: usize,
}

/// The hyper service of a klue server: cheap to clone (one per connection).
#[derive(Clone)]
pub struct KlueService {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for KlueService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KlueService")
            .field(
                "paths",
                &self
                    .inner
                    .paths
                    .iter()
                    .map(|p| &p.template)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl KlueService {
    fn build(routers: Vec<ApiRouter>, config: ServerConfig) -> Result<Self, BuildError> {
        let first = routers.first().ok_or(BuildError::NoApi)?;
        let version = VersionInfo {
            name: first.info.name.to_owned(),
            version: first.info.version.to_owned(),
            container: config.container_version.clone(),
        };
        let auth = Authenticator::new(config.jwt.clone()).unwrap_or_else(|err| {
            tracing::error!(error = %err, "JWT configuration unusable: every token will be refused");
            Authenticator::disabled()
        });
        if !auth.is_configured() {
            tracing::warn!(
                "no JWT key configured (KLUE_JWT_SECRET): operations that need a token answer 401"
            );
        }

        let mut table = RouteTable::default();
        let version_body = builtin::version_body(&version);
        table.add(&builtin::PING, Action::Static(builtin::PING_BODY))?;
        table.add(&builtin::VERSION, Action::Static(version_body.clone()))?;
        table.add(&builtin::AUTH_VERSION, Action::Static(version_body))?;
        for router in routers {
            for (spec, handler) in router.operations {
                table.add(spec, Action::Handler(handler))?;
            }
        }
        Ok(KlueService {
            inner: Arc::new(Inner {
                router: table.router,
                paths: table.paths,
                auth,
                body_limit: config.body_limit,
            }),
        })
    }

    /// Answers one request. Never fails: every error is an envelope response.
    pub async fn handle(&self, request: Request<Incoming>) -> Response<Body> {
        match self.dispatch(request).await {
            Ok(response) => response,
            Err(err) => err.into_response(),
        }
    }

    async fn dispatch(&self, request: Request<Incoming>) -> Result<Response<Body>, ApiError> {
        let inner = &*self.inner;
        let (operation, path_params) = {
            let path = request.uri().path();
            let matched = inner
                .router
                .at(path)
                .map_err(|_| ApiError::route_not_found(request.method(), path))?;
            let entry = &inner.paths[*matched.value];
            let operation = entry.find(request.method()).ok_or_else(|| {
                ApiError::method_not_allowed(request.method(), path, &entry.allow)
            })?;
            let params: Vec<(String, String)> = matched
                .params
                .iter()
                .map(|(key, value)| (key.to_owned(), decode_path_segment(value)))
                .collect();
            (operation, params)
        };
        let spec = operation.spec;

        let claims = match spec.auth {
            AuthMode::None => None,
            AuthMode::Required => Some(inner.auth.authenticate(request.headers())?),
            // Anonymous callers are welcome; a caller who sends a bad token is told so.
            AuthMode::Optional => match inner.auth.authenticate(request.headers()) {
                Ok(claims) => Some(claims),
                Err(err) if err.code() == crate::codes::AUTHORIZATION_HEADER_MISSING => None,
                Err(err) => return Err(err),
            },
        };

        let handler = match &operation.action {
            Action::Static(body) => return Ok(json_bytes_response(builtin::OK, body.clone())),
            Action::Handler(handler) => handler,
        };

        let (parts, body) = request.into_parts();
        let body = match &spec.body {
            None => Bytes::new(),
            Some(body_spec) => {
                let empty = body.size_hint().exact() == Some(0);
                if !empty {
                    check_content_type(&parts.headers, body_spec.content_types)?;
                }
                read_body(&parts.headers, body, inner.body_limit).await?
            }
        };

        // Taken before `parts` moves into the request: calls the handler makes to other
        // services forward the caller's auth, call id and call path (refcount bumps only).
        let context = CallContext::from_headers(&parts.headers);
        let request = OperationRequest::new(parts, path_params, body, claims);
        match context
            .scope(AssertUnwindSafe(handler(request)).catch_unwind())
            .await
        {
            Ok(result) => result,
            Err(panic) => Err(ApiError::internal_msg(format!(
                "handler of operation '{}' panicked: {}",
                spec.id,
                panic_message(&*panic)
            ))),
        }
    }
}

impl hyper::service::Service<Request<Incoming>> for KlueService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let service = self.clone();
        Box::pin(async move { Ok(service.handle(request).await) })
    }
}

impl PathEntry {
    fn find(&self, method: &Method) -> Option<&Operation> {
        let found = self.operations.iter().find(|op| op.spec.method == method);
        // HEAD is answered by GET; hyper drops the body.
        if found.is_none() && method == Method::HEAD {
            return self
                .operations
                .iter()
                .find(|op| op.spec.method == Method::GET);
        }
        found
    }
}

#[derive(Default)]
struct RouteTable {
    router: matchit::Router<usize>,
    paths: Vec<PathEntry>,
}

impl RouteTable {
    fn add(&mut self, spec: &'static OperationSpec, action: Action) -> Result<(), BuildError> {
        let index = match self.paths.iter().position(|p| p.template == spec.path) {
            Some(index) => index,
            None => {
                let index = self.paths.len();
                self.router
                    .insert(spec.path, index)
                    .map_err(|err| BuildError::InvalidPath {
                        path: spec.path.to_owned(),
                        reason: err.to_string(),
                    })?;
                self.paths.push(PathEntry {
                    template: spec.path.to_owned(),
                    allow: String::new(),
                    operations: Vec::new(),
                });
                index
            }
        };
        let entry = &mut self.paths[index];
        if let Some(existing) = entry
            .operations
            .iter()
            .find(|op| op.spec.method == spec.method)
        {
            return Err(BuildError::DuplicateOperation {
                method: spec.method.clone(),
                path: spec.path.to_owned(),
                first: existing.spec.id.to_owned(),
                second: spec.id.to_owned(),
            });
        }
        entry.operations.push(Operation { spec, action });
        let mut methods: Vec<&str> = entry
            .operations
            .iter()
            .map(|op| op.spec.method.as_str())
            .collect();
        methods.sort_unstable();
        entry.allow = methods.join(", ");
        Ok(())
    }
}

fn decode_path_segment(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

fn check_content_type(headers: &HeaderMap, accepted: &[&str]) -> Result<(), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let essence = content_type.map(|value| value.split(';').next().unwrap_or("").trim());
    match essence {
        Some(essence)
            if accepted
                .iter()
                .any(|a| crate::router::media_matches(a, essence)) =>
        {
            Ok(())
        }
        _ => Err(ApiError::unsupported_media_type(content_type, accepted)),
    }
}

async fn read_body(headers: &HeaderMap, body: Incoming, limit: usize) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::payload_too_large(limit));
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => {
            Err(ApiError::payload_too_large(limit))
        }
        Err(err) => Err(ApiError::new(
            http::StatusCode::BAD_REQUEST,
            crate::codes::INVALID_PARAMETER,
            format!("the request body could not be read: {err}"),
        )),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_owned()
    }
}
