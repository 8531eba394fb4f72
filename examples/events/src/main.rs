//! Run with: cargo run -p events -- --port 8080
//!
//! The events service: events and their report, stored in SQLite (`--db`, or `EVENTS_DB`;
//! `./events.db` by default), so they survive a restart. Reports run a few at a time beside the
//! writes (`--max-reports`, `--report-wait-ms`, `--read-time-limit-ms`; see [`events::db`]).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use klue_core::{Server, ServerArgs, ServerConfig};

/// The events service.
#[derive(Debug, Parser)]
#[command(about = "The klue events service: events and an aggregated report, in SQLite")]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// The SQLite database file, created when missing.
    #[arg(long, env = "EVENTS_DB", default_value = "events.db")]
    db: PathBuf,
    /// Reports computed at once; each takes a core while it runs.
    #[arg(long, env = "EVENTS_MAX_REPORTS", default_value_t = 2,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_reports: u64,
    /// Milliseconds a report waits for a free slot before a 503 `REPORTS_BUSY` with
    /// `Retry-After`.
    #[arg(long, env = "EVENTS_REPORT_WAIT_MS", default_value_t = 5_000)]
    report_wait_ms: u64,
    /// Milliseconds a query (a report, a page of the list) may run before it is stopped with a
    /// 503 `READ_TIME_LIMIT`; keep it below `KLUE_REQUEST_TIMEOUT`.
    #[arg(long, env = "EVENTS_READ_TIME_LIMIT_MS", default_value_t = 30_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    read_time_limit_ms: u64,
}

impl Args {
    fn limits(&self) -> events::db::Limits {
        events::db::Limits {
            max_reports: usize::try_from(self.max_reports).unwrap_or(usize::MAX),
            report_wait: Duration::from_millis(self.report_wait_ms),
            read_time_limit: Duration::from_millis(self.read_time_limit_ms),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    klue_core::init_logging();
    let config = match ServerConfig::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let db = match events::Db::open_with(&args.db, args.limits()) {
        Ok(db) => db,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let limits = db.limits();
    tracing::info!(
        db = %db.path().display(),
        max_reports = limits.max_reports,
        report_wait_ms = limits.report_wait.as_millis() as u64,
        read_time_limit_ms = limits.read_time_limit.as_millis() as u64,
        "database open"
    );
    let server = Server::new(config).api(events::api::router(events::Events::new(db)));
    let bound = match server
        .bind(SocketAddr::new(args.server.host, args.server.port))
        .await
    {
        Ok(bound) => bound,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    match bound.local_addr() {
        Ok(addr) => tracing::info!("listening on http://{addr}"),
        Err(err) => tracing::warn!(error = %err, "listening, address unknown"),
    }
    let report = bound.serve_until_drained(stop_signal()).await;
    let code = klue_core::shutdown_exit_code(&report);
    klue_core::flush_logs();
    code
}

/// SIGINT (ctrl-c) or, on Unix, SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
