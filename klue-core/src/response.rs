//! Building responses.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::Full;
use serde::Serialize;

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
