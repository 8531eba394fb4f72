//! Configuration: the server's own ([`ServerConfig`], from `KLUE_*` environment variables) and
//! a service's typed configuration ([`load`]).

mod env;
mod load;
mod node;

use std::time::Duration;

use crate::auth::JwtConfig;

pub use load::{load, load_from, ConfigSources};

/// The default limit on request bodies: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// How long a stopping server waits for in-flight requests by default: 30 s.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// Calls slower than this are reported by default: 1 s.
pub const DEFAULT_SLOW_CALL_THRESHOLD: Duration = Duration::from_millis(1000);

/// How the server writes its log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One line of text per event, for people (the default).
    #[default]
    Human,
    /// One JSON object per line, for log pipelines.
    Json,
}

/// Logging: format, filter and whether every request is logged.
#[derive(Debug, Clone)]
pub struct LogConfig {
    /// Text or JSON lines (`KLUE_LOG_FORMAT=human|json`).
    pub format: LogFormat,
    /// `tracing` filter directives, e.g. `info,klue_core=debug` (`KLUE_LOG`, else `RUST_LOG`,
    /// else `info`).
    pub filter: String,
    /// Whether one line is logged per request (`KLUE_ACCESS_LOG`, default true).
    pub access_log: bool,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::Human,
            filter: "info".to_owned(),
            access_log: true,
        }
    }
}

/// Which origins browsers may call the service from (CORS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin (`KLUE_CORS_ORIGINS=*`); credentials are then not allowed by browsers.
    Any,
    /// Exactly these origins, e.g. `https://app.example.com`.
    List(Vec<String>),
}

/// The built-in endpoints that can be turned off. `/ping`, `/version` and `/auth/version` are
/// always served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtins {
    /// `/openapi.json`, `/openapi.yaml` and the Swagger UI at `/docs` (`KLUE_DOCS`).
    pub docs: bool,
    /// `/metrics` (`KLUE_METRICS`).
    pub metrics: bool,
    /// `/health` (`KLUE_HEALTH`).
    pub health: bool,
}

impl Default for Builtins {
    fn default() -> Self {
        Builtins {
            docs: true,
            metrics: true,
            health: true,
        }
    }
}

/// Everything a server needs besides its APIs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// JWT verification and minting.
    pub jwt: JwtConfig,
    /// Largest request body accepted, in bytes (413 beyond).
    pub body_limit: usize,
    /// The version of the image the server runs in, reported by `/version` as `container`.
    pub container_version: String,
    /// How long a stopping server lets in-flight requests finish before it exits anyway.
    pub shutdown_timeout: Duration,
    /// Logging.
    pub log: LogConfig,
    /// CORS: `None` (the default) sends no CORS headers.
    pub cors: Option<CorsOrigins>,
    /// Whether responses are compressed (gzip or br, as the client's `Accept-Encoding` asks).
    pub compression: bool,
    /// Longest wait for a request's headers on an HTTP/1 connection; the connection is closed
    /// beyond. Also bounds idleness: a connection (HTTP/1.1 or h2c) on which no request is in
    /// flight and none started for this long is closed (checked once per period, so an idle
    /// h2c connection lasts one to two periods), and a new one must send its first request
    /// within one period.
    pub header_read_timeout: Duration,
    /// Longest time a request may take from routing to answer (`None`: no limit). A body still
    /// being received gets a 408 envelope, a handler still running a 503 envelope.
    pub request_timeout: Option<Duration>,
    /// Whether HTTP/1.1 connections are kept open between requests.
    pub keep_alive: bool,
    /// Whether HTTP/2 without TLS (h2c, prior knowledge) is accepted next to HTTP/1.1.
    pub http2: bool,
    /// HTTP/2: most requests served at once on one connection.
    pub http2_max_concurrent_streams: u32,
    /// Optional built-ins.
    pub builtins: Builtins,
    /// Where the built-ins are served (`KLUE_BUILTINS_PREFIX`, or the service's
    /// `--builtins-prefix`): `""` (the default) serves them at the root (`/health`,
    /// `/metrics`...), `/_klue` at `/_klue/health`... A path and method the spec declares
    /// itself is always the spec's: the built-in is then not served there (logged at start-up),
    /// and a prefix keeps both.
    pub builtins_prefix: String,
    /// Longest time one health check may take before it counts as failed.
    pub health_timeout: Duration,
    /// Calls slower than this are given to the reporters (overridable per operation).
    pub slow_call_threshold: Duration,
    /// A URL the webhook reporter POSTs reports of 5xx and slow calls to (Slack-compatible).
    pub report_webhook: Option<SecretUrl>,
}

