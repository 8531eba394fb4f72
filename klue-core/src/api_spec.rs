//! What generated code states about an API and its operations, from the spec: its identity
//! and embedded document, and per operation its method, path, authentication and body. The
//! registry, the router, error maps and the served spec all read these.

use http::Method;

/// Identity of an API, from its spec.
#[derive(Debug)]
pub struct ApiInfo {
    /// The API's name: the spec's file stem (`apis/helloworld.yaml` -> `helloworld`).
    pub name: &'static str,
    /// `info.title`.
    pub title: &'static str,
    /// `info.version`, reported by `/version`.
    pub version: &'static str,
    /// The spec, as JSON.
    pub spec_json: &'static str,
}

/// Whether an operation needs a JWT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// No security requirement.
    None,
    /// A valid bearer token is required (401 otherwise).
    Required,
    /// A token is verified when present; anonymous calls are allowed.
    Optional,
}

/// What an operation accepts as request body.
#[derive(Debug)]
pub struct BodySpec {
    /// Accepted media types (`application/json`, ...); a `Content-Type` outside them is a 415.
    pub content_types: &'static [&'static str],
    /// Whether a body must be sent.
    pub required: bool,
    /// The media types whose bodies are streamed to the handler rather than read first.
    pub stream_types: &'static [&'static str],
}

/// One operation of a spec.
#[derive(Debug)]
pub struct OperationSpec {
    /// `operationId`.
    pub id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template, e.g. `/v1/items/{id}`.
    pub path: &'static str,
    /// Security requirement.
    pub auth: AuthMode,
    /// Request body, if the operation takes one.
    pub body: Option<BodySpec>,
}

impl ApiInfo {
    /// The path of the spec's base URL: of the first `servers` entry (OpenAPI 3; Swagger 2.0's
    /// `basePath` is converted to it), e.g. `/v2` for `https://api.example.com/v2`; `""` when
    /// the spec has none.
    pub fn base_path(&self) -> String {
        let spec: serde_json::Value = serde_json::from_str(self.spec_json).unwrap_or_default();
        spec.as_object().map(base_path_of).unwrap_or_default()
    }
}

/// The path of `spec`'s base URL; see [`ApiInfo::base_path`].
pub(crate) fn base_path_of(spec: &serde_json::Map<String, serde_json::Value>) -> String {
    let url = spec
        .get("servers")
        .and_then(|servers| servers.get(0))
        .and_then(|server| server.get("url"))
        .or_else(|| spec.get("basePath"))
        .and_then(|url| url.as_str())
        .unwrap_or("");
    let path = match url.find("://") {
        Some(scheme_end) => {
            let rest = &url[scheme_end + 3..];
            rest.find('/').map_or("", |slash| &rest[slash..])
        }
        None => url,
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    path.trim_end_matches('/').to_owned()
}
