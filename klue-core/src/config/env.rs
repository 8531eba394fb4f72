//! [`ServerConfig`] from `KLUE_*` variables: every malformed value is collected, none stops the
//! reading of the others.

use std::time::Duration;

use super::{Builtins, ConfigError, CorsOrigins, LogConfig, LogFormat, SecretUrl, ServerConfig};
use crate::auth::JwtConfig;

struct Reader<F> {
    lookup: F,
    problems: Vec<String>,
}

impl<F: Fn(&str) -> Option<String>> Reader<F> {
    fn text(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|value| !value.trim().is_empty())
    }

    fn parsed<T: std::str::FromStr>(&mut self, name: &str, what: &str, default: T) -> T {
        match self.text(name) {
            None => default,
            Some(text) => text.trim().parse().unwrap_or_else(|_| {
                self.problems
                    .push(format!("{name}: '{text}' is not {what}"));
                default
            }),
        }
    }

    fn flag(&mut self, name: &str, default: bool) -> bool {
        match self.text(name).map(|t| t.trim().to_ascii_lowercase()) {
            None => default,
            Some(t) if matches!(t.as_str(), "1" | "true" | "yes" | "on") => true,
            Some(t) if matches!(t.as_str(), "0" | "false" | "no" | "off") => false,
            Some(t) => {
                self.problems
                    .push(format!("{name}: '{t}' is not a boolean (true or false)"));
                default
            }
        }
    }

    fn seconds(&mut self, name: &str, default: Duration) -> Duration {
        match self.text(name) {
            None => default,
            Some(text) => match text.trim().parse::<f64>() {
                Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => {
                    Duration::from_secs_f64(seconds)
                }
                _ => {
                    self.problems
                        .push(format!("{name}: '{text}' is not a number of seconds"));
                    default
                }
            },
        }
    }
}

pub(super) fn server_config(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<ServerConfig, ConfigError> {
    let mut r = Reader {
        lookup,
        problems: Vec::new(),
    };
    let defaults = ServerConfig::default();
    // The fields are read in the order written, which is the order the problems are listed in.
    let config = ServerConfig {
        jwt: r.jwt(),
        body_limit: r.parsed("KLUE_BODY_LIMIT", "a number of bytes", defaults.body_limit),
        container_version: r.text("KLUE_CONTAINER_VERSION").unwrap_or_default(),
        shutdown_timeout: r.seconds("KLUE_SHUTDOWN_TIMEOUT", defaults.shutdown_timeout),
        log: r.log(),
        cors: r.cors(),
        compression: r.flag("KLUE_COMPRESSION", defaults.compression),
        header_read_timeout: r.seconds("KLUE_HEADER_READ_TIMEOUT", defaults.header_read_timeout),
        request_timeout: r.request_timeout(defaults.request_timeout),
        keep_alive: r.flag("KLUE_KEEP_ALIVE", defaults.keep_alive),
        http2: r.flag("KLUE_HTTP2", defaults.http2),
        http2_max_concurrent_streams: r.parsed(
            "KLUE_HTTP2_MAX_STREAMS",
            "a number",
            defaults.http2_max_concurrent_streams,
        ),
        builtins: Builtins {
            docs: r.flag("KLUE_DOCS", true),
            metrics: r.flag("KLUE_METRICS", true),
            health: r.flag("KLUE_HEALTH", true),
        },
        builtins_prefix: r.builtins_prefix(),
        health_timeout: r.seconds("KLUE_HEALTH_TIMEOUT", defaults.health_timeout),
        slow_call_threshold: Duration::from_millis(r.parsed(
            "KLUE_SLOW_CALL_MS",
            "a number of milliseconds",
            defaults.slow_call_threshold.as_millis() as u64,
        )),
        report_webhook: r.report_webhook(),
    };
    if r.problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigError {
            problems: r.problems,
        })
    }
}

/// The settings that take more than one variable or a check of their own.
impl<F: Fn(&str) -> Option<String>> Reader<F> {
    fn jwt(&mut self) -> JwtConfig {
        match JwtConfig::from_lookup(|name| self.text(name)) {
            Ok(jwt) => jwt,
            Err(err) => {
                self.problems.push(err.to_string());
                JwtConfig::default()
            }
        }
    }

