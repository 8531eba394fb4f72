//! Graceful shutdown that loses no request: once the server is told to stop, every request
//! received on an open connection is answered, and connections close only when idle.
//!
//! hyper's own graceful shutdown closes an idle HTTP/1 keep-alive connection at once, racing
//! the request its client may be sending at that moment (under `wrk -c64`, each connection
//! got EOF on a request it had sent), and keeps an HTTP/2 connection whose client does not
//! answer the shutdown PING open until the shutdown timeout. Instead, while draining:
//! - HTTP/1 responses carry `Connection: close`, so hyper closes the connection right after
//!   writing one and the client knows not to send another;
//! - an HTTP/2 connection gets GOAWAY at once (no new streams; those sent are answered);
//! - a connection with no request for a short grace ([`MAX_IDLE_GRACE`], at most a quarter of
//!   the shutdown timeout) is shut down hyper's way (idle HTTP/1: closed; HTTP/2: GOAWAY),
//!   and closed if it is still idle one grace later: a request already on its way has a grace
//!   to arrive, and an idle connection delays the exit by two graces at most.
//!
//! The drain as a whole is bounded by the shutdown timeout; the requests still unanswered then
//! are counted in the [`ShutdownReport`].

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{header, HeaderValue, Request, Response, Version};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper_util::server::graceful::GracefulConnection;
use tokio::sync::watch;
use tokio::time::Instant;

/// The longest a connection idle while draining waits for a request before it is closed.
const MAX_IDLE_GRACE: Duration = Duration::from_millis(500);

/// How a shutdown ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct ShutdownReport {
    /// Requests received but not (completely) answered when the shutdown timeout passed.
    pub requests_dropped: usize,
    /// Connections still open when the shutdown timeout passed (with or without a request).
    pub connections_cut: usize,
}

impl ShutdownReport {
    /// Whether every connection finished within the shutdown timeout.
    pub fn is_clean(&self) -> bool {
        self.connections_cut == 0
    }
}

/// What the server and its connections share about the drain.
struct Shared {
    /// Set when the drain starts: responses from then on close their HTTP/1 connection.
    draining: AtomicBool,
    /// Requests received and not completely answered, over every connection.
    in_flight: AtomicUsize,
}

/// One connection's requests, as its tasks see them.
struct Activity {
    /// The server's side, reached through the connection's (one reference per request).
    shared: Arc<Shared>,
    /// Requests received and not completely answered on this connection.
    in_flight: AtomicUsize,
    /// Requests received on this connection so far (to tell a busy connection from an idle one
    /// between two looks).
    received: AtomicU64,
    /// Whether the connection speaks HTTP/2 (then GOAWAY is sent as soon as the drain starts).
    http2: AtomicBool,
}

/// The server's side of the drain: hands each connection its service and its task, and
/// drains them when told to stop.
pub(super) struct Drain {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    grace: Duration,
}

impl Drain {
    /// A drain whose idle grace fits in `shutdown_timeout`.
    pub(super) fn new(shutdown_timeout: Duration) -> Self {
        Drain {
            shared: Arc::new(Shared {
                draining: AtomicBool::new(false),
                in_flight: AtomicUsize::new(0),
            }),
            stop: watch::channel(false).0,
            grace: MAX_IDLE_GRACE.min(shutdown_timeout / 4),
        }
    }

    /// A new connection: `service` wrapped to track its requests, and a function that turns
    /// the connection serving with it into the task that serves and drains it.
    pub(super) fn connection<S>(&self, service: S) -> (DrainService<S>, ConnectionTask) {
        let activity = Arc::new(Activity {
            shared: self.shared.clone(),
            in_flight: AtomicUsize::new(0),
            received: AtomicU64::new(0),
            http2: AtomicBool::new(false),
        });
        let service = DrainService {
            inner: service,
            activity: activity.clone(),
        };
        let task = ConnectionTask {
            activity,
            stop: self.stop.subscribe(),
            grace: self.grace,
        };
        (service, task)
    }

    /// The connections open.
    pub(super) fn connections(&self) -> usize {
        self.stop.receiver_count()
    }

