#![doc = include_str!("../README.md")]
//!
//! ## Environment
//!
//! The server under test is named by `KLUE_SERVER_SCHEME` (`http` or `https`), `KLUE_SERVER_HOST`
//! and `KLUE_SERVER_PORT`, a valid token by `KLUE_JWT_TOKEN` (see [`TestClient::from_env`]), and
//! a private CA to trust for https by `KLUE_SERVER_CA_FILE`; in-process tests use [`serve`].

use std::net::SocketAddr;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use klue_core::{ApiRouter, ErrorEnvelope, Server, ServerConfig};
use serde_json::Value;

/// An HTTP client for one server under test.
#[derive(Debug, Clone)]
pub struct TestClient {
    base: String,
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct TestResponse {
    /// Status code.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl TestClient {
    /// A client for `http://host:port`.
    pub fn new(host: &str, port: u16) -> Self {
        Self::with_scheme("http", host, port, None)
    }

    /// A client for `scheme://host:port`; for https, `extra_ca_pem` adds trusted certificates
    /// to the built-in roots. Panics (failing the test) on an unusable certificate.
    pub fn with_scheme(scheme: &str, host: &str, port: u16, extra_ca_pem: Option<&[u8]>) -> Self {
        let connector = klue_core::client::https_connector(None, extra_ca_pem)
            .unwrap_or_else(|err| panic!("TLS setup: {err}"));
        TestClient {
            base: format!("{scheme}://{host}:{port}"),
            client: Client::builder(TokioExecutor::new()).build(connector),
        }
    }

    /// A client for the server in `KLUE_SERVER_SCHEME` / `KLUE_SERVER_HOST` / `KLUE_SERVER_PORT`
    /// (default http://127.0.0.1:8080), trusting `KLUE_SERVER_CA_FILE` when set, as
    /// `run_acceptance_tests` sets them.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let scheme = var("KLUE_SERVER_SCHEME").unwrap_or_else(|| "http".to_owned());
        let host = var("KLUE_SERVER_HOST").unwrap_or_else(|| "127.0.0.1".to_owned());
        let port = var("KLUE_SERVER_PORT")
            .and_then(|p| p.parse().ok())
            .unwrap_or(if scheme == "https" { 443 } else { 8080 });
        let ca = var("KLUE_SERVER_CA_FILE").map(|path| {
            std::fs::read(&path).unwrap_or_else(|err| panic!("KLUE_SERVER_CA_FILE {path}: {err}"))
        });
        Self::with_scheme(&scheme, &host, port, ca.as_deref())
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends a request; panics (failing the test) when the server cannot be reached.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> TestResponse {
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(format!("{}{path}", self.base));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let body = match body {
            Some((content_type, bytes)) => {
                builder = builder.header("content-type", content_type);
                Full::new(Bytes::from(bytes))
            }
            None => Full::new(Bytes::new()),
        };
        let request = builder.body(body).expect("a valid request");
        let response =
            self.client.request(request).await.unwrap_or_else(|err| {
                panic!("{method} {path}: no answer from {}: {err}", self.base)
            });
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .unwrap_or_else(|err| panic!("{method} {path}: body not read: {err}"))
            .to_bytes();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Method::GET, path, &[], None).await
    }

    /// `GET path` with `Authorization: Bearer <token>`.
    pub async fn get_auth(&self, path: &str, token: &str) -> TestResponse {
        let header = format!("Bearer {token}");
        self.send(Method::GET, path, &[("authorization", &header)], None)
            .await
    }

    /// `PUT path` with a JSON body, and a bearer token when given.
    pub async fn put_json(&self, path: &str, body: &Value, token: Option<&str>) -> TestResponse {
        self.send_json(Method::PUT, path, body, token).await
    }

    /// `DELETE path`, with a bearer token when given.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> TestResponse {
        let header = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = header
            .as_deref()
            .map(|h| vec![("authorization", h)])
            .unwrap_or_default();
        self.send(Method::DELETE, path, &headers, None).await
    }

    /// `POST path` with a JSON body, and a bearer token when given.
    pub async fn post_json(&self, path: &str, body: &Value, token: Option<&str>) -> TestResponse {
        self.send_json(Method::POST, path, body, token).await
    }

    async fn send_json(
        &self,
        method: Method,
        path: &str,
        body: &Value,
        token: Option<&str>,
    ) -> TestResponse {
        let header = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = header
            .as_deref()
            .map(|h| vec![("authorization", h)])
            .unwrap_or_default();
        let bytes = serde_json::to_vec(body).expect("JSON");
        self.send(method, path, &headers, Some(("application/json", bytes)))
            .await
    }
}