/// A URL whose path or query may hold a credential (a Slack webhook's does): `Debug` shows
/// its scheme and host only.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(pub String);

impl SecretUrl {
    /// The whole URL.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let origin = self
            .0
            .find("://")
            .map(|start| {
                let rest = &self.0[start + 3..];
                let end = rest
                    .find('/')
                    .map_or(self.0.len(), |slash| start + 3 + slash);
                &self.0[..end]
            })
            .unwrap_or("?");
        write!(f, "SecretUrl({origin}/<redacted>)")
    }
}

impl From<&str> for SecretUrl {
    fn from(url: &str) -> Self {
        SecretUrl(url.to_owned())
    }
}

impl From<String> for SecretUrl {
    fn from(url: String) -> Self {
        SecretUrl(url)
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            jwt: JwtConfig::default(),
            body_limit: DEFAULT_BODY_LIMIT,
            container_version: String::new(),
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            log: LogConfig::default(),
            cors: None,
            compression: true,
            header_read_timeout: Duration::from_secs(30),
            request_timeout: Some(Duration::from_secs(60)),
            keep_alive: true,
            http2: true,
            http2_max_concurrent_streams: 256,
            builtins: Builtins::default(),
            builtins_prefix: String::new(),
            health_timeout: Duration::from_secs(5),
            slow_call_threshold: DEFAULT_SLOW_CALL_THRESHOLD,
            report_webhook: None,
        }
    }
}

/// Configuration that cannot be used; names every problem found, not just the first.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .problems.join("\n  - "))]
pub struct ConfigError {
    /// One line per problem, each naming its variable.
    pub problems: Vec<String>,
}

/// `prefix` as a built-ins' prefix: `""`, or `/` then path segments, no trailing `/` (it is
/// removed), no `{`, `}`, `?`, `#`, spaces, quotes, `<`, `>` or `\\`.
pub fn builtins_prefix(prefix: &str) -> Result<String, String> {
    let prefix = prefix.trim().trim_end_matches('/');
    if prefix.is_empty() {
        return Ok(String::new());
    }
    if !prefix.starts_with('/')
        || prefix.contains(['{', '}', '?', '#', ' ', '"', '\'', '<', '>', '\\'])
    {
        return Err(format!(
            "'{prefix}' is not a path prefix like /_klue (a `/`, then path segments)"
        ));
    }
    Ok(prefix.to_owned())
}

impl ServerConfig {
    /// Reads the `KLUE_*` variables from the process environment (see the README's
    /// configuration table): `KLUE_JWT_*` (see [`JwtConfig::from_env`]), `KLUE_BODY_LIMIT`,
    /// `KLUE_CONTAINER_VERSION`, `KLUE_SHUTDOWN_TIMEOUT`, `KLUE_LOG`, `KLUE_LOG_FORMAT`,
    /// `KLUE_ACCESS_LOG`, `KLUE_CORS_ORIGINS`, `KLUE_COMPRESSION`, `KLUE_HEADER_READ_TIMEOUT`,
    /// `KLUE_REQUEST_TIMEOUT`, `KLUE_KEEP_ALIVE`, `KLUE_HTTP2`, `KLUE_DOCS`, `KLUE_METRICS`,
    /// `KLUE_HEALTH`, `KLUE_HEALTH_TIMEOUT`, `KLUE_SLOW_CALL_MS` and `KLUE_REPORT_WEBHOOK`.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`ServerConfig::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        env::server_config(lookup)
    }
}
