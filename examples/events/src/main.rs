//! Run with: cargo run -p events -- --port 8080
//!
//! The events service: events and their report, stored in SQLite (`--db`, or `EVENTS_DB`;
//! `./events.db` by default), so they survive a restart.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

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
    let db = match events::Db::open(&args.db) {
        Ok(db) => db,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(db = %db.path().display(), "database open");
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
