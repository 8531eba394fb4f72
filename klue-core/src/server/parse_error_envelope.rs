//! Envelopes for the errors hyper answers by itself.
//!
//! When an HTTP/1 request head cannot be parsed, hyper writes a bodiless 400, 414 or 431
//! before any service sees a request, and offers no hook to change it. Every klue error is an
//! envelope, so the connection's IO ([`EnvelopeIo`]) recognises that exact head on its way
//! out and writes the envelope in its place. The head is recognisable without ambiguity:
//! hyper writes it alone, as `HTTP/1.1 <status>`, `connection: close`, `content-length: 0` and
//! `date`, nothing else, while every response klue serves carries `x-request-id`. The check
//! costs a length comparison and an 11-byte prefix comparison per write.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::ApiError;

/// hyper's error heads are shorter than this (the longest status line plus three headers).
const LONGEST_ERROR_HEAD: usize = 160;
/// What follows the status line in hyper's error head, up to the date.
const ERROR_HEADERS: &[u8] = b"connection: close\r\ncontent-length: 0\r\ndate: ";
/// An IMF-fixdate, as hyper writes it: `Sun, 06 Nov 1994 08:49:37 GMT`.
const DATE_LEN: usize = 29;

/// A connection's IO that replaces hyper's bodiless parse-error answers by envelopes.
#[derive(Debug)]
pub(super) struct EnvelopeIo<T> {
    inner: T,
    /// The envelope answer being written instead of hyper's head.
    replacement: Option<Replacement>,
}

#[derive(Debug)]
struct Replacement {
    bytes: Vec<u8>,
    written: usize,
    /// The length of hyper's head, reported written once the envelope is.
    replaced: usize,
}

impl<T> EnvelopeIo<T> {
    pub(super) fn new(inner: T) -> Self {
        EnvelopeIo {
            inner,
            replacement: None,
        }
    }
}

impl<T: AsyncWrite + Unpin> EnvelopeIo<T> {
    /// Writes what is left of the replacement; `Ok(n)`: hyper's `n` bytes are now written.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let Some(replacement) = self.replacement.as_mut() else {
            return Poll::Ready(Ok(0));
        };
        while replacement.written < replacement.bytes.len() {
            let rest = &replacement.bytes[replacement.written..];
            match std::task::ready!(Pin::new(&mut self.inner).poll_write(cx, rest)) {
                Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Ok(n) => replacement.written += n,
                Err(err) => return Poll::Ready(Err(err)),
            }
        }
        let replaced = replacement.replaced;
        self.replacement = None;
        Poll::Ready(Ok(replaced))
    }
}

/// The envelope answer for `head` if it is one of hyper's parse-error heads.
fn envelope_for(head: &[u8]) -> Option<Vec<u8>> {
    if head.len() > LONGEST_ERROR_HEAD || !head.starts_with(b"HTTP/1.1 4") {
        return None;
    }
    let (status_line, headers) = split_status_line(head)?;
    let date = headers
        .strip_prefix(ERROR_HEADERS)?
        .strip_suffix(b"\r\n\r\n")?;
    if date.len() != DATE_LEN {
        return None;
    }
    let error = match status_line.get(9..12)? {
        b"400" => ApiError::malformed_request(),
        b"414" => ApiError::uri_too_long(),
        b"431" => ApiError::headers_too_large(),
        _ => return None,
    };
    tracing::info!(
        error_id = %error.error_id(),
        status = error.status().as_u16(),
        code = error.code(),
        "request refused before routing: {}",
        error.description()
    );
    let body = serde_json::to_vec(&error.envelope()).ok()?;
    let mut answer = Vec::with_capacity(head.len() + 64 + body.len());
    answer.extend_from_slice(status_line);
    answer.extend_from_slice(b"\r\ncontent-type: application/json\r\nconnection: close\r\n");
    answer.extend_from_slice(format!("content-length: {}\r\ndate: ", body.len()).as_bytes());
    answer.extend_from_slice(date);
    answer.extend_from_slice(b"\r\n\r\n");
    answer.extend_from_slice(&body);
    Some(answer)
}

/// `head` split at its first CRLF: the status line, and the headers after the CRLF.
fn split_status_line(head: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = head.windows(2).position(|pair| pair == b"\r\n")?;
    Some((&head[..end], &head[end + 2..]))
}

