//! Request bodies and path segments: content type, size limit, deadline.

use std::time::Instant;

use bytes::Bytes;
use http::{header, HeaderMap};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use crate::registry::BodySpec;
use crate::ApiError;

pub(super) fn check_content_type(headers: &HeaderMap, accepted: &[&str]) -> Result<(), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let essence = content_type.map(|value| value.split(';').next().unwrap_or("").trim());
    match essence {
        Some(essence)
            if accepted
                .iter()
                .any(|a| crate::extract::media::media_matches(a, essence)) =>
        {
            Ok(())
        }
        _ => Err(ApiError::unsupported_media_type(content_type, accepted)),
    }
}

/// The request's `Content-Type` when its body is streamed: it is one of `stream_types` and
/// none of the other accepted types (a JSON body next to `*/*` bytes is read whole).
pub(super) fn streamed_type(headers: &HeaderMap, spec: &BodySpec) -> Option<String> {
    if spec.stream_types.is_empty() {
        return None;
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let matches = |accepted: &&str| crate::extract::media::media_matches(accepted, essence);
    let decoded = spec
        .content_types
        .iter()
        .filter(|t| !spec.stream_types.contains(t))
        .any(&matches);
    (!decoded && spec.stream_types.iter().any(matches)).then(|| content_type.to_owned())
}

/// 413 at once when the declared `Content-Length` is beyond `limit`.
pub(super) fn check_declared_length(headers: &HeaderMap, limit: usize) -> Result<(), ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::payload_too_large(limit));
    }
    Ok(())
}

/// Reads the whole body: 413 beyond `limit`, 408 when it has not arrived by `deadline`.
pub(super) async fn read_body(
    headers: &HeaderMap,
    body: Incoming,
    limit: usize,
    deadline: Option<Instant>,
) -> Result<Bytes, ApiError> {
    check_declared_length(headers, limit)?;
    let collect = Limited::new(body, limit).collect();
    let collected = match deadline {
        None => collect.await,
        Some(deadline) => tokio::time::timeout_at(deadline.into(), collect)
            .await
            .map_err(|_| ApiError::request_timeout())?,
    };
    match collected {
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

pub(super) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(content_type: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            http::HeaderValue::from_str(content_type).expect("header"),
        );
        headers
    }

    #[test]
    fn only_bodies_of_a_stream_type_alone_are_streamed() {
        let spec = BodySpec {
            content_types: &["application/json", "text/plain", "*/*"],
            required: true,
            stream_types: &["*/*"],
        };
        let streamed = |t: &str| streamed_type(&headers(t), &spec);
        assert_eq!(streamed("image/png").as_deref(), Some("image/png"));
        assert_eq!(
            streamed("application/octet-stream; x=1").as_deref(),
            Some("application/octet-stream; x=1")
        );
        // Decoded kinds are read whole even though `*/*` matches them too.
        assert_eq!(streamed("application/json"), None);
        assert_eq!(streamed("Text/Plain; charset=utf-8"), None);
        let none = BodySpec {
            content_types: &["application/octet-stream"],
            required: true,
            stream_types: &[],
        };
        assert_eq!(
            streamed_type(&headers("application/octet-stream"), &none),
            None
        );
    }
}
