//! SIGTERM under keep-alive load, the way `wrk -c64` drives a server: every request a client
//! sent on an open connection is answered, each connection ends after a response carrying
//! `Connection: close`, and an idle HTTP/2 connection does not hold the exit back.

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const REQUEST: &[u8] = b"GET /v1/greetings/Ada?times=3 HTTP/1.1\r\nhost: localhost\r\n\r\n";
const BODY: &[u8] = br#"{"message":"Hello, Ada! Hello, Ada! Hello, Ada!"}"#;

fn start() -> (Child, u16) {
    let port = common::free_port();
    let server = Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .args(["--port", &port.to_string(), "--host", "127.0.0.1"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("helloworld starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "helloworld did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (server, port)
}

fn sigterm(server: &Child) {
    let kill = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
}

/// Waits for the process to exit, at most `limit`; returns its exit code.
fn wait_exit(server: &mut Child, limit: Duration) -> Option<i32> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = server.try_wait().expect("wait") {
            return status.code();
        }
        assert!(Instant::now() < deadline, "no exit within {limit:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// One response read off a keep-alive connection.
enum Read {
    /// A complete 200 with the expected body; whether it said `Connection: close`.
    Answered { close: bool },
    /// The connection ended (EOF or reset) before a complete response.
    Cut(String),
}

async fn read_response(reader: &mut BufReader<TcpStream>) -> Read {
    let mut head = Vec::new();
    loop {
        let start = head.len();
        match reader.read_until(b'\n', &mut head).await {
            Ok(0) => return Read::Cut("EOF before a response".into()),
            Ok(_) if &head[start..] == b"\r\n" => break,
            Ok(_) => {}
            Err(err) => return Read::Cut(err.to_string()),
        }
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200 "), "{head}");
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .expect("content-length")
        .trim()
        .parse()
        .expect("a length");
    let mut body = vec![0; length];
    if let Err(err) = reader.read_exact(&mut body).await {
        return Read::Cut(format!("body cut: {err}"));
    }
    assert_eq!(body, BODY);
    Read::Answered {
        close: head.lines().any(|line| line == "connection: close"),
    }
}

#[derive(Default)]
struct Tally {
    answered: AtomicUsize,
    /// A request written and no complete response read: what `wrk` counts as a read error.
    cut: AtomicUsize,
    /// Connections that ended after a `Connection: close` response and then EOF.
    closed_cleanly: AtomicUsize,
    /// Connections that ended some other way (no `Connection: close`, or data after it).
    closed_otherwise: AtomicUsize,
}

/// Sends requests back to back on keep-alive connections, reconnecting after a
/// `Connection: close`, until a connection is refused (the listener is closed).
async fn keep_sending(port: u16, tally: Arc<Tally>, stopping: Arc<AtomicBool>) {
    loop {
        let Ok(stream) = TcpStream::connect(("127.0.0.1", port)).await else {
            assert!(
                stopping.load(Ordering::SeqCst),
                "connect refused before SIGTERM"
            );
            return;
        };
        let _ = stream.set_nodelay(true);
        let mut reader = BufReader::new(stream);
        loop {
            if let Err(err) = reader.get_mut().write_all(REQUEST).await {
                tally.cut.fetch_add(1, Ordering::SeqCst);
                eprintln!("write failed: {err}");
                return;
            }
            match read_response(&mut reader).await {
                Read::Cut(why) => {
                    tally.cut.fetch_add(1, Ordering::SeqCst);
                    eprintln!("request sent, no response: {why}");
                    return;
                }
                Read::Answered { close: false } => {
                    tally.answered.fetch_add(1, Ordering::SeqCst);
                }
                Read::Answered { close: true } => {
                    tally.answered.fetch_add(1, Ordering::SeqCst);
                    let mut rest = Vec::new();
                    match reader.read_to_end(&mut rest).await {
                        Ok(0) => tally.closed_cleanly.fetch_add(1, Ordering::SeqCst),
                        _ => tally.closed_otherwise.fetch_add(1, Ordering::SeqCst),
                    };
                    break;
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_keep_alive_load_answers_every_request_sent() {
    const CONNECTIONS: usize = 64;
    let (mut server, port) = start();
    let tally = Arc::new(Tally::default());
    let stopping = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|_| tokio::spawn(keep_sending(port, tally.clone(), stopping.clone())))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while tally.answered.load(Ordering::SeqCst) < 5_000 {
        assert!(
            Instant::now() < deadline,
            "load did not reach 5000 requests"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stopping.store(true, Ordering::SeqCst);
    sigterm(&server);
    for client in clients {
        tokio::time::timeout(Duration::from_secs(30), client)
            .await
            .expect("every client ends")
            .expect("client task");
    }
    assert_eq!(wait_exit(&mut server, Duration::from_secs(10)), Some(0));
    let (answered, cut) = (
        tally.answered.load(Ordering::SeqCst),
        tally.cut.load(Ordering::SeqCst),
    );
    let closed_cleanly = tally.closed_cleanly.load(Ordering::SeqCst);
    eprintln!(
        "{CONNECTIONS} connections: {answered} answered, {cut} cut, \
         {closed_cleanly} closed after Connection: close"
    );
    assert_eq!(cut, 0, "requests sent and not answered (wrk's read errors)");
    assert_eq!(tally.closed_otherwise.load(Ordering::SeqCst), 0);
    assert!(
        closed_cleanly >= CONNECTIONS,
        "each connection open at SIGTERM ends after a Connection: close response: \
         {closed_cleanly} of {CONNECTIONS}"
    );
}

/// An h2c connection left idle after a request: SIGTERM sends GOAWAY and the process exits
/// at once, not at the end of the 30 s shutdown timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_h2c_connection_does_not_delay_the_exit() {
    let (mut server, port) = start();
    let stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let (mut sender, connection) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .expect("h2c handshake");
    let connection = tokio::spawn(connection);
    let request = http::Request::get(format!("http://127.0.0.1:{port}/v1/greetings/Ada?times=3"))
        .body(Empty::<Bytes>::new())
        .expect("request");
    let response = sender.send_request(request).await.expect("h2 response");
    assert_eq!(response.version(), http::Version::HTTP_2);
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(body, BODY);

    let started = Instant::now();
    sigterm(&server);
    // Far below the default 30 s shutdown timeout: the idle connection is closed within about
    // a second.
    assert_eq!(wait_exit(&mut server, Duration::from_secs(10)), Some(0));
    let took = started.elapsed();
    eprintln!("exit {took:?} after SIGTERM with an idle h2c connection");
    let _ = tokio::time::timeout(Duration::from_secs(5), connection).await;
}

/// An h2c connection whose client sent the preface and its settings, then reads nothing (so
/// never answers the PING of hyper's graceful shutdown): closed within about a second too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_h2c_connection_that_never_answers_does_not_delay_the_exit() {
    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    const EMPTY_SETTINGS: [u8; 9] = [0, 0, 0, 4, 0, 0, 0, 0, 0];
    let (mut server, port) = start();
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    stream.write_all(PREFACE).await.expect("preface");
    stream.write_all(&EMPTY_SETTINGS).await.expect("settings");
    // Let the server read the preface and take the connection as HTTP/2.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    sigterm(&server);
    assert_eq!(wait_exit(&mut server, Duration::from_secs(10)), Some(0));
    let took = started.elapsed();
    eprintln!("exit {took:?} after SIGTERM with a silent h2c connection");
    drop(stream);
}
