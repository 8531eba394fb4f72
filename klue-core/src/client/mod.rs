//! The runtime of generated clients (the `client` feature): one pooled HTTP/1.1 client (HTTPS
//! through rustls with the `tls` feature) that
//! retries what is safe to retry, forwards the caller's auth, call id and call path, and turns
//! answers into typed values or [`ClientError`]s.
//!
//! Generated code builds a [`ClientRequest`] (its body with [`encode_json`]), sends it with [`HttpClient::execute`], then decodes a declared status
//! with [`decode_json`] and any other with [`error_from_response`].
//!
//! Retries, up to [`ClientConfig::max_attempts`] attempts in all with a doubling backoff:
//! - a connect error (the request was never sent) is retried whatever the method;
//! - a read timeout, a failure after sending, or a 502/503/504 answer is retried only for the
//!   idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE): a POST or PATCH that may have
//!   reached the server is never sent twice.

mod body;
mod context;
mod error;
mod json;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::validate::{Location, Violation};

#[cfg(feature = "tls")]
pub use crate::connector::https_connector;
pub use body::{decode_raw, decode_text, encode_form, set_body_type};
pub use context::{CallContext, CALL_ID_HEADER, CALL_PATH_HEADER};
pub use error::ClientError;
pub use json::{decode_json, encode_json, error_from_response};

const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// How a client reaches a service and how hard it tries.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `http://host:port` or `https://host`, optionally with a path prefix (`http://h/api`) that
    /// is put before every operation's path.
    pub base_url: String,
    /// Longest wait for a TCP connection (and TLS handshake) to be set up; default 20 s.
    pub connect_timeout: Duration,
    /// Longest wait for one attempt, from sending the request to receiving the full response
    /// body; default 20 s. It includes setting up a connection when none is pooled, so keep it
    /// at least `connect_timeout` for slow connects to be reported (and retried) as such.
    pub read_timeout: Duration,
    /// Attempts in all, the first included; default 3 (1 disables retries). Must be at least 1.
    pub max_attempts: u32,
    /// Wait before the first retry, doubled before each next one; default 100 ms.
    pub retry_backoff: Duration,
    /// Whether generated code checks request bodies against the spec before sending; default
    /// true.
    pub validate_requests: bool,
    /// Whether generated code checks 2xx response bodies against the spec; default true.
    pub validate_responses: bool,
    /// This service's name, appended to the `X-Call-Path` of outgoing calls (`/caller/name`);
    /// default none, in which case the incoming call path is forwarded unchanged.
    pub service_name: Option<String>,
    /// Whether a call made while handling a request, and having no token of its own, forwards
    /// that request's `Authorization` header; default true.
    pub forward_auth: bool,
}

impl ClientConfig {
    /// The defaults, for the service at `base_url`.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            connect_timeout: Duration::from_secs(20),
            read_timeout: Duration::from_secs(20),
            max_attempts: 3,
            retry_backoff: Duration::from_millis(100),
            validate_requests: true,
            validate_responses: true,
            service_name: None,
            forward_auth: true,
        }
    }
}

/// One call, as generated code describes it.
#[derive(Clone)]
pub struct ClientRequest {
    /// The method.
    pub method: Method,
    /// Path and query, already percent-encoded, starting with `/`; appended to the base URL.
    pub path_and_query: String,
    /// Extra headers (header parameters); a header set here wins over the one the client would
    /// add (`Authorization`, `X-Call-Id`, ...), except that `bearer` wins over `Authorization`.
    pub headers: HeaderMap,
    /// The JSON body, if any.
    pub body: Option<Bytes>,
    /// A token to send as `Authorization: Bearer <token>`.
    pub bearer: Option<String>,
}

impl ClientRequest {
    /// A request without headers, body or token.
    pub fn new(method: Method, path_and_query: impl Into<String>) -> Self {
        ClientRequest {
            method,
            path_and_query: path_and_query.into(),
            headers: HeaderMap::new(),
            body: None,
            bearer: None,
        }
    }
}

