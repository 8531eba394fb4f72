//! `/health`: readiness. Runs every check the service registered
//! ([`Server::health_check`](crate::Server::health_check)) at once, each bounded by the
//! configured timeout, and answers 200 when all pass, 503 otherwise, with each check's status.
//! (`/ping` stays liveness: it runs nothing.)

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{Response, StatusCode};
use serde::Serialize;

use crate::response::{json_response, Body};

type CheckFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
type Check = Arc<dyn Fn() -> CheckFuture + Send + Sync>;

/// The registered checks.
#[derive(Clone, Default)]
pub(crate) struct HealthChecks {
    checks: Vec<(String, Check)>,
    timeout: Duration,
}

/// What `/health` answers.
#[derive(Debug, Serialize)]
struct HealthReport {
    /// `pass` or `fail`.
    status: &'static str,
    checks: serde_json::Map<String, serde_json::Value>,
}

impl HealthChecks {
    pub(crate) fn add<F, Fut, E>(&mut self, name: &str, check: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: std::fmt::Display + 'static,
    {
        let check: Check = Arc::new(move || {
            let run = check();
            Box::pin(async move { run.await.map_err(|err| err.to_string()) })
        });
        self.checks.push((name.to_owned(), check));
    }

    pub(crate) fn names(&self) -> Vec<&str> {
        self.checks.iter().map(|(name, _)| name.as_str()).collect()
    }

    pub(crate) fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs every check concurrently and answers the report.
    pub(crate) async fn respond(&self) -> Response<Body> {
        let timeout = self.timeout;
        let runs = self.checks.iter().map(|(name, check)| {
            let run = check();
            async move {
                let start = Instant::now();
                let outcome = match tokio::time::timeout(timeout, run).await {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(err)) => Err(err),
                    Err(_) => Err(format!("timed out after {} ms", timeout.as_millis())),
                };
                let mut entry = serde_json::Map::new();
                entry.insert(
                    "status".into(),
                    if outcome.is_ok() { "pass" } else { "fail" }.into(),
                );
                entry.insert(
                    "duration_ms".into(),
                    serde_json::json!(start.elapsed().as_secs_f64() * 1e3),
                );
                if let Err(err) = outcome {
                    tracing::warn!(check = %name, error = %err, "health check failed");
                    entry.insert("error".into(), err.into());
                }
                (name.clone(), serde_json::Value::Object(entry))
            }
        });
        let results = futures_util::future::join_all(runs).await;
        let healthy = results.iter().all(|(_, entry)| entry["status"] == "pass");
        let report = HealthReport {
            status: if healthy { "pass" } else { "fail" },
            checks: results.into_iter().collect(),
        };
        let status = if healthy {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        let mut response = json_response(status, &report);
        response.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
        response
    }
}
