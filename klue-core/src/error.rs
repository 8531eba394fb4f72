//! The error envelope: every error the server emits, whatever its status, is one of these.
//!
//! Wire format (compatible with the original klue-microservice):
//! `{"status": 401, "error": "AUTHORIZATION_HEADER_MISSING", "error_description": "...",
//!   "error_id": "<uuid4>", "user_message": "...", "errors": [...]}`.
//! `user_message` and `errors` are omitted when empty; `errors` lists every validation
//! violation of a request with its location and JSON pointer.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::Full;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validate::Violation;

/// Codes emitted by klue itself. Handlers declare their own next to these.
pub mod codes {
    /// Bad JSON, a schema violation, or an unparsable parameter (400).
    pub const INVALID_PARAMETER: &str = "INVALID_PARAMETER";
    /// No `Authorization` header on an operation that needs one (401).
    pub const AUTHORIZATION_HEADER_MISSING: &str = "AUTHORIZATION_HEADER_MISSING";
    /// A token that is malformed, badly signed, for another audience or issuer, or not yet valid (401).
    pub const TOKEN_INVALID: &str = "TOKEN_INVALID";
    /// A security scheme's credential (API key, basic credentials, opaque bearer token) was
    /// not sent (401).
    pub const CREDENTIAL_MISSING: &str = "CREDENTIAL_MISSING";
    /// An `Authorization` header that is not what its scheme requires: not `Basic` + base64
    /// of `user:password`, not `Bearer <token>`, too long, or sent twice (401).
    pub const CREDENTIAL_INVALID: &str = "CREDENTIAL_INVALID";
    /// A token past its `exp` (plus leeway) (401).
    pub const TOKEN_EXPIRED: &str = "TOKEN_EXPIRED";
    /// No route matches the request path (404).
    pub const ROUTE_NOT_FOUND: &str = "ROUTE_NOT_FOUND";
    /// The path exists but not with this method (405).
    pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
    /// The request body exceeds the configured limit (413).
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    /// The request body's content type is not one the operation accepts (415).
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
    /// A handler panicked or returned an internal error (500).
    pub const SERVER_ERROR: &str = "SERVER_ERROR";
    /// The request body did not arrive within the request timeout (408).
    pub const REQUEST_TIMEOUT: &str = "REQUEST_TIMEOUT";
    /// The handler did not answer within the request timeout (503).
    pub const SERVER_TIMEOUT: &str = "SERVER_TIMEOUT";
    /// The request head is not HTTP/1 (bad request line, header or version) (400).
    pub const MALFORMED_REQUEST: &str = "MALFORMED_REQUEST";
    /// An HTTP/1.1 request without the `Host` header RFC 9112 requires (400).
    pub const HOST_HEADER_MISSING: &str = "HOST_HEADER_MISSING";
    /// The request target is longer than the server reads (414).
    pub const URI_TOO_LONG: &str = "URI_TOO_LONG";
    /// The request head is larger than the server reads (431).
    pub const HEADERS_TOO_LARGE: &str = "HEADERS_TOO_LARGE";
}

/// How many bytes of pointers and messages (as JSON text) a 400 lists at most: with the
/// description, which repeats them, the answer stays well under 64 KB.
pub const LISTED_BYTES: usize = 20 * 1024;