impl fmt::Debug for ClientRequest {
    // By hand: the token must not end up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientRequest")
            .field("method", &self.method)
            .field("path_and_query", &self.path_and_query)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .field("bearer", &self.bearer.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// An answer, whatever its status, with its body read in full.
#[derive(Debug, Clone)]
pub struct ClientResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// A request body: bytes (retryable) or chunks streamed as they come (sent once).
type TransportBody = http_body_util::Either<Full<Bytes>, StreamBody<FrameStream>>;
type FrameStream = std::pin::Pin<
    Box<dyn futures_util::Stream<Item = Result<Frame<Bytes>, crate::ApiError>> + Send>,
>;
type Transport = Client<crate::connector::Connector, TransportBody>;

/// A client of one service: cheap to clone, and clones share one connection pool.
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClientConfig,
    /// `scheme://authority/prefix`, without a trailing `/`.
    base: String,
    /// `/<service_name>`, what this service appends to the call path.
    path_suffix: Option<Bytes>,
    transport: Transport,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// How one attempt failed.
enum Failure {
    /// No connection: the request was not sent.
    Connect(hyper_util::client::legacy::Error),
    /// No full answer within the read timeout.
    Timeout,
    /// The connection failed once the request may have been sent.
    Transport(Box<dyn std::error::Error + Send + Sync>),
}

impl HttpClient {
    /// A client for `config`; fails when `base_url` is not an absolute `http` or `https` URL
    /// (with no query, fragment or user info), when `max_attempts` is 0 or when `service_name`
    /// cannot be sent in a header.
    ///
    /// Needs no runtime; calls must be made on a Tokio runtime.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let base = parse_base_url(&config.base_url)?;
        if config.max_attempts == 0 {
            return Err(ClientError::InvalidConfig(
                "max_attempts must be at least 1".to_owned(),
            ));
        }
        let path_suffix = match &config.service_name {
            None => None,
            Some(name) => {
                let suffix = format!("/{name}");
                let visible = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic());
                if !visible {
                    return Err(ClientError::InvalidConfig(format!(
                        "service_name '{name}' must be non-empty visible ASCII"
                    )));
                }
                Some(Bytes::from(suffix))
            }
        };

        let connector = crate::connector::connector(Some(config.connect_timeout))
            .map_err(ClientError::InvalidConfig)?;
        let transport = Client::builder(TokioExecutor::new())
            // Without a timer the pool never expires idle connections.
            .pool_timer(TokioTimer::new())
            .build(connector);
        Ok(HttpClient {
            inner: Arc::new(Inner {
                config,
                base,
                path_suffix,
                transport,
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Sends `request`, retrying as the [module documentation](self) says, and returns the
    /// answer whatever its status; only a call that got no answer is an error here (turning a
    /// status into an error is the caller's business: see [`error_from_response`]).
    ///
    /// Errors: [`ClientError::Connect`], [`ClientError::Timeout`], [`ClientError::Transport`],
    /// and [`ClientError::InvalidRequest`] for a `path_and_query`, bearer token or header that
    /// cannot be sent (nothing is sent then).
    pub async fn execute(&self, request: ClientRequest) -> Result<ClientResponse, ClientError> {
        let inner = &*self.inner;
        let uri = inner.uri(&request.path_and_query)?;
        let ClientRequest {
            method,
            headers,
            body,
            bearer,
            ..
        } = request;
        let has_body = body.is_some();
        let headers = inner.headers(headers, has_body, bearer.as_deref())?;
        let body = body.unwrap_or_default();
        let idempotent = is_idempotent(&method);
        let max_attempts = inner.config.max_attempts.max(1);
        let mut backoff = inner.config.retry_backoff;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let may_retry = attempts < max_attempts;
            let outcome = inner
                .attempt(
                    &method,
                    &uri,
                    headers.clone(),
                    http_body_util::Either::Left(Full::new(body.clone())),
                )
                .await;
            let reason = match outcome {
                Ok(response) if idempotent && may_retry && is_retryable(response.status) => {
                    format!("status {}", response.status)
                }
                Ok(response) => return Ok(response),
                Err(Failure::Connect(err)) if may_retry => {
                    format!("connect: {}", error::RootCause(&err))
                }
                Err(Failure::Connect(err)) => {
                    return Err(ClientError::Connect {
                        url: url_without_query(&uri),
                        attempts,
                        source: Box::new(err),
                    })
                }
                Err(Failure::Timeout) if idempotent && may_retry => "read timeout".to_owned(),
                Err(Failure::Timeout) => {
                    return Err(ClientError::Timeout {
                        url: url_without_query(&uri),
                        attempts,
                    })
                }
                Err(Failure::Transport(err)) if idempotent && may_retry => {
                    error::RootCause(err.as_ref()).to_string()
                }
                Err(Failure::Transport(source)) => {
                    return Err(ClientError::Transport {
                        url: url_without_query(&uri),
                        source,
                    })
                }
            };
            tracing::warn!(
                %method,
                url = %url_without_query(&uri),
                attempt = attempts,
                %reason,
                "call failed, retrying in {backoff:?}"
            );
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2);
        }
    }

    /// Sends `request` with `body` as its body: bytes go through [`HttpClient::execute`]
    /// (retried when safe); a stream is sent once, chunk by chunk, as it is read, and a failure
    /// is not retried (the chunks sent are gone).
    pub async fn execute_stream(
        &self,
        mut request: ClientRequest,
        body: crate::BodyStream,
    ) -> Result<ClientResponse, ClientError> {
        if let Some(bytes) = body.as_bytes() {
            request.body = Some(bytes.clone());
            return self.execute(request).await;
        }
        let inner = &*self.inner;
        let uri = inner.uri(&request.path_and_query)?;
        let headers = inner.headers(request.headers, true, request.bearer.as_deref())?;
        let frames: FrameStream = Box::pin(futures_util::StreamExt::map(body, |chunk| {
            chunk.map(Frame::data)
        }));
        let outcome = inner
            .attempt(
                &request.method,
                &uri,
                headers,
                http_body_util::Either::Right(StreamBody::new(frames)),
            )
            .await;
        match outcome {
            Ok(response) => Ok(response),
            Err(Failure::Connect(err)) => Err(ClientError::Connect {
                url: url_without_query(&uri),
                attempts: 1,
                source: Box::new(err),
            }),
            Err(Failure::Timeout) => Err(ClientError::Timeout {
                url: url_without_query(&uri),
                attempts: 1,
            }),
            Err(Failure::Transport(source)) => Err(ClientError::Transport {
                url: url_without_query(&uri),
                source,
            }),
        }
    }
}

impl Inner {
    fn uri(&self, path_and_query: &str) -> Result<Uri, ClientError> {
        let invalid = |message: String| {
            ClientError::InvalidRequest(vec![Violation {
                location: Location::Path,
                pointer: String::new(),
                message,
            }])
        };
        if !path_and_query.starts_with('/') {
            return Err(invalid(format!(
                "'{path_and_query}' does not start with '/'"
            )));
        }
        let mut url = String::with_capacity(self.base.len() + path_and_query.len());
        url.push_str(&self.base);
        url.push_str(path_and_query);
        Uri::try_from(url)
            .map_err(|err| invalid(format!("'{path_and_query}' is not a valid target: {err}")))
    }

    fn headers(
        &self,
        mut headers: HeaderMap,
        has_body: bool,
        bearer: Option<&str>,
    ) -> Result<HeaderMap, ClientError> {
        if has_body {
            headers
                .entry(header::CONTENT_TYPE)
                .or_insert(APPLICATION_JSON);
        }
        headers.entry(header::ACCEPT).or_insert(APPLICATION_JSON);
        if let Some(token) = bearer {
            let mut value = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| {
                ClientError::InvalidRequest(vec![Violation {
                    location: Location::Header,
                    pointer: "/Authorization".to_owned(),
                    message: "the bearer token cannot be sent in a header".to_owned(),
                }])
            })?;
            value.set_sensitive(true);
            headers.insert(header::AUTHORIZATION, value);
        }
        CallContext::with_current(|scoped| {
            let context = scoped.map(context::Scoped::context);
            if self.config.forward_auth && !headers.contains_key(header::AUTHORIZATION) {
                if let Some(authorization) = context.and_then(|c| c.authorization.clone()) {
                    headers.insert(header::AUTHORIZATION, authorization);
                }
            }
            if !headers.contains_key(CALL_ID_HEADER) {
                let call_id = match scoped {
                    Some(scoped) => scoped.call_id(),
                    None => context::new_call_id(),
                };
                headers.insert(CALL_ID_HEADER, call_id);
            }
            if !headers.contains_key(CALL_PATH_HEADER) {
                let incoming = context.and_then(|c| c.call_path.as_ref());
                let call_path = match (incoming, &self.path_suffix) {
                    (incoming, Some(suffix)) => {
                        let incoming = incoming.map_or(&b""[..], HeaderValue::as_bytes);
                        let mut path = Vec::with_capacity(incoming.len() + suffix.len());
                        path.extend_from_slice(incoming);
                        path.extend_from_slice(suffix);
                        // Both parts are valid header bytes, so their concatenation is too.
                        HeaderValue::from_bytes(&path).ok()
                    }
                    (Some(incoming), None) => Some(incoming.clone()),
                    (None, None) => None,
                };
                if let Some(call_path) = call_path {
                    headers.insert(CALL_PATH_HEADER, call_path);
                }
            }
        });
        Ok(headers)
    }

    async fn attempt(
        &self,
        method: &Method,
        uri: &Uri,
        headers: HeaderMap,
        body: TransportBody,
    ) -> Result<ClientResponse, Failure> {
        let mut request = Request::new(body);
        *request.method_mut() = method.clone();
        *request.uri_mut() = uri.clone();
        *request.headers_mut() = headers;
        let exchange = async {
            let response = self.transport.request(request).await.map_err(|err| {
                if err.is_connect() {
                    Failure::Connect(err)
                } else {
                    Failure::Transport(Box::new(err))
                }
            })?;
            let (parts, body) = response.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|err| Failure::Transport(Box::new(err)))?
                .to_bytes();
            Ok(ClientResponse {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(self.config.read_timeout, exchange)
            .await
            .unwrap_or(Err(Failure::Timeout))
    }
}

/// Checks `base_url` and returns it as `scheme://authority/prefix` without a trailing `/`.
fn parse_base_url(base_url: &str) -> Result<String, ClientError> {
    let invalid = |why: &str| {
        ClientError::InvalidConfig(format!(
            "base_url '{base_url}' {why}; expected http://host[:port][/prefix] or https://..."
        ))
    };
    if base_url.contains(['?', '#']) {
        return Err(invalid("has a query or fragment"));
    }
    let uri = Uri::try_from(base_url).map_err(|_| invalid("is not a URL"))?;
    let scheme = match uri.scheme_str() {
        Some(scheme) if scheme.eq_ignore_ascii_case("http") => "http",
        Some(scheme) if scheme.eq_ignore_ascii_case("https") => {
            // Without rustls an https URL would fail at each call's connect: say so up front.
            if !cfg!(feature = "tls") {
                return Err(invalid("is https, which needs klue-core's `tls` feature"));
            }
            "https"
        }
        Some(_) => return Err(invalid("is neither http nor https")),
        None => return Err(invalid("has no scheme")),
    };
    let authority = match uri.authority() {
        Some(authority) if authority.as_str().contains('@') => {
            return Err(invalid("has user info, which is not sent"))
        }
        Some(authority) if !authority.host().is_empty() => authority.as_str(),
        _ => return Err(invalid("has no host")),
    };
    let prefix = uri.path().trim_end_matches('/');
    Ok(format!("{scheme}://{authority}{prefix}"))
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// Answers from a gateway or an overloaded server, after which the same request may succeed.
fn is_retryable(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
    )
}

/// What errors report as the URL: the query is left out since it may carry secrets.
fn url_without_query(uri: &Uri) -> String {
    match (uri.scheme_str(), uri.authority()) {
        (Some(scheme), Some(authority)) => format!("{scheme}://{authority}{}", uri.path()),
        _ => uri.path().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_normalized() {
        for (url, base) in [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://h:1/", "http://h:1"),
            ("HTTPS://example.com/api/v1/", "https://example.com/api/v1"),
        ] {
            assert_eq!(parse_base_url(url).unwrap(), base);
        }
        for url in [
            "",
            "127.0.0.1:8080",
            "/api",
            "ftp://h",
            "http://h?x=1",
            "http://h/#top",
            "http://user:pw@h",
            "http:///nohost",
        ] {
            assert!(
                matches!(parse_base_url(url), Err(ClientError::InvalidConfig(_))),
                "{url:?} accepted"
            );
        }
    }

    #[test]
    fn only_idempotent_methods_and_gateway_statuses_are_retryable() {
        assert!(is_idempotent(&Method::GET) && is_idempotent(&Method::PUT));
        assert!(!is_idempotent(&Method::POST) && !is_idempotent(&Method::PATCH));
        assert!(is_retryable(StatusCode::SERVICE_UNAVAILABLE));
        assert!(!is_retryable(StatusCode::INTERNAL_SERVER_ERROR));
    }
}