    /// Starts draining and waits for every connection to finish, at most `timeout`.
    pub(super) async fn drain(self, timeout: Duration) -> ShutdownReport {
        self.shared.draining.store(true, Ordering::SeqCst);
        // Every connection task holds a receiver: once all are gone, all connections are.
        let _ = self.stop.send(true);
        let connections_cut = match tokio::time::timeout(timeout, self.stop.closed()).await {
            Ok(()) => 0,
            Err(_) => self.stop.receiver_count(),
        };
        ShutdownReport {
            requests_dropped: if connections_cut == 0 {
                0
            } else {
                self.shared.in_flight.load(Ordering::SeqCst)
            },
            connections_cut,
        }
    }
}

/// Serves one connection, and drains it when the server stops.
pub(super) struct ConnectionTask {
    activity: Arc<Activity>,
    stop: watch::Receiver<bool>,
    grace: Duration,
}

impl ConnectionTask {
    /// Serves `connection` until it ends or, once draining, until it is idle (see the module
    /// documentation).
    pub(super) async fn run<C>(mut self, connection: C)
    where
        C: GracefulConnection,
        C::Error: std::fmt::Display,
    {
        tokio::pin!(connection);
        tokio::select! {
            ended = connection.as_mut() => return log_end(ended),
            _ = self.stop.wait_for(|stop| *stop) => {}
        }
        let mut shut_down = false;
        if self.activity.http2.load(Ordering::SeqCst) {
            connection.as_mut().graceful_shutdown();
            shut_down = true;
        }
        let mut look = tokio::time::interval((self.grace / 5).max(Duration::from_millis(5)));
        let mut received = self.activity.received.load(Ordering::SeqCst);
        let mut idle_since = Instant::now();
        loop {
            tokio::select! {
                ended = connection.as_mut() => return log_end(ended),
                _ = look.tick() => {}
            }
            let now_received = self.activity.received.load(Ordering::SeqCst);
            if self.activity.in_flight.load(Ordering::SeqCst) > 0 || now_received != received {
                received = now_received;
                idle_since = Instant::now();
            } else if idle_since.elapsed() >= self.grace {
                if shut_down {
                    // Idle a grace after GOAWAY (an HTTP/2 client that does not answer the
                    // shutdown PING): nothing is lost by closing.
                    return;
                }
                connection.as_mut().graceful_shutdown();
                shut_down = true;
                idle_since = Instant::now();
            }
        }
    }
}

fn log_end<E: std::fmt::Display>(ended: Result<(), E>) {
    if let Err(err) = ended {
        tracing::debug!(error = %err, "connection ended with an error");
    }
}

/// Counts a request in flight (on its connection and on the server) until dropped.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn new(activity: &Arc<Activity>) -> Self {
        activity.received.fetch_add(1, Ordering::SeqCst);
        activity.in_flight.fetch_add(1, Ordering::SeqCst);
        activity.shared.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A connection's service: the server's, with each request counted until its response body
/// is sent, and HTTP/1 responses marked `Connection: close` while draining.
#[derive(Clone)]
pub(super) struct DrainService<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S, B> hyper::service::Service<Request<Incoming>> for DrainService<S>
where
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>>,
{
    type Response = Response<TrackedBody<B>>;
    type Error = S::Error;
    type Future = TrackedResponse<S::Future>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let http1 = request.version() < Version::HTTP_2;
        if !http1 {
            self.activity.http2.store(true, Ordering::SeqCst);
        }
        let in_flight = InFlight::new(&self.activity);
        TrackedResponse {
            inner: self.inner.call(request),
            in_flight: Some(in_flight),
            http1,
        }
    }
}

pin_project_lite::pin_project! {
    /// The response of a [`DrainService`].
    pub(super) struct TrackedResponse<F> {
        #[pin]
        inner: F,
        in_flight: Option<InFlight>,
        http1: bool,
    }
}

impl<F, B, E> Future for TrackedResponse<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<TrackedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = match this.inner.poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
            Poll::Ready(Ok(response)) => response,
        };
        let in_flight = this.in_flight.take();
        if *this.http1 {
            if let Some(guard) = &in_flight {
                if guard.0.shared.draining.load(Ordering::SeqCst) {
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
            }
        }
        Poll::Ready(Ok(response.map(|body| TrackedBody {
            inner: body,
            in_flight,
        })))
    }
}

pin_project_lite::pin_project! {
    /// A response body that keeps its request counted in flight until it is sent (or
    /// dropped).
    pub(super) struct TrackedBody<B> {
        #[pin]
        inner: B,
        in_flight: Option<InFlight>,
    }
}

impl<B: Body> Body for TrackedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let this = self.project();
        let frame = this.inner.poll_frame(cx);
        if let Poll::Ready(None) = frame {
            this.in_flight.take();
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