/// The length of `text` written as a JSON string (control characters take six bytes).
fn json_size(text: &str) -> usize {
    text.bytes()
        .map(|b| match b {
            b'"' | b'\\' => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum()
}

/// The description of a 400 for `total` violations, of which `listed` are in the answer.
fn invalid_description(listed: &[Violation], total: usize) -> String {
    let mut description = match (listed, total) {
        (_, 0) => return "The request is invalid".to_owned(),
        ([one], 1) => return format!("Invalid request: {one}"),
        ([], 1) => return "Invalid request: 1 error (too long to list)".to_owned(),
        ([], total) => return format!("{total} errors in the request (too long to list)"),
        (listed, total) if listed.len() == total => format!("{total} errors in the request: "),
        (listed, total) => format!(
            "{total} errors in the request (first {} listed): ",
            listed.len()
        ),
    };
    for (i, v) in listed.iter().enumerate() {
        if i > 0 {
            description.push_str("; ");
        }
        description.push_str(&v.to_string());
    }
    description
}

/// An error answered to the client as the klue error envelope.
///
/// Every instance carries a fresh uuid4 `error_id`, which is also logged when the error is
/// turned into a response, so a client report and the server log can be joined.
#[derive(Debug)]
pub struct ApiError {
    // Boxed: keeps `Result<T, ApiError>` one pointer wide on the hot path.
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    status: StatusCode,
    code: Cow<'static, str>,
    description: String,
    error_id: Uuid,
    user_message: Option<String>,
    violations: Vec<Violation>,
    /// How many violations the request had, when more than `violations` lists.
    violations_total: Option<usize>,
    allow: Option<HeaderValue>,
    /// The `WWW-Authenticate` challenge of a 401.
    www_authenticate: Option<HeaderValue>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// The envelope as it travels on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    /// Equals the HTTP status of the response.
    pub status: u16,
    /// UPPER_SNAKE error code.
    pub error: String,
    /// Human readable description for developers.
    pub error_description: String,
    /// uuid4 identifying this occurrence; also written to the server log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// Text safe to show to an end user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_message: Option<String>,
    /// The validation violations of the request: every one, or the first ones when
    /// `errors_total` says there were more.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Violation>,
    /// How many violations the request had, when `errors` lists only the first ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors_total: Option<usize>,
}

impl ApiError {
    /// A handler-declared error: `ApiError::new(StatusCode::NOT_FOUND, "ITEM_NOT_FOUND", "no such item")`.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        description: impl Into<String>,
    ) -> Self {
        ApiError {
            inner: Box::new(Inner {
                status,
                code: code.into(),
                description: description.into(),
                error_id: Uuid::new_v4(),
                user_message: None,
                violations: Vec::new(),
                violations_total: None,
                allow: None,
                www_authenticate: None,
                source: None,
            }),
        }
    }

    /// Adds text safe to show to an end user.
    pub fn with_user_message(mut self, message: impl Into<String>) -> Self {
        self.inner.user_message = Some(message.into());
        self
    }

    /// Keeps the error that caused this one; it is logged, never sent to the client.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// Keeps an `error_id` received from another service so a chain of calls shares one id.
    pub fn with_error_id(mut self, error_id: Uuid) -> Self {
        self.inner.error_id = error_id;
        self
    }

    /// Sends `challenge` as the response's `WWW-Authenticate` header (RFC 7235), unless the
    /// error has one already.
    pub fn with_www_authenticate_if_unset(mut self, challenge: HeaderValue) -> Self {
        self.inner.www_authenticate.get_or_insert(challenge);
        self
    }

    /// The `WWW-Authenticate` challenge the response carries, if any.
    pub fn www_authenticate(&self) -> Option<&HeaderValue> {
        self.inner.www_authenticate.as_ref()
    }

    /// 500 `SERVER_ERROR` wrapping an internal error; its text is logged, not sent.
    pub fn internal(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::SERVER_ERROR,
            "The server failed to handle the request",
        )
        .with_source(source)
    }

    /// 500 `SERVER_ERROR` with a message that is logged, not sent.
    pub fn internal_msg(message: impl Into<String>) -> Self {
        Self::internal(MessageError(message.into()))
    }

    /// 400 `INVALID_PARAMETER` listing every violation found in the request.
    pub fn invalid(violations: Vec<Violation>) -> Self {
        let total = violations.len();
        Self::invalid_with_total(violations, total)
    }

    /// 400 `INVALID_PARAMETER` for a request with `total` violations, of which `violations`
    /// are the first. The answer lists them while they fit [`LISTED_BYTES`] (so that its size
    /// is bounded whatever was sent) and says how many there were in all.
    pub fn invalid_with_total(mut violations: Vec<Violation>, total: usize) -> Self {
        let mut budget = LISTED_BYTES;
        let fitting = violations
            .iter()
            .take_while(|v| {
                let size = json_size(&v.pointer) + json_size(&v.message);
                budget = budget.saturating_sub(size);
                budget > 0
            })
            .count();
        violations.truncate(fitting);
        let total = total.max(violations.len());
        let description = invalid_description(&violations, total);
        let mut err = Self::new(
            StatusCode::BAD_REQUEST,
            codes::INVALID_PARAMETER,
            description,
        );
        err.inner.violations_total = (total > violations.len()).then_some(total);
        err.inner.violations = violations;
        err
    }

    /// 401 `AUTHORIZATION_HEADER_MISSING`, with the original's description.
    pub fn authorization_header_missing() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::AUTHORIZATION_HEADER_MISSING,
            "There is no Authorization header in the HTTP request",
        )
    }

    /// 401 `TOKEN_INVALID` with a description of what is wrong.
    pub fn token_invalid(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, codes::TOKEN_INVALID, description)
    }

    /// 401 `TOKEN_EXPIRED`, with the original's description.
    pub fn token_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::TOKEN_EXPIRED,
            "Auth token is expired",
        )
    }

    /// 404 `ROUTE_NOT_FOUND` for a path no API serves.
    pub fn route_not_found(method: &http::Method, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::ROUTE_NOT_FOUND,
            format!("No route matches {method} {path}"),
        )
    }

    /// 404 `ROUTE_NOT_FOUND` for a path and method whose operations are chosen by a header
    /// or query value (`selectors`, e.g. `X-Amz-Target=A, X-Amz-Target=B`) that the request
    /// does not have.
    pub fn operation_not_selected(method: &http::Method, path: &str, selectors: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::ROUTE_NOT_FOUND,
            format!(
                "No operation at {method} {path} matches the request: one is chosen by a \
                 header or query parameter ({selectors})"
            ),
        )
    }

    /// 405 `METHOD_NOT_ALLOWED`; the response carries `Allow: <allowed>`.
    pub fn method_not_allowed(method: &http::Method, path: &str, allowed: &str) -> Self {
        let mut err = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            codes::METHOD_NOT_ALLOWED,
            format!("{method} is not allowed on {path}; allowed: {allowed}"),
        );
        err.inner.allow = HeaderValue::from_str(allowed).ok();
        err
    }

    /// 413 `PAYLOAD_TOO_LARGE`.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::PAYLOAD_TOO_LARGE,
            format!("The request body exceeds the limit of {limit} bytes"),
        )
    }

    /// 415 `UNSUPPORTED_MEDIA_TYPE`.
    pub fn unsupported_media_type(got: Option<&str>, expected: &[&str]) -> Self {
        let got = got.unwrap_or("no Content-Type header");
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Content type '{got}' is not accepted here; expected {}",
                expected.join(" or ")
            ),
        )
    }

    /// 408 `REQUEST_TIMEOUT`: the body was still arriving when the request timeout passed.
    pub fn request_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            codes::REQUEST_TIMEOUT,
            "The request body did not arrive within the request timeout",
        )
    }

    /// 503 `SERVER_TIMEOUT`: the handler had not answered when `timeout` passed.
    pub fn server_timeout(timeout: std::time::Duration) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::SERVER_TIMEOUT,
            format!(
                "The server did not answer within the request timeout ({} ms)",
                timeout.as_millis()
            ),
        )
    }

    /// 400 `MALFORMED_REQUEST`: the request head could not be parsed.
    pub fn malformed_request() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            codes::MALFORMED_REQUEST,
            "The request is not valid HTTP/1: bad request line, header or version",
        )
    }

    /// 400 `HOST_HEADER_MISSING`: HTTP/1.1 requires `Host` (RFC 9112 section 3.2).
    pub fn host_header_missing() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            codes::HOST_HEADER_MISSING,
            "An HTTP/1.1 request must carry a Host header",
        )
    }

    /// 414 `URI_TOO_LONG`.
    pub fn uri_too_long() -> Self {
        Self::new(
            StatusCode::URI_TOO_LONG,
            codes::URI_TOO_LONG,
            "The request target is longer than the server reads",
        )
    }

    /// 431 `HEADERS_TOO_LARGE`.
    pub fn headers_too_large() -> Self {
        Self::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            codes::HEADERS_TOO_LARGE,
            "The request headers are larger than the server reads",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.inner.status
    }

    /// The UPPER_SNAKE code.
    pub fn code(&self) -> &str {
        &self.inner.code
    }

    /// The developer-facing description.
    pub fn description(&self) -> &str {
        &self.inner.description
    }

    /// The uuid4 of this occurrence.
    pub fn error_id(&self) -> Uuid {
        self.inner.error_id
    }

    /// The end-user message, if any.
    pub fn user_message(&self) -> Option<&str> {
        self.inner.user_message.as_deref()
    }

    /// The validation violations (empty unless `INVALID_PARAMETER`).
    pub fn violations(&self) -> &[Violation] {
        &self.inner.violations
    }

    /// The wire form of this error.
    pub fn envelope(&self) -> ErrorEnvelope {
        ErrorEnvelope {
            status: self.inner.status.as_u16(),
            error: self.inner.code.to_string(),
            error_description: self.inner.description.clone(),
            error_id: Some(self.inner.error_id.to_string()),
            user_message: self.inner.user_message.clone(),
            errors: self.inner.violations.clone(),
            errors_total: self.inner.violations_total,
        }
    }

    /// Logs the error with its `error_id` and turns it into the envelope response.
    pub fn into_response(self) -> Response<Full<Bytes>> {
        self.log();
        let body = serde_json::to_vec(&self.envelope()).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = self.inner.status;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        self.add_headers(headers);
        let mut details = self.details();
        // Moved, not cloned: an error mapper (crate::error_map) reads them from the response.
        details.description = self.inner.description;
        details.violations = self.inner.violations;
        response.extensions_mut().insert(details);
        response
    }

    /// Adds the error's `Allow` and `WWW-Authenticate` headers to `headers`.
    pub(crate) fn add_headers(&self, headers: &mut http::HeaderMap) {
        if let Some(allow) = self.inner.allow.clone() {
            headers.insert(header::ALLOW, allow);
        }
        if let Some(challenge) = self.inner.www_authenticate.clone() {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
    }

    /// What the access log and the reporters need after the error became a response.
    pub(crate) fn details(&self) -> ErrorDetails {
        let chain = self.inner.status.is_server_error().then(|| {
            let mut chain = self.inner.description.clone();
            if let Some(source) = &self.inner.source {
                chain.push_str(&format!(": {}", ErrorChain(source.as_ref())));
            }
            chain
        });
        ErrorDetails {
            error_id: self.inner.error_id,
            code: self.inner.code.clone(),
            chain,
            description: String::new(),
            violations: Vec::new(),
        }
    }

    pub(crate) fn log(&self) {
        if self.inner.status.is_server_error() {
            match &self.inner.source {
                Some(source) => tracing::error!(
                    error_id = %self.inner.error_id,
                    status = self.inner.status.as_u16(),
                    code = %self.inner.code,
                    cause = %ErrorChain(source.as_ref()),
                    "{}", self.inner.description
                ),
                None => tracing::error!(
                    error_id = %self.inner.error_id,
                    status = self.inner.status.as_u16(),
                    code = %self.inner.code,
                    "{}", self.inner.description
                ),
            }
        } else {
            // The access log line names the error; this one adds its description.
            tracing::debug!(
                error_id = %self.inner.error_id,
                status = self.inner.status.as_u16(),
                code = %self.inner.code,
                "{}", self.inner.description
            );
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {} (error_id {})",
            self.inner.status.as_u16(),
            self.inner.code,
            self.inner.description,
            self.inner.error_id
        )
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// An error answered as a response: kept in the response's extensions until the access log
/// and the reporters have seen it.
#[derive(Debug, Clone)]
pub(crate) struct ErrorDetails {
    pub(crate) error_id: Uuid,
    pub(crate) code: Cow<'static, str>,
    /// For a 5xx: the description and the chain of causes.
    pub(crate) chain: Option<String>,
    /// The developer-facing description (set by `into_response`).
    pub(crate) description: String,
    /// The request's violations (set by `into_response`).
    pub(crate) violations: Vec<Violation>,
}

/// Renders an error and its causes as `outer: inner: innermost`.
struct ErrorChain<'a>(&'a (dyn std::error::Error + Send + Sync + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut next = self.0.source();
        while let Some(cause) = next {
            write!(f, ": {cause}")?;
            next = cause.source();
        }
        Ok(())
    }
}

#[derive(Debug)]
struct MessageError(String);

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MessageError {}

/// The 401 of an operation whose security scheme's credential (API key, basic credentials)
/// was not sent.
pub fn credential_missing(names: &[&str]) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        crate::error::codes::CREDENTIAL_MISSING,
        format!(
            "the operation requires a credential: send {}",
            names
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    )
}

/// The 501 `NOT_IMPLEMENTED` a trait method generated with default stubs answers until the
/// service implements `operation`.
pub fn not_implemented(operation: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "NOT_IMPLEMENTED",
        format!("operation '{operation}' is not implemented yet"),
    )
}
