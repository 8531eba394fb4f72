//! The request timeout (`KLUE_REQUEST_TIMEOUT`): routing, authentication, reading the body and
//! the operation together must answer in time, else the caller gets a 503 envelope.

use std::future::Future;
use std::time::Duration;

use http::Response;

use crate::response::Body;
use crate::ApiError;

/// Runs `dispatch`, cut after `timeout` (`None`: no limit).
pub(in crate::server) async fn within(
    timeout: Option<Duration>,
    dispatch: impl Future<Output = Result<Response<Body>, ApiError>>,
) -> Result<Response<Body>, ApiError> {
    match timeout {
        None => dispatch.await,
        Some(timeout) => tokio::time::timeout(timeout, dispatch)
            .await
            .unwrap_or_else(|_| Err(ApiError::server_timeout(timeout))),
    }
}
