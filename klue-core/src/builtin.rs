//! The endpoints every klue service serves: `GET /ping`, `GET /version`, `GET /auth/version`.

use bytes::Bytes;
use http::Method;
use serde::Serialize;

use crate::registry::{AuthMode, OperationSpec};

pub(crate) static PING: OperationSpec = OperationSpec {
    id: "ping",
    method: Method::GET,
    path: "/ping",
    auth: AuthMode::None,
    body: None,
};

pub(crate) static VERSION: OperationSpec = OperationSpec {
    id: "version",
    method: Method::GET,
    path: "/version",
    auth: AuthMode::None,
    body: None,
};

pub(crate) static AUTH_VERSION: OperationSpec = OperationSpec {
    id: "auth_version",
    method: Method::GET,
    path: "/auth/version",
    auth: AuthMode::Required,
    body: None,
};

/// What `/version` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct VersionInfo {
    /// The served API's name.
    pub name: String,
    /// The served API's `info.version`.
    pub version: String,
    /// The version of the image the server runs in, or "".
    pub container: String,
}

pub(crate) const PING_BODY: Bytes = Bytes::from_static(b"{}");

pub(crate) fn version_body(info: &VersionInfo) -> Bytes {
    Bytes::from(serde_json::to_vec(info).unwrap_or_else(|_| b"{}".to_vec()))
}

pub(crate) static HEALTH: OperationSpec = OperationSpec {
    id: "health",
    method: Method::GET,
    path: "/health",
    auth: AuthMode::None,
    body: None,
};

pub(crate) static METRICS: OperationSpec = OperationSpec {
    id: "metrics",
    method: Method::GET,
    path: "/metrics",
    auth: AuthMode::None,
    body: None,
};
