//! Error reporting: every 5xx and every call slower than a threshold is handed to the
//! [`Reporter`]s: the built-in [`LogReporter`], a [`WebhookReporter`] (Slack-compatible JSON)
//! when `KLUE_REPORT_WEBHOOK` is set, and any the service adds with
//! [`Server::reporter`](crate::Server::reporter).
//!
//! Reporting never blocks or fails a request: the request path only `try_send`s the report into
//! a bounded queue (a full queue drops it, with a warning); one background task drains the
//! queue and calls the reporters, each call bounded by a timeout.

mod webhook;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc;

pub use webhook::WebhookReporter;

/// How many reports may wait for the reporters before new ones are dropped.
const QUEUE: usize = 1024;
/// Longest a reporter may take with one report.
const REPORTER_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a call is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// The answer was a 5xx.
    ServerError,
    /// The call took longer than its threshold.
    SlowCall,
}

/// One reported call.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Why it is reported.
    pub kind: ReportKind,
    /// The service (the first API's name).
    pub service: String,
    /// The `error_id` the client received, for a 5xx.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// The error code (`SERVER_ERROR`, ...), for an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The error and its causes, `outer: inner: innermost` (never sent to the client).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_chain: Option<String>,
    /// The request id (`X-Request-Id`).
    pub request_id: String,
    /// The HTTP method.
    pub method: String,
    /// The route template (`/v1/items/{id}`), or `-` when no route matched.
    pub route: String,
    /// The operation id, or `""` when no route matched.
    pub operation: String,
    /// The answered status.
    pub status: u16,
    /// The authenticated user (`sub`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Time from routing to answer, in milliseconds.
    pub duration_ms: f64,
    /// The threshold a slow call exceeded, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold_ms: Option<f64>,
    /// When the call ended, seconds since the Unix epoch.
    pub timestamp: f64,
}

impl Report {
    /// A one-line summary, e.g. for a chat message.
    pub fn summary(&self) -> String {
        let what = match self.kind {
            ReportKind::ServerError => format!(
                "{} {} answered {} {}",
                self.method,
                self.route,
                self.status,
                self.error_code.as_deref().unwrap_or("")
            ),
            ReportKind::SlowCall => format!(
                "{} {} took {:.0} ms (threshold {:.0} ms), answered {}",
                self.method,
                self.route,
                self.duration_ms,
                self.threshold_ms.unwrap_or(0.0),
                self.status
            ),
        };
        let mut text = format!("[{}] {}", self.service, what.trim_end());
        if let Some(error_id) = &self.error_id {
            text.push_str(&format!(" error_id={error_id}"));
        }
        text.push_str(&format!(" request_id={}", self.request_id));
        if let Some(user) = &self.user_id {
            text.push_str(&format!(" user={user}"));
        }
        if let Some(chain) = &self.error_chain {
            text.push_str(&format!("\n{chain}"));
        }
        text
    }
}

/// The future a reporter returns.
pub type ReportFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Something told about 5xx answers and slow calls. Runs off the request path; a slow reporter
/// delays only other reports.
pub trait Reporter: Send + Sync + 'static {
    /// Handles one report. Failures are the reporter's to log; they never reach the client.
    fn report<'a>(&'a self, report: &'a Report) -> ReportFuture<'a>;
}

/// Logs each report (target `klue::report`): slow calls at `warn`; 5xx at `debug`, as each
/// 5xx is already logged at `error`, with its cause, where it happens. Always installed.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogReporter;

macro_rules! log_report {
    ($level:expr, $report:expr) => {
        tracing::event!(
            target: "klue::report",
            $level,
            kind = ?$report.kind,
            error_id = $report.error_id.as_deref(),
            request_id = %$report.request_id,
            method = %$report.method,
            route = %$report.route,
            status = $report.status,
            user_id = $report.user_id.as_deref(),
            duration_ms = $report.duration_ms,
            threshold_ms = $report.threshold_ms,
            error_chain = $report.error_chain.as_deref(),
            "reported call"
        )
    };
}

impl Reporter for LogReporter {
    fn report<'a>(&'a self, report: &'a Report) -> ReportFuture<'a> {
        match report.kind {
            ReportKind::SlowCall => log_report!(tracing::Level::WARN, report),
            ReportKind::ServerError => log_report!(tracing::Level::DEBUG, report),
        }
        Box::pin(std::future::ready(()))
    }
}

/// What the draining task takes when it starts.
type Drain = (mpsc::Receiver<Report>, Vec<Arc<dyn Reporter>>);

/// The request side of reporting: a bounded queue to a task started on first use (in the
/// server's runtime: building a server needs none).
pub(crate) struct ReportQueue {
    sender: mpsc::Sender<Report>,
    start: Mutex<Option<Drain>>,
}

impl std::fmt::Debug for ReportQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportQueue").finish_non_exhaustive()
    }
}

impl ReportQueue {
    pub(crate) fn new(reporters: Vec<Arc<dyn Reporter>>) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        ReportQueue {
            sender,
            start: Mutex::new(Some((receiver, reporters))),
        }
    }

    /// Queues `report`; never waits.
    pub(crate) fn send(&self, report: Report) {
        if let Ok(mut start) = self.start.lock() {
            if let Some((receiver, reporters)) = start.take() {
                tokio::spawn(drain(receiver, reporters));
            }
        }
        if let Err(err) = self.sender.try_send(report) {
            tracing::warn!(error = %err, "report queue full: a report was dropped");
        }
    }
}

async fn drain(mut receiver: mpsc::Receiver<Report>, reporters: Vec<Arc<dyn Reporter>>) {
    while let Some(report) = receiver.recv().await {
        for reporter in &reporters {
            if tokio::time::timeout(REPORTER_TIMEOUT, reporter.report(&report))
                .await
                .is_err()
            {
                tracing::warn!("a reporter took over 10 s with one report; skipped");
            }
        }
    }
}
