//! The start-up of a service with a typed configuration: a missing or malformed key, of the
//! service or of the server, stops it with one error naming each.
//!
//! No test harness: run with `KLUE_START_UP_CHILD` set, this binary is the service (a
//! `klue_core::run_configured` main), so the test starts it as a process and checks its exit
//! status and stderr. (With the harness, the service had to be a `#[test]` that the test run
//! also ran, and that passed whatever it did.)

use std::path::PathBuf;
use std::process::ExitCode;

use serde::Deserialize;

/// Set in the environment of the process that starts the service.
const CHILD_MODE: &str = "KLUE_START_UP_CHILD";

/// The exit status of the child when the service did not start.
const NOT_STARTED: u8 = 3;

#[derive(Debug, Deserialize)]
#[allow(dead_code)] // Read by serde only: start-up must fail before the fields are used.
struct Smtp {
    host: String,
    port: u16,
}

#[derive(Debug, Deserialize)]
enum Mode {
    #[serde(rename = "live")]
    Live,
    #[serde(rename = "dry-run")]
    DryRun,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)] // As above.
struct Config {
    database_url: String,
    pool_size: u32,
    #[serde(default)]
    debug: bool,
    admins: Vec<String>,
    mode: Mode,
    smtp: Smtp,
    sentry_dsn: Option<String>,
}

static INFO: klue_core::ApiInfo = klue_core::ApiInfo {
    name: "configured",
    title: "configured",
    version: "1",
    spec_json: "{}",
};

fn main() -> ExitCode {
    if std::env::var_os(CHILD_MODE).is_some() {
        return start_up();
    }
    a_missing_required_key_stops_start_up_naming_it();
    println!("test a_missing_required_key_stops_start_up_naming_it ... ok");
    ExitCode::SUCCESS
}

/// The service: 0 if it started and stopped cleanly (it should not start), else
/// [`NOT_STARTED`].
fn start_up() -> ExitCode {
    let code =
        tokio::runtime::Runtime::new()
            .expect("runtime")
            .block_on(klue_core::run_configured(|_config: Config, server| {
                server.api(klue_core::ApiRouter::new(&INFO))
            }));
    if code == ExitCode::SUCCESS {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(NOT_STARTED)
    }
}

fn a_missing_required_key_stops_start_up_naming_it() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("config-start-up");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .current_dir(&dir)
        .env(CHILD_MODE, "1")
        // Service keys (no prefix by default): pool_size malformed, database_url missing.
        .env("POOL_SIZE", "lots")
        .env("ADMINS", "ada")
        .env("MODE", "live")
        .env("SMTP__HOST", "mail")
        .env("SMTP__PORT", "25")
        .env_remove("DATABASE_URL")
        // A server key too: both kinds are reported together.
        .env("KLUE_BODY_LIMIT", "big")
        // The server's own: a port taken from the test's environment must not matter.
        .env_remove("PORT")
        .output()
        .expect("the test binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(i32::from(NOT_STARTED)),
        "start-up failed; stderr: {stderr}"
    );
    assert!(
        stderr.contains("DATABASE_URL (database_url in klue.yaml): missing"),
        "{stderr}"
    );
    assert!(stderr.contains("POOL_SIZE"), "{stderr}");
    assert!(stderr.contains("KLUE_BODY_LIMIT"), "{stderr}");
}
