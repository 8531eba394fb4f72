//! Accepting connections: HTTP/1.1 and h2c on one port, the middleware stack (see
//! [`super::stack`]) around the service, graceful shutdown (see [`super::drain`]).

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::FutureExt;
use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tower::Layer;

use super::accept_backoff::AcceptBackoff;
use super::drain::{Drain, ShutdownReport};
use super::idle::serve_until_idle;
use super::parse_error_envelope::EnvelopeIo;
use super::stack::{cors, HttpService};
use super::KlueService;
use crate::config::ServerConfig;

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

    /// Serves until `shutdown` completes, then shuts down gracefully (see
    /// [`serve_until_drained`](Self::serve_until_drained)). Returns whether every connection
    /// finished in time.
    pub async fn serve_until(self, shutdown: impl Future<Output = ()>) -> bool {
        self.serve_until_drained(shutdown).await.is_clean()
    }

    /// Serves until `shutdown` completes, then shuts down gracefully: stops accepting, answers
    /// every request received on an open connection (HTTP/1 responses then carry
    /// `Connection: close`, HTTP/2 connections get GOAWAY), closes connections once idle, and
    /// returns once all are closed, or when the configured `shutdown_timeout` has passed,
    /// reporting what was cut.
    pub async fn serve_until_drained(self, shutdown: impl Future<Output = ()>) -> ShutdownReport {
        let BoundServer {
            service,
            listener,
            config,
        } = self;
        let http = HttpService::new(service, config.compression);
        // CORS only when configured: otherwise hyper calls the service directly.
        let report = match config.cors.as_ref().map(cors) {
            Some(cors) => {
                let http = TowerToHyperService::new(cors.layer(http));
                accept_until(listener, http, &config, shutdown).await
            }
            None => accept_until(listener, http, &config, shutdown).await,
        };
        crate::log_writer::flush();
        report
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
) -> ShutdownReport
where
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let builder = connection_builder(config);
    let drain = Drain::new(config.shutdown_timeout);
    let mut backoff = AcceptBackoff::default();
    let serve = |stream: TcpStream| {
        let _ = stream.set_nodelay(true);
        let (service, task) = drain.connection(http.clone());
        let (service, stream, activity) = super::idle::watch(service, stream);
        let connection = builder
            .serve_connection(TokioIo::new(EnvelopeIo::new(stream)), service)
            .into_owned();
        let served = async move {
            task.run(connection).await;
            Ok::<(), std::convert::Infallible>(())
        };
        tokio::spawn(serve_until_idle(
            served,
            activity,
            config.header_read_timeout,
        ));
    };
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        match accepted {
            Ok((stream, _)) => {
                backoff.succeeded();
                serve(stream);
            }
            Err(err) => {
                // Out of file descriptors and the like: keep serving the open connections.
                tokio::time::sleep(backoff.failed(&err)).await;
            }
        }
    }
    // Connections the kernel completed before the listener closes would be reset with it:
    // serve them too (their requests are answered with `Connection: close`), at most a
    // backlog's worth (tokio's default backlog), however fast new ones arrive.
    for _ in 0..1024 {
        match listener.accept().now_or_never() {
            Some(Ok((stream, _))) => serve(stream),
            _ => break,
        }
    }
    drop(listener);
    tracing::info!(
        connections = drain.connections(),
        "shutting down: no new connections; answering the requests received"
    );
    let report = drain.drain(config.shutdown_timeout).await;
    if report.is_clean() {
        tracing::info!("every connection closed");
    } else {
        tracing::warn!(
            timeout_ms = config.shutdown_timeout.as_millis() as u64,
            requests_dropped = report.requests_dropped,
            connections_cut = report.connections_cut,
            "shutdown timeout passed: {} requests dropped",
            report.requests_dropped
        );
    }
    report
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
