//! Closing idle connections.
//!
//! hyper's `header_read_timeout` bounds the wait for an HTTP/1 request head once hyper reads
//! one, but a connection served by the auto (HTTP/1.1 + h2c) builder first waits for the bytes
//! that tell the protocol, with no limit, and an h2c connection without streams is never
//! closed (the server's keep-alive pings are answered by any live client). Silent
//! connections then pile up until the descriptor limit stops `accept`.
//!
//! So each connection carries a [`ConnectionActivity`]: its service wrapper ([`Tracked`])
//! counts requests started and responses whose body hyper has not finished, its IO
//! ([`WatchedIo`]) counts the bytes written, and a watchdog ([`serve_until_idle`]) drops the
//! connection when, at the end of one idle period, no request is in flight, none started
//! during the period, and less than [`DELIVERING`] bytes went out (hyper drops a body once its
//! last frame is queued, so a large answer can take long to reach a slow reader after that).
//! A silent connection is closed one period after it was accepted; an idle one between one and
//! two periods after its last response. A request in progress (slow body, slow handler, slow
//! response body, slow reader) is not cut by this; a client that (almost) stops reading an
//! answer for a whole period is.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Response;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What the watchdog of one connection needs to know about its requests.
#[derive(Debug, Default)]
pub(super) struct ConnectionActivity {
    /// Requests whose response has not been completely sent (or dropped).
    in_flight: AtomicUsize,
    /// Whether a request started since the watchdog last looked.
    started: AtomicBool,
    /// Bytes written since the watchdog last looked.
    written: AtomicUsize,
}

/// A period in which the server wrote less than this is idle: keep-alive pings (17 bytes
/// each way) do not count, an answer still going out to a slow reader does.
const DELIVERING: usize = 1024;

impl ConnectionActivity {
    /// Whether the connection did nothing during the period that just ended; starts the next.
    fn idle_for_a_period(&self) -> bool {
        let started = self.started.swap(false, Ordering::Relaxed);
        let written = self.written.swap(0, Ordering::Relaxed);
        !started && written < DELIVERING && self.in_flight.load(Ordering::Relaxed) == 0
    }

    /// Counts a write. Only the connection's own task writes and reads this counter, so the
    /// add is uncontended.
    fn note_write(&self, result: &Poll<io::Result<usize>>) {
        if let Poll::Ready(Ok(written)) = result {
            self.written.fetch_add(*written, Ordering::Relaxed);
        }
    }
}

/// `service` and `io` of one new connection, watched: the activity its watchdog reads.
pub(super) fn watch<S, T>(
    service: S,
    io: T,
) -> (Tracked<S>, WatchedIo<T>, Arc<ConnectionActivity>) {
    let activity = Arc::new(ConnectionActivity::default());
    let tracked = Tracked {
        inner: service,
        activity: activity.clone(),
    };
    let io = WatchedIo {
        inner: io,
        activity: activity.clone(),
    };
    (tracked, io, activity)
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

/// A connection's IO, noting for its watchdog how writes go.
#[derive(Debug)]
pub(super) struct WatchedIo<T> {
    inner: T,
    activity: Arc<ConnectionActivity>,
}

impl<T: AsyncRead + Unpin> AsyncRead for WatchedIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WatchedIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.activity.note_write(&result);
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.activity.note_write(&result);
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
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