    fn log(&mut self) -> LogConfig {
        let format = match self
            .text("KLUE_LOG_FORMAT")
            .map(|t| t.trim().to_ascii_lowercase())
        {
            None => LogFormat::Human,
            Some(t) if t == "human" || t == "text" => LogFormat::Human,
            Some(t) if t == "json" => LogFormat::Json,
            Some(t) => {
                self.problems
                    .push(format!("KLUE_LOG_FORMAT: '{t}' is not 'human' or 'json'"));
                LogFormat::Human
            }
        };
        let filter = self
            .text("KLUE_LOG")
            .or_else(|| self.text("RUST_LOG"))
            .unwrap_or_else(|| "info".to_owned());
        if let Err(err) = tracing_subscriber::EnvFilter::try_new(&filter) {
            self.problems.push(format!(
                "KLUE_LOG/RUST_LOG: '{filter}' is not a filter: {err}"
            ));
        }
        LogConfig {
            format,
            filter,
            access_log: self.flag("KLUE_ACCESS_LOG", true),
        }
    }

    fn cors(&mut self) -> Option<CorsOrigins> {
        let text = self.text("KLUE_CORS_ORIGINS")?;
        if text.trim() == "*" {
            return Some(CorsOrigins::Any);
        }
        let origins: Vec<String> = text
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        for origin in &origins {
            let valid = (origin.starts_with("http://") || origin.starts_with("https://"))
                && http::HeaderValue::from_str(origin).is_ok();
            if !valid {
                self.problems.push(format!(
                    "KLUE_CORS_ORIGINS: '{origin}' is not an origin like https://app.example.com"
                ));
            }
        }
        Some(CorsOrigins::List(origins))
    }

    /// `KLUE_REQUEST_TIMEOUT`; 0 switches it off.
    fn request_timeout(&mut self, default: Option<Duration>) -> Option<Duration> {
        match self.seconds("KLUE_REQUEST_TIMEOUT", default.unwrap_or_default()) {
            zero if zero.is_zero() => None,
            timeout => Some(timeout),
        }
    }

    fn builtins_prefix(&mut self) -> String {
        self.text("KLUE_BUILTINS_PREFIX")
            .map_or(Ok(String::new()), |text| super::builtins_prefix(&text))
            .unwrap_or_else(|problem| {
                self.problems
                    .push(format!("KLUE_BUILTINS_PREFIX: {problem}"));
                String::new()
            })
    }

    fn report_webhook(&mut self) -> Option<SecretUrl> {
        let url = self.text("KLUE_REPORT_WEBHOOK")?;
        if !url.starts_with("http://") && !url.starts_with("https://") {
            self.problems.push(format!(
                "KLUE_REPORT_WEBHOOK: '{url}' is not an http(s) URL"
            ));
        }
        Some(SecretUrl(url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<ServerConfig, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        server_config(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn settings_are_read_and_every_bad_one_is_named() {
        let config = read(&[
            ("KLUE_LOG_FORMAT", "json"),
            ("KLUE_ACCESS_LOG", "off"),
            ("KLUE_CORS_ORIGINS", "https://a.example, https://b.example/"),
            ("KLUE_REQUEST_TIMEOUT", "0"),
            ("KLUE_DOCS", "false"),
            ("KLUE_SLOW_CALL_MS", "250"),
            (
                "KLUE_REPORT_WEBHOOK",
                "https://hooks.example.com/T000/B000/secret",
            ),
        ])
        .expect("valid");
        assert_eq!(config.log.format, LogFormat::Json);
        assert!(!config.log.access_log);
        assert_eq!(
            config.cors,
            Some(CorsOrigins::List(vec![
                "https://a.example".into(),
                "https://b.example".into()
            ]))
        );
        assert_eq!(config.request_timeout, None);
        assert!(!config.builtins.docs && config.builtins.metrics);
        assert_eq!(config.slow_call_threshold, Duration::from_millis(250));
        let shown = format!("{config:?}");
        assert!(!shown.contains("T000/B000"), "{shown}");

        let err = read(&[
            ("KLUE_LOG_FORMAT", "xml"),
            ("KLUE_KEEP_ALIVE", "maybe"),
            ("KLUE_CORS_ORIGINS", "app.example.com"),
            ("KLUE_HEALTH_TIMEOUT", "-1"),
            ("KLUE_REPORT_WEBHOOK", "ftp://x"),
        ])
        .expect_err("invalid");
        assert_eq!(err.problems.len(), 5, "{err}");
        for name in [
            "KLUE_LOG_FORMAT",
            "KLUE_KEEP_ALIVE",
            "KLUE_CORS_ORIGINS",
            "KLUE_HEALTH_TIMEOUT",
            "KLUE_REPORT_WEBHOOK",
        ] {
            assert!(err.to_string().contains(name), "{err}");
        }
    }
}
