//! Accepting connections: HTTP/1.1 and h2c on one port, compression and CORS (when
//! configured) around the service, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::Layer;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use super::accept_backoff::AcceptBackoff;
use super::http_service::HttpService;
use super::idle::serve_until_idle;
use super::parse_error_envelope::EnvelopeIo;
use super::KlueService;
use crate::config::{CorsOrigins, ServerConfig};

/// A server bound to its address, ready to serve.
#[derive(Debug)]
pub struct BoundServer {
    service: KlueService,
    listener: TcpListener,
    config: ServerConfig,
}

impl BoundServer {
    pub(super) fn new(service: KlueService, listener: TcpListener, config: ServerConfig) -> Self {
        BoundServer {
            service,
            listener,
            config,
        }
    }

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
            config,
        } = self;
        let http = HttpService::new(service, config.compression);
        // CORS only when configured: otherwise hyper calls the service directly.
        let drained = match config.cors.as_ref().map(cors) {
            Some(cors) => {
                let http = TowerToHyperService::new(cors.layer(http));
                accept_until(listener, http, &config, shutdown).await
            }
            None => accept_until(listener, http, &config, shutdown).await,
        };
        crate::log_writer::flush();
        drained
    }

    /// Serves forever.
    pub async fn serve(self) {
        self.serve_until(std::future::pending()).await;
    }
}

/// Accepts connections and serves them with `http` until `shutdown`, then drains them.
async fn accept_until<S, B>(
    listener: TcpListener,
    http: S,
    config: &ServerConfig,
    shutdown: impl Future<Output = ()>,
) -> bool
where
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let builder = connection_builder(config);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut backoff = AcceptBackoff::default();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => {
                backoff.succeeded();
                stream
            }
            Err(err) => {
                // Out of file descriptors and the like: keep serving the open connections.
                tokio::time::sleep(backoff.failed(&err)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (http, stream, activity) = super::idle::watch(http.clone(), stream);
        let connection = builder
            .serve_connection(TokioIo::new(EnvelopeIo::new(stream)), http)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(serve_until_idle(
            connection,
            activity,
            config.header_read_timeout,
        ));
    }
    drop(listener);
    tracing::info!(
        connections = graceful.count(),
        "shutting down: no new connections; finishing in-flight requests"
    );
    match tokio::time::timeout(config.shutdown_timeout, graceful.shutdown()).await {
        Ok(()) => true,
        Err(_) => {
            tracing::warn!(
                timeout_ms = config.shutdown_timeout.as_millis() as u64,
                "shutdown timeout passed with requests still in flight; they are dropped"
            );
            false
        }
    }
}

fn connection_builder(config: &ServerConfig) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout)
        .keep_alive(config.keep_alive);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(config.http2_max_concurrent_streams)
        .keep_alive_interval(Some(Duration::from_secs(60)));
    if config.http2 {
        builder
    } else {
        builder.http1_only()
    }
}

fn cors(origins: &CorsOrigins) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods(Any)
        .allow_headers(Any)
        .expose_headers([http::header::HeaderName::from_static("x-request-id")])
        .max_age(Duration::from_secs(600));
    match origins {
        CorsOrigins::Any => layer.allow_origin(Any),
        CorsOrigins::List(list) => layer.allow_origin(AllowOrigin::list(
            list.iter()
                .filter_map(|o| http::HeaderValue::from_str(o).ok()),
        )),
    }
}
