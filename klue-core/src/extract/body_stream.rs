//! [`BodyStream`]: a request body handed over chunk by chunk as it arrives (octet-stream,
//! images, `*/*`), so that a large upload is never held whole in memory. On the server the
//! body-size limit and the request deadline are enforced while the handler reads; a client
//! sends one from bytes or from any stream of chunks.

use std::fmt;
use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use futures_util::stream::{Stream, StreamExt};
use http_body_util::BodyExt;

use crate::ApiError;

type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, ApiError>> + Send>>;

/// A request body read as a stream of chunks, with its media type.
///
/// Read it with [`BodyStream::chunk`] or as a [`Stream`]; an error (body too large: 413,
/// deadline passed: 408, connection broken: 400) is an [`ApiError`] a handler can return as
/// it is.
pub struct BodyStream {
    content_type: String,
    source: Source,
}

enum Source {
    /// Bytes known whole (a client sending a buffer; a test): one chunk, retryable.
    Bytes(Option<Bytes>),
    /// Chunks as they come.
    Chunks(Chunks),
}

impl fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Bytes(bytes) => format!("{} bytes", bytes.as_ref().map_or(0, Bytes::len)),
            Source::Chunks(_) => "stream".to_owned(),
        };
        f.debug_struct("BodyStream")
            .field("content_type", &self.content_type)
            .field("source", &source)
            .finish()
    }
}

impl BodyStream {
    /// A body of `content_type` holding `bytes` (empty type: the first the spec declares).
    pub fn from_bytes(content_type: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        BodyStream {
            content_type: content_type.into(),
            source: Source::Bytes(Some(bytes.into())),
        }
    }

    /// A body of `content_type` made of the chunks of `stream`; an error item ends the body
    /// (the client aborts the call).
    pub fn from_stream<S, E>(content_type: impl Into<String>, stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: std::error::Error + Send + Sync + 'static,
    {
        BodyStream {
            content_type: content_type.into(),
            source: Source::Chunks(Box::pin(
                stream.map(|item| item.map_err(ApiError::internal)),
            )),
        }
    }

    /// The body of a routed request: at most `limit` bytes (413 beyond), by `deadline` (408).
    pub(crate) fn incoming(
        content_type: String,
        body: hyper::body::Incoming,
        limit: usize,
        deadline: Option<Instant>,
    ) -> Self {
        let limited = http_body_util::Limited::new(body, limit).into_data_stream();
        let chunks = limited.map(move |item| {
            item.map_err(|err| {
                if err.is::<http_body_util::LengthLimitError>() {
                    ApiError::payload_too_large(limit)
                } else {
                    ApiError::new(
                        http::StatusCode::BAD_REQUEST,
                        crate::codes::INVALID_PARAMETER,
                        format!("the request body could not be read: {err}"),
                    )
                }
            })
        });
        let chunks: Chunks = match deadline {
            None => Box::pin(chunks),
            Some(deadline) => Box::pin(Deadline {
                inner: Box::pin(chunks),
                sleep: Box::pin(tokio::time::sleep_until(deadline.into())),
                expired: false,
            }),
        };
        BodyStream {
            content_type,
            source: Source::Chunks(chunks),
        }
    }

    /// The `Content-Type` the body was sent with (on the client: empty for the spec's first).
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The bytes when the body was made whole ([`BodyStream::from_bytes`]) and not read yet
    /// (a client sends them as they are).
    #[cfg(feature = "client")]
    pub(crate) fn as_bytes(&self) -> Option<&Bytes> {
        match &self.source {
            Source::Bytes(bytes) => bytes.as_ref(),
            Source::Chunks(_) => None,
        }
    }

    /// The next chunk; `None` at the end of the body.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, ApiError> {
        self.next().await.transpose()
    }

    /// Reads the rest of the body into one buffer (the size limit still applies).
    pub async fn collect_bytes(mut self) -> Result<Bytes, ApiError> {
        let Some(first) = self.chunk().await? else {
            return Ok(Bytes::new());
        };
        let Some(second) = self.chunk().await? else {
            return Ok(first);
        };
        let mut all = bytes::BytesMut::with_capacity(first.len() + second.len());
        all.extend_from_slice(&first);
        all.extend_from_slice(&second);
        while let Some(chunk) = self.chunk().await? {
            all.extend_from_slice(&chunk);
        }
        Ok(all.freeze())
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes, ApiError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match &mut self.source {
            Source::Bytes(bytes) => Poll::Ready(bytes.take().filter(|b| !b.is_empty()).map(Ok)),
            Source::Chunks(chunks) => chunks.as_mut().poll_next(cx),
        }
    }
}

/// Ends a stream with a 408 once its deadline has passed.
struct Deadline {
    inner: Chunks,
    sleep: Pin<Box<tokio::time::Sleep>>,
    expired: bool,
}

impl Stream for Deadline {
    type Item = Result<Bytes, ApiError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = self.inner.as_mut().poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.expired = true;
            return Poll::Ready(Some(Err(ApiError::request_timeout())));
        }
        Poll::Pending
    }
}
