//! Building responses.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::Full;
use serde::Serialize;

use crate::raw_body::RawBody;
use crate::ApiError;

/// The body type of every response klue sends.
pub type Body = Full<Bytes>;

/// Turns a value (a generated response enum, an error) into an HTTP response.
pub trait IntoResponse {
    /// The response.
    fn into_response(self) -> Response<Body>;
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response<Body> {
        ApiError::into_response(self)
    }
}

impl IntoResponse for Response<Body> {
    fn into_response(self) -> Response<Body> {
        self
    }
}

const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A JSON response; a value that fails to serialize becomes a 500 envelope.
pub fn json_response<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response<Body> {
    match serde_json::to_vec(body) {
        Ok(bytes) => json_bytes_response(status, Bytes::from(bytes)),
        Err(err) => ApiError::internal(err).into_response(),
    }
}

/// A response with JSON text that is already encoded.
pub fn json_bytes_response(status: StatusCode, bytes: Bytes) -> Response<Body> {
    let mut response = Response::new(Full::new(bytes));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, APPLICATION_JSON);
    response
}

/// A response without a body.
pub fn empty_response(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// A `text/*` response.
pub fn text_response(
    status: StatusCode,
    content_type: &'static str,
    body: String,
) -> Response<Body> {
    media_response(status, content_type, Bytes::from(body))
}

/// A response with undecoded bytes; `default_type` when the body names no type.
pub fn raw_response(
    status: StatusCode,
    default_type: &'static str,
    body: RawBody,
) -> Response<Body> {
    let content_type = if body.content_type.is_empty() {
        default_type
    } else {
        &body.content_type
    };
    media_response(status, content_type, body.bytes)
}

fn media_response(status: StatusCode, content_type: &str, bytes: Bytes) -> Response<Body> {
    let mut response = Response::new(Body::new(bytes));
    *response.status_mut() = status;
    if let Ok(value) = http::HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, value);
    }
    response
}
