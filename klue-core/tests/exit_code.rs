//! The exit status of a stopped service: 0 when every request was answered, 3
//! ([`klue_core::EXIT_REQUESTS_DROPPED`]) when the shutdown timeout passed with a request still
//! in its handler, and the number dropped logged.
//!
//! No test harness: run with `KLUE_EXIT_TEST_SERVER` set, this binary is the service (a
//! `klue_core::run` main with a handler that sleeps 30 s), so the tests start it as a process
//! and send it SIGTERM.

use std::io::{Read, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use klue_core::{ApiInfo, ApiRouter, AuthMode, OperationSpec};

/// Set in the environment of the process that serves.
const SERVER_MODE: &str = "KLUE_EXIT_TEST_SERVER";

static INFO: ApiInfo = ApiInfo {
    name: "slow",
    title: "slow",
    version: "1",
    spec_json: "{}",
};

static SLOW: OperationSpec = OperationSpec {
    id: "slow",
    method: Method::GET,
    path: "/slow",
    auth: AuthMode::None,
    body: None,
};

fn main() -> ExitCode {
    if std::env::var_os(SERVER_MODE).is_some() {
        return serve();
    }
    for (name, test) in [
        (
            "a_request_cut_at_the_shutdown_timeout_gives_exit_status_3",
            a_request_cut_at_the_shutdown_timeout_gives_exit_status_3 as fn(),
        ),
        (
            "a_clean_stop_gives_exit_status_0",
            a_clean_stop_gives_exit_status_0,
        ),
    ] {
        // Like the harness: `cargo test -- <filter>` runs only the tests whose name has it.
        let filters: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with('-'))
            .collect();
        if filters.is_empty() || filters.iter().any(|filter| name.contains(filter.as_str())) {
            test();
            println!("test {name} ... ok");
        }
    }
    ExitCode::SUCCESS
}

/// The service: `GET /slow` sleeps 30 s; `GET /ping` is the built-in.
fn serve() -> ExitCode {
    let mut router = ApiRouter::new(&INFO);
    router.operation(&SLOW, |_request| async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(klue_core::json_response(
            StatusCode::OK,
            &serde_json::json!({}),
        ))
    });
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(klue_core::run([router]))
}

/// Starts this binary as the service with a 1 s shutdown timeout.
fn start() -> (Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let server = Command::new(std::env::current_exe().expect("this binary"))
        .args(["--port", &port.to_string(), "--host", "127.0.0.1"])
        .env(SERVER_MODE, "1")
        .env("KLUE_SHUTDOWN_TIMEOUT", "1")
        .env("KLUE_LOG", "info")
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (server, port)
}

/// Sends SIGTERM and waits for the exit (at most 15 s); returns the exit code and the log.
fn stop(mut server: Child) -> (Option<i32>, String) {
    let kill = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let mut stderr = server.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        let _ = stderr.read_to_string(&mut log);
        log
    });
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = server.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code(), reader.join().expect("log reader"))
}

fn a_request_cut_at_the_shutdown_timeout_gives_exit_status_3() {
    let (server, port) = start();
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    slow.write_all(b"GET /slow HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .expect("request sent");
    // The request reaches its handler (which sleeps 30 s) well within this.
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let (code, log) = stop(server);
    assert_eq!(
        code,
        Some(i32::from(klue_core::EXIT_REQUESTS_DROPPED)),
        "{log}"
    );
    assert_eq!(code, Some(3));
    assert!(
        log.contains("stopped with 1 requests dropped at the shutdown timeout"),
        "{log}"
    );
    // The 1 s shutdown timeout, not the handler's 30 s.
    assert!(started.elapsed() < Duration::from_secs(10));
}

fn a_clean_stop_gives_exit_status_0() {
    let (server, port) = start();
    let mut ping = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    ping.write_all(b"GET /ping HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
        .expect("request sent");
    let mut answer = String::new();
    ping.read_to_string(&mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    let (code, log) = stop(server);
    assert_eq!(code, Some(0), "{log}");
    assert!(!log.contains("requests dropped"), "{log}");
}
