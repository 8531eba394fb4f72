//! The service hyper calls: a [`KlueService`], compressed only for clients that ask for it.
//!
//! tower-http's compression body holds every encoder's state inline (kilobytes), so wrapping
//! every response in it made hyper copy that much per response even when nothing was
//! compressed. Responses to requests without `Accept-Encoding` skip it entirely; compressed
//! ones keep its body behind a box.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{header, Request, Response};
use hyper::body::{Frame, Incoming, SizeHint};
use tower::Service;
use tower_http::compression::{Compression, CompressionBody};

use crate::response::Body;
use crate::server::KlueService;

/// The body of every response the server writes.
pub(in crate::server) enum ResponseBody {
    /// As the service answered.
    Plain(Body),
    /// Compressed as the client accepts.
    Compressed(Pin<Box<CompressionBody<Body>>>),
}

impl Default for ResponseBody {
    fn default() -> Self {
        ResponseBody::Plain(Body::default())
    }
}

impl hyper::body::Body for ResponseBody {
    type Data = Bytes;
    type Error = tower_http::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            ResponseBody::Plain(body) => Pin::new(body)
                .poll_frame(cx)
                .map_err(|never| match never {}),
            ResponseBody::Compressed(body) => body.as_mut().poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ResponseBody::Plain(body) => body.is_end_stream(),
            ResponseBody::Compressed(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ResponseBody::Plain(body) => body.size_hint(),
            ResponseBody::Compressed(body) => body.size_hint(),
        }
    }
}

type BoxFuture = Pin<Box<dyn Future<Output = Result<Response<ResponseBody>, Infallible>> + Send>>;

/// [`KlueService`] plus, when compression is on, the same service behind tower-http's
/// compression, used for requests that carry `Accept-Encoding`.
#[derive(Clone)]
pub(in crate::server) struct HttpService {
    plain: KlueService,
    compressed: Option<Compression<KlueService>>,
}

impl HttpService {
    pub(in crate::server) fn new(service: KlueService, compression: bool) -> Self {
        let compressed =
            compression.then(|| Compression::new(service.clone()).no_deflate().no_zstd());
        HttpService {
            plain: service,
            compressed,
        }
    }

    fn answer(&self, request: Request<Incoming>) -> BoxFuture {
        match &self.compressed {
            Some(compressed) if request.headers().contains_key(header::ACCEPT_ENCODING) => {
                let response = compressed.clone().call(request);
                Box::pin(async move {
                    let response = response.await?;
                    Ok(response.map(|body| ResponseBody::Compressed(Box::pin(body))))
                })
            }
            _ => {
                let plain = self.plain.clone();
                Box::pin(async move { Ok(plain.handle(request).await.map(ResponseBody::Plain)) })
            }
        }
    }
}

impl hyper::service::Service<Request<Incoming>> for HttpService {
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = BoxFuture;

    fn call(&self, request: Request<Incoming>) -> BoxFuture {
        self.answer(request)
    }
}

impl Service<Request<Incoming>> for HttpService {
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = BoxFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Incoming>) -> BoxFuture {
        self.answer(request)
    }
}
