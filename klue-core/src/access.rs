//! Request ids and the access log: one structured line per request (target `klue::access`).
//! Headers, query strings and bodies are never logged: they carry tokens, cookies and secrets.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use http::header::HeaderName;
use http::{HeaderMap, HeaderValue, Method, StatusCode};

use crate::error::ErrorDetails;

/// The request id header: taken from the request when it carries a usable one, else generated;
/// echoed in the response.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id: its `X-Request-Id` when it is 1 to 128 visible ASCII characters, else a
/// new one (a random per-process prefix and a counter: unique without a syscall per request).
pub(crate) fn request_id(headers: &HeaderMap) -> HeaderValue {
    if let Some(value) = headers.get(REQUEST_ID_HEADER) {
        let bytes = value.as_bytes();
        if !bytes.is_empty() && bytes.len() <= 128 && bytes.iter().all(u8::is_ascii_graphic) {
            return value.clone();
        }
    }
    static PREFIX: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let prefix = PREFIX.get_or_init(|| uuid::Uuid::new_v4().as_u64_pair().0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    // `<16 hex digits>-<16 hex digits>`, written without a formatter: one allocation.
    let mut id = [b'-'; 33];
    write_hex(&mut id[..16], *prefix);
    write_hex(&mut id[17..], count);
    HeaderValue::from_maybe_shared(bytes::Bytes::copy_from_slice(&id))
        .unwrap_or(HeaderValue::from_static("-"))
}

fn write_hex(out: &mut [u8], mut value: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for byte in out.iter_mut().rev() {
        *byte = DIGITS[(value & 0xf) as usize];
        value >>= 4;
    }
}

/// One answered request, as the access log and the reporters see it.
pub(crate) struct Access<'a> {
    pub(crate) method: &'a Method,
    pub(crate) route: &'a str,
    pub(crate) operation: &'a str,
    /// The raw path, only when no route matched (then there is no template to log).
    pub(crate) unmatched_path: Option<&'a str>,
    pub(crate) status: StatusCode,
    pub(crate) elapsed: Duration,
    pub(crate) request_id: &'a HeaderValue,
    pub(crate) user_id: Option<&'a str>,
    pub(crate) error: Option<&'a ErrorDetails>,
}

impl Access<'_> {
    pub(crate) fn log(&self) {
        tracing::info!(
            target: "klue::access",
            method = %self.method,
            route = self.route,
            operation = self.operation,
            path = self.unmatched_path,
            status = self.status.as_u16(),
            latency_ms = self.elapsed.as_micros() as f64 / 1e3,
            request_id = self.request_id.to_str().unwrap_or("-"),
            user_id = self.user_id,
            error_id = self.error.map(|e| tracing::field::display(e.error_id)),
            error = self.error.map(|e| &*e.code),
            "request"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_usable_request_id_is_kept_and_others_are_replaced() {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_static("abc-123"));
        assert_eq!(request_id(&headers), "abc-123");
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_static("has space"));
        let replaced = request_id(&headers);
        assert_ne!(replaced, "has space");
        let text = replaced.to_str().expect("ASCII");
        assert_eq!(text.len(), 33);
        assert!(text[..16].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(&text[16..17], "-");
        assert_ne!(request_id(&HeaderMap::new()), request_id(&HeaderMap::new()));
    }
}
