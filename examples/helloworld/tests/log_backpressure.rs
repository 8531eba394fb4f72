//! A log sink that does not read: the helloworld process keeps serving with its stderr a pipe
//! nobody drains (log lines are dropped and counted, never waited for), reports the drops
//! once stderr is read again, and still exits 0 on SIGTERM.

mod common;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use testaccept::TestClient;

/// Each request logs an access line carrying this many bytes of unmatched path.
const PATH_BYTES: usize = 4_000;
/// Requests sent: about 12 MB of log, far past the 1 MB the log buffer holds and the 64 KiB a
/// pipe holds.
const REQUESTS: usize = 3_000;
const CONNECTIONS: usize = 8;

fn start() -> (Child, u16) {
    let port = common::free_port();
    let server = Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .args(["--port", &port.to_string(), "--host", "127.0.0.1"])
        .env_remove("RUST_LOG")
        .env("KLUE_LOG", "info")
        .env("KLUE_JWT_SECRET", common::SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("helloworld starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "helloworld did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (server, port)
}

/// Sends `requests` requests for a long unmatched path over [`CONNECTIONS`] connections; each
/// must be answered (404) within 10 s.
async fn send_long_lines(port: u16, requests: usize) {
    let path = format!("/nowhere/{}", "x".repeat(PATH_BYTES));
    let senders: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let client = TestClient::new("127.0.0.1", port);
            let path = path.clone();
            tokio::spawn(async move {
                for _ in 0..requests / CONNECTIONS {
                    let answered = tokio::time::timeout(Duration::from_secs(10), client.get(&path))
                        .await
                        .expect("a request is answered while stderr is stuck");
                    assert_eq!(answered.status, 404);
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await.expect("every request answered");
    }
}

fn sigterm(server: &Child) {
    let kill = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stderr_nobody_reads_does_not_stop_serving() {
    let (mut server, port) = start();
    // Held open and not read until the end: once the pipe is full, every write to stderr blocks.
    let mut stderr = server.stderr.take().expect("stderr pipe");
    send_long_lines(port, REQUESTS).await;

    let client = TestClient::new("127.0.0.1", port);
    let ping = tokio::time::timeout(Duration::from_secs(10), client.get("/ping"))
        .await
        .expect("/ping answers while stderr is stuck");
    assert_eq!(ping.status, 200);
    let metrics = tokio::time::timeout(Duration::from_secs(10), client.get("/metrics"))
        .await
        .expect("/metrics answers");
    let text = String::from_utf8_lossy(&metrics.body).into_owned();
    let dropped: u64 = text
        .lines()
        .find_map(|line| line.strip_prefix("klue_log_lines_dropped_total "))
        .expect("klue_log_lines_dropped_total in /metrics")
        .parse()
        .expect("a count");
    // At most ~1 MB buffered plus a pipe's worth written: most of the ~12 MB is dropped.
    assert!(
        dropped >= (REQUESTS / 2) as u64,
        "{dropped} lines dropped of {REQUESTS}"
    );

    // Read again: the writer catches up and says what it dropped; SIGTERM still exits 0.
    let reader = std::thread::spawn(move || {
        let mut logged = Vec::new();
        stderr.read_to_end(&mut logged).expect("stderr read");
        String::from_utf8_lossy(&logged).into_owned()
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    sigterm(&server);
    let status = server.wait().expect("helloworld exits");
    assert_eq!(status.code(), Some(0), "exit status");
    let logged = reader.join().expect("reader");
    assert!(
        logged.contains("log lines dropped"),
        "no report of the dropped lines in {} bytes of log",
        logged.len()
    );
    eprintln!("{dropped} of {REQUESTS} access lines dropped; /ping answered throughout");
}

/// Stopping with stderr still stuck: the final flush gives up instead of waiting forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stderr_nobody_reads_does_not_keep_the_process_from_exiting() {
    let (mut server, port) = start();
    let stderr = server.stderr.take().expect("stderr pipe");
    send_long_lines(port, 800).await;
    sigterm(&server);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = server.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "helloworld did not exit with its stderr stuck"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "exit status");
    drop(stderr);
}
