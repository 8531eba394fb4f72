//! What a call to another service can fail with.

use std::fmt;

use http::StatusCode;

use crate::error::ErrorEnvelope;
use crate::validate::Violation;

/// Why a call to another service did not produce the answer the spec promises.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The [`ClientConfig`](crate::client::ClientConfig) cannot be used (bad `base_url`, ...).
    #[error("invalid client configuration: {0}")]
    InvalidConfig(String),
    /// No connection could be made (refused, unreachable, connect timeout, TLS handshake): the
    /// request was never sent, so it was retried whatever its method.
    #[error("cannot connect to {url} ({attempts} attempt(s)): {}", RootCause(source.as_ref()))]
    Connect {
        /// The URL called, without its query (which may carry secrets).
        url: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last connect error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// No full response arrived within the read timeout.
    #[error("no response from {url} within the read timeout ({attempts} attempt(s))")]
    Timeout {
        /// The URL called, without its query.
        url: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The connection failed after the request may have reached the server (reset, closed
    /// before the full response). Only retried for idempotent methods.
    #[error("the call to {url} failed after the request was sent: {}", RootCause(source.as_ref()))]
    Transport {
        /// The URL called, without its query.
        url: String,
        /// The error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The server answered a non-2xx status with the klue error envelope.
    #[error("{status} {}: {}{}", envelope.error, envelope.error_description, ErrorIdSuffix(envelope.error_id.as_deref()))]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The envelope as received; boxed so that `Result<T, ClientError>` stays small
        /// (clippy's `result_large_err` would otherwise fire on every generated method).
        envelope: Box<ErrorEnvelope>,
    },
    /// The server answered a status the spec does not declare, without an error envelope.
    #[error("unexpected status {status}: {}", Excerpt(body))]
    UnexpectedStatus {
        /// The HTTP status.
        status: StatusCode,
        /// The response body (invalid UTF-8 replaced).
        body: String,
    },
    /// The request body breaks the spec; nothing was sent.
    #[error("the request breaks the spec: {}", ViolationList(.0))]
    InvalidRequest(Vec<Violation>),
    /// A 2xx response whose body is not what the spec declares.
    #[error("the {status} response breaks the spec: {message}")]
    InvalidResponse {
        /// The HTTP status.
        status: StatusCode,
        /// What is wrong, in one line.
        message: String,
        /// Every violation of the response schema (empty when the body is not even JSON).
        violations: Vec<Violation>,
    },
}

impl ClientError {
    /// The HTTP status the server answered, when it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            ClientError::Api { status, .. }
            | ClientError::UnexpectedStatus { status, .. }
            | ClientError::InvalidResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The `error_id` of the server's envelope: the key to the server's log entry.
    pub fn error_id(&self) -> Option<&str> {
        match self {
            ClientError::Api { envelope, .. } => envelope.error_id.as_deref(),
            _ => None,
        }
    }

    /// The UPPER_SNAKE `error` code of the server's envelope.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Api { envelope, .. } => Some(&envelope.error),
            _ => None,
        }
    }

    /// The `user_message` of the server's envelope: text safe to show to an end user.
    pub fn user_message(&self) -> Option<&str> {
        match self {
            ClientError::Api { envelope, .. } => envelope.user_message.as_deref(),
            _ => None,
        }
    }
}

/// The innermost cause: hyper's outer errors ("client error (Connect)") say little, the OS
/// error at the bottom says what happened.
pub(super) struct RootCause<'a>(pub(super) &'a (dyn std::error::Error + 'static));

impl fmt::Display for RootCause<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut cause = self.0;
        while let Some(next) = cause.source() {
            cause = next;
        }
        write!(f, "{cause}")
    }
}

struct ErrorIdSuffix<'a>(Option<&'a str>);

impl fmt::Display for ErrorIdSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " (error_id {id})"),
            None => Ok(()),
        }
    }
}

/// The start of a body: an HTML error page from a proxy can be kilobytes long.
struct Excerpt<'a>(&'a str);

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const LIMIT: usize = 200;
        match self.0.char_indices().nth(LIMIT) {
            Some((end, _)) => write!(f, "{}...", &self.0[..end]),
            None if self.0.is_empty() => f.write_str("(empty body)"),
            None => f.write_str(self.0),
        }
    }
}

struct ViolationList<'a>(&'a [Violation]);

impl fmt::Display for ViolationList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, violation) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}
