//! Server configuration from the environment.

use crate::auth::JwtConfig;

/// The default limit on request bodies: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// How long a stopping server waits for in-flight requests by default: 30 s.
pub const DEFAULT_SHUTDOWN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

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
    pub shutdown_timeout: std::time::Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            jwt: JwtConfig::default(),
            body_limit: DEFAULT_BODY_LIMIT,
            container_version: String::new(),
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
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

impl ServerConfig {
    /// Reads `KLUE_JWT_*` (see [`JwtConfig::from_env`]), `KLUE_BODY_LIMIT` (bytes) and
    /// `KLUE_CONTAINER_VERSION` and `KLUE_SHUTDOWN_TIMEOUT` (seconds) from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`ServerConfig::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let lookup = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let mut problems = Vec::new();
        let jwt = JwtConfig::from_lookup(lookup).unwrap_or_else(|err| {
            problems.push(err.to_string());
            JwtConfig::default()
        });
        let body_limit = match lookup("KLUE_BODY_LIMIT") {
            None => DEFAULT_BODY_LIMIT,
            Some(text) => text.trim().parse().unwrap_or_else(|_| {
                problems.push(format!(
                    "KLUE_BODY_LIMIT: '{text}' is not a number of bytes"
                ));
                DEFAULT_BODY_LIMIT
            }),
        };
        let container_version = lookup("KLUE_CONTAINER_VERSION").unwrap_or_default();
        let shutdown_timeout = match lookup("KLUE_SHUTDOWN_TIMEOUT") {
            None => DEFAULT_SHUTDOWN_TIMEOUT,
            Some(text) => match text.trim().parse::<f64>() {
                Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => {
                    std::time::Duration::from_secs_f64(seconds)
                }
                _ => {
                    problems.push(format!(
                        "KLUE_SHUTDOWN_TIMEOUT: '{text}' is not a number of seconds"
                    ));
                    DEFAULT_SHUTDOWN_TIMEOUT
                }
            },
        };
        if problems.is_empty() {
            Ok(ServerConfig {
                jwt,
                body_limit,
                container_version,
                shutdown_timeout,
            })
        } else {
            Err(ConfigError { problems })
        }
    }
}