impl<T: AsyncRead + Unpin> AsyncRead for EnvelopeIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for EnvelopeIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replacement.is_none() {
            match envelope_for(buf) {
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
                Some(bytes) => {
                    this.replacement = Some(Replacement {
                        bytes,
                        written: 0,
                        replaced: buf.len(),
                    })
                }
            }
        }
        this.poll_replacement(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replacement.is_none() {
            // hyper's error head is a write of its own: one non-empty slice.
            let mut filled = bufs.iter().filter(|buf| !buf.is_empty());
            let only = match (filled.next(), filled.next()) {
                (Some(only), None) => envelope_for(only).map(|bytes| (bytes, only.len())),
                _ => None,
            };
            match only {
                None => return Pin::new(&mut this.inner).poll_write_vectored(cx, bufs),
                Some((bytes, replaced)) => {
                    this.replacement = Some(Replacement {
                        bytes,
                        written: 0,
                        replaced,
                    })
                }
            }
        }
        this.poll_replacement(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        std::task::ready!(this.poll_replacement(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        std::task::ready!(this.poll_replacement(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "Fri, 04 Dec 2026 17:12:42 GMT";

    fn hyper_head(status_line: &str) -> Vec<u8> {
        format!("{status_line}\r\nconnection: close\r\ncontent-length: 0\r\ndate: {DATE}\r\n\r\n")
            .into_bytes()
    }

    #[test]
    fn hyper_error_heads_become_envelopes() {
        for (line, status, code) in [
            ("HTTP/1.1 400 Bad Request", 400, "MALFORMED_REQUEST"),
            ("HTTP/1.1 414 URI Too Long", 414, "URI_TOO_LONG"),
            (
                "HTTP/1.1 431 Request Header Fields Too Large",
                431,
                "HEADERS_TOO_LARGE",
            ),
        ] {
            let answer = envelope_for(&hyper_head(line)).expect("recognised");
            let text = String::from_utf8(answer).expect("utf-8");
            let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
            assert!(head.starts_with(line), "{head}");
            assert!(head.contains("\r\ncontent-type: application/json\r\n"));
            assert!(head.contains("\r\nconnection: close\r\n"));
            assert!(head.contains(&format!("\r\ncontent-length: {}\r\n", body.len())));
            assert!(head.ends_with(&format!("date: {DATE}")));
            let envelope: crate::ErrorEnvelope = serde_json::from_str(body).expect("envelope");
            assert_eq!((envelope.status, envelope.error.as_str()), (status, code));
            assert!(envelope.error_id.is_some());
        }
    }

    #[test]
    fn other_writes_pass_untouched() {
        for other in [
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".to_vec(),
            hyper_head("HTTP/1.1 404 Not Found"),
            b"HTTP/1.1 400 Bad Request\r\nx-request-id: 1\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n".to_vec(),
            [hyper_head("HTTP/1.1 400 Bad Request"), b"{}".to_vec()].concat(),
        ] {
            assert!(envelope_for(&other).is_none());
        }
    }

    /// Through a pipe that takes 16 bytes at a time, hyper's head written once (as hyper
    /// does, plain or vectored) comes out as the whole envelope answer.
    #[tokio::test]
    async fn the_envelope_is_written_whole_through_a_narrow_pipe() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        for vectored in [false, true] {
            let (near, mut far) = tokio::io::duplex(16);
            let head = hyper_head("HTTP/1.1 414 URI Too Long");
            let writer = tokio::spawn(async move {
                let mut io = EnvelopeIo::new(near);
                let written = if vectored {
                    let slices = [io::IoSlice::new(&[]), io::IoSlice::new(&head)];
                    io.write_vectored(&slices).await
                } else {
                    io.write(&head).await
                };
                io.shutdown().await.expect("shutdown");
                (written.expect("written"), head.len())
            });
            let mut received = Vec::new();
            far.read_to_end(&mut received).await.expect("read");
            let (written, head_len) = writer.await.expect("writer");
            assert_eq!(written, head_len, "hyper is told its head was written");
            let text = String::from_utf8(received).expect("utf-8");
            let (_, body) = text.split_once("\r\n\r\n").expect("head and body");
            let envelope: crate::ErrorEnvelope = serde_json::from_str(body).expect("envelope");
            assert_eq!(envelope.error, "URI_TOO_LONG");
        }
    }
}