impl TestResponse {
    /// The body as JSON; fails the test when it is not JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "status {}: body is not JSON ({err}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts the status and a JSON content type; returns the body.
    #[track_caller]
    pub fn assert_json(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.body)
        );
        let content_type = self
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            content_type.starts_with("application/json"),
            "content type is '{content_type}', not JSON"
        );
        self.json()
    }

    /// Asserts the status and that the body equals `expected`.
    #[track_caller]
    pub fn assert_object(&self, status: u16, expected: &Value) {
        assert_eq!(&self.assert_json(status), expected);
    }

    /// Asserts a 200 with `{}`.
    #[track_caller]
    pub fn assert_empty_object(&self) {
        self.assert_object(200, &serde_json::json!({}));
    }

    /// Asserts an error envelope with `status` and `code`, whose `status` field matches and whose
    /// `error_id` is a uuid4; returns the envelope.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) -> ErrorEnvelope {
        let body = self.assert_json(status);
        let envelope: ErrorEnvelope = serde_json::from_value(body.clone())
            .unwrap_or_else(|err| panic!("not an error envelope ({err}): {body}"));
        assert_eq!(envelope.status, status, "envelope status: {body}");
        assert_eq!(envelope.error, code, "envelope code: {body}");
        assert!(
            !envelope.error_description.is_empty(),
            "no description: {body}"
        );
        let error_id = envelope.error_id.as_deref().unwrap_or("");
        let uuid = uuid::Uuid::parse_str(error_id)
            .unwrap_or_else(|_| panic!("error_id '{error_id}' is not a uuid: {body}"));
        assert_eq!(uuid.get_version_num(), 4, "error_id is not a uuid4: {body}");
        envelope
    }
}

/// Asserts `GET /ping` answers 200 `{}`.
pub async fn assert_has_ping(client: &TestClient) {
    client.get("/ping").await.assert_empty_object();
}

/// Asserts `GET /version` answers the API's name and version.
pub async fn assert_has_version(client: &TestClient, name: &str, version: &str) -> Value {
    let body = client.get("/version").await.assert_json(200);
    assert_eq!(body["name"], name, "/version name: {body}");
    assert_eq!(body["version"], version, "/version version: {body}");
    assert!(body["container"].is_string(), "/version container: {body}");
    body
}

/// The original's bad `Authorization` headers, each of which must give `TOKEN_INVALID`.
pub const BAD_AUTH_HEADERS: [&str; 3] = ["Bearer1234567890", "bearer foo bar", "Bearer 1234567890"];

/// Asserts `GET /auth/version`: 401 `AUTHORIZATION_HEADER_MISSING` without a header, 401
/// `TOKEN_INVALID` for each of [`BAD_AUTH_HEADERS`], and 200 with `token`.
pub async fn assert_has_auth_version(client: &TestClient, token: &str) -> Value {
    client
        .get("/auth/version")
        .await
        .assert_error(401, "AUTHORIZATION_HEADER_MISSING");
    for header in BAD_AUTH_HEADERS {
        let response = client
            .send(
                Method::GET,
                "/auth/version",
                &[("authorization", header)],
                None,
            )
            .await;
        assert_eq!(
            response.status.as_u16(),
            401,
            "Authorization: '{header}' was not refused"
        );
        response.assert_error(401, "TOKEN_INVALID");
    }
    client
        .get_auth("/auth/version", token)
        .await
        .assert_json(200)
}

/// Serves `apis` with `config` on a free port of 127.0.0.1 in the background and returns a
/// client for it and its address.
pub async fn serve(
    apis: impl IntoIterator<Item = ApiRouter>,
    config: ServerConfig,
) -> (TestClient, SocketAddr) {
    let server = apis.into_iter().fold(Server::new(config), Server::api);
    let bound = server
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("server binds");
    let addr = bound.local_addr().expect("bound address");
    tokio::spawn(bound.serve());
    (TestClient::new("127.0.0.1", addr.port()), addr)
}
