//! Closing idle connections.
//!
//! hyper's `header_read_timeout` bounds the wait for an HTTP/1 request head once hyper reads
//! one, but a connection served by the auto (HTTP/1.1 + h2c) builder first waits for the bytes
//! that tell the protocol, with no limit, and an h2c connection without streams is never
//! closed (the server's keep-alive pings are answered by any live client). Silent
//! connections then pile up until the descriptor limit stops `accept`.
//!
//! So each connection carries a [`ConnectionActivity`]: its service wrapper ([`Tracked`])
//! counts requests started and responses not yet fully sent, and a watchdog
//! ([`serve_until_idle`]) drops the connection when, at the end of one idle period, no
//! request is in flight and none started during the period. A silent connection is closed one
//! period after it was accepted; an idle one between one and two periods after its last
//! response. A request in progress (slow body, slow handler, slow response body) is never cut
//! by this.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Response;
use hyper::body::{Body, Frame, SizeHint};

/// What the watchdog of one connection needs to know about its requests.
#[derive(Debug, Default)]
pub(super) struct ConnectionActivity {
    /// Requests whose response has not been completely sent (or dropped).
    in_flight: AtomicUsize,
    /// Whether a request started since the watchdog last looked.
    started: AtomicBool,
}

impl ConnectionActivity {
    /// Whether the connection did nothing during the period that just ended; starts the next.
    fn idle_for_a_period(&self) -> bool {
        let started = self.started.swap(false, Ordering::Relaxed);
        !started && self.in_flight.load(Ordering::Relaxed) == 0
    }
}

/// Marks one request in flight for as long as it lives.
struct InFlight(Arc<ConnectionActivity>);

impl InFlight {
    fn start(activity: &Arc<ConnectionActivity>) -> Self {
        activity.started.store(true, Ordering::Relaxed);
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The service of one connection: `inner`, with every request counted in `activity` until
/// its response body is done.
#[derive(Clone)]
pub(super) struct Tracked<S> {
    inner: S,
    activity: Arc<ConnectionActivity>,
}

impl<S> Tracked<S> {
    /// `inner` for one new connection, and the activity its watchdog reads.
    pub(super) fn new(inner: S) -> (Self, Arc<ConnectionActivity>) {
        let activity = Arc::new(ConnectionActivity::default());
        let tracked = Tracked {
            inner,
            activity: activity.clone(),
        };
        (tracked, activity)
    }
}

impl<S, R, B> hyper::service::Service<R> for Tracked<S>
where
    S: hyper::service::Service<R, Response = Response<B>>,
{
    type Response = Response<TrackedBody<B>>;
    type Error = S::Error;
    type Future = TrackedFuture<S::Future>;

    fn call(&self, request: R) -> Self::Future {
        let in_flight = InFlight::start(&self.activity);
        TrackedFuture {
            inner: self.inner.call(request),
            in_flight: Some(in_flight),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`Tracked`]: hands its [`InFlight`] mark on to the body.
    pub(super) struct TrackedFuture<F> {
        #[pin]
        inner: F,
        in_flight: Option<InFlight>,
    }
}

impl<F, B, E> Future for TrackedFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<TrackedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.inner.poll(cx))?;
        let in_flight = this.in_flight.take();
        Poll::Ready(Ok(response.map(|inner| TrackedBody {
            inner,
            _in_flight: in_flight,
        })))
    }
}

pin_project_lite::pin_project! {
    /// A response body that keeps its request counted in flight until hyper drops it.
    pub(super) struct TrackedBody<B> {
        #[pin]
        inner: B,
        _in_flight: Option<InFlight>,
    }
}

impl<B: Body> Body for TrackedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        self.project().inner.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Serves `connection` until it ends, or until it has been idle for a period of `timeout` by
/// `activity` (then it is dropped, which closes it). A zero `timeout` closes nothing.
pub(super) async fn serve_until_idle<C, E>(
    connection: C,
    activity: Arc<ConnectionActivity>,
    timeout: Duration,
) where
    C: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let watchdog = async {
        if timeout.is_zero() {
            // No period to measure idleness by (and a zero sleep would spin).
            return std::future::pending().await;
        }
        loop {
            tokio::time::sleep(timeout).await;
            if activity.idle_for_a_period() {
                return;
            }
        }
    };
    tokio::select! {
        biased;
        ended = connection => {
            if let Err(err) = ended {
                tracing::debug!(error = %err, "connection ended with an error");
            }
        }
        () = watchdog => tracing::debug!(
            timeout_ms = timeout.as_millis() as u64,
            "idle connection closed"
        ),
    }
}
