//! Graceful shutdown: requests in flight when the server is told to stop get their responses;
//! new connections are refused; the drain gives up after the shutdown timeout.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use klue_core::{
    ApiInfo, ApiRouter, AuthMode, OperationSpec, Server, ServerConfig, ShutdownReport,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

type Arrived = std::sync::Arc<std::sync::atomic::AtomicUsize>;

/// A router whose handler counts arrivals in `arrived`, then sleeps `delay`.
fn router(delay: Duration, arrived: Arrived) -> ApiRouter {
    let mut router = ApiRouter::new(&INFO);
    router.operation(&SLOW, move |_request| {
        let arrived = arrived.clone();
        async move {
            arrived.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::time::sleep(delay).await;
            Ok(klue_core::json_response(
                StatusCode::OK,
                &serde_json::json!({"done": true}),
            ))
        }
    });
    router
}

async fn start(
    delay: Duration,
    timeout: Duration,
    arrived: Arrived,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<ShutdownReport>,
) {
    let config = ServerConfig {
        shutdown_timeout: timeout,
        ..ServerConfig::default()
    };
    let bound = Server::new(config)
        .api(router(delay, arrived))
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let addr = bound.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(bound.serve_until_drained(async {
        let _ = stopped.await;
    }));
    (addr, stop, serving)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_requests_finish_after_shutdown_starts() {
    const REQUESTS: usize = 400;
    let arrived = Arrived::default();
    let (addr, stop, serving) = start(
        Duration::from_secs(1),
        Duration::from_secs(10),
        arrived.clone(),
    )
    .await;
    let client = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(0)
        .build_http::<Empty<Bytes>>();
    let url: http::Uri = format!("http://{addr}/slow").parse().expect("uri");
    let tasks: Vec<_> = (0..REQUESTS)
        .map(|_| {
            let client = client.clone();
            let url = url.clone();
            tokio::spawn(async move {
                let response = client.get(url).await.map_err(|e| e.to_string())?;
                let status = response.status();
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| e.to_string())?
                    .to_bytes();
                Ok::<_, String>((status, body))
            })
        })
        .collect();
    // Stop once every request is in its handler (which sleeps 1 s): all are in flight.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while arrived.load(std::sync::atomic::Ordering::SeqCst) < REQUESTS {
        assert!(
            std::time::Instant::now() < deadline,
            "requests did not all arrive"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.send(()).expect("stop");
    let mut answered = 0;
    for task in tasks {
        let (status, body) = task
            .await
            .expect("task")
            .expect("an accepted request is answered");
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, Bytes::from_static(br#"{"done":true}"#));
        answered += 1;
    }
    assert_eq!(answered, REQUESTS);
    assert_eq!(
        serving.await.expect("server task"),
        ShutdownReport {
            requests_dropped: 0,
            connections_cut: 0
        },
        "drain did not complete"
    );

    // Stopped: nothing listens any more.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn the_drain_gives_up_after_the_shutdown_timeout() {
    let (addr, stop, serving) = start(
        Duration::from_secs(30),
        Duration::from_millis(200),
        Arrived::default(),
    )
    .await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let url: http::Uri = format!("http://{addr}/slow").parse().expect("uri");
    let pending = tokio::spawn(async move { client.get(url).await.map(|r| r.status()) });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    stop.send(()).expect("stop");
    let report = serving.await.expect("server task");
    assert!(
        !report.is_clean(),
        "a 30 s request cannot finish within a 200 ms drain"
    );
    assert_eq!(report.requests_dropped, 1, "{report:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    pending.abort();
}

/// Reads one response off `stream` (it has a `content-length`); returns its head, lower-cased.
async fn read_response(stream: &mut tokio::net::TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0; 1024];
    loop {
        let text = String::from_utf8_lossy(&received).to_ascii_lowercase();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .map_or(0, |length| length.trim().parse().expect("a length"));
            if received.len() >= end + 4 + length {
                return text[..end].to_owned();
            }
        }
        let read = stream.read(&mut buffer).await.expect("read");
        assert!(read > 0, "EOF before a complete response");
        received.extend_from_slice(&buffer[..read]);
    }
}

/// A keep-alive connection idle when the drain starts still gets a request that was on its
/// way answered (with `Connection: close`, then EOF), instead of being closed under it.
#[tokio::test]
async fn a_request_arriving_on_an_idle_connection_while_draining_is_answered() {
    let (addr, stop, serving) = start(
        Duration::from_millis(10),
        Duration::from_secs(10),
        Arrived::default(),
    )
    .await;
    const REQUEST: &[u8] = b"GET /slow HTTP/1.1\r\nhost: localhost\r\n\r\n";
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(REQUEST).await.expect("first request");
    let head = read_response(&mut stream).await;
    assert!(head.starts_with("http/1.1 200 "), "{head}");
    assert!(!head.contains("connection: close"), "{head}");

    stop.send(()).expect("stop");
    // The next request leaves while the server has started to drain.
    tokio::time::sleep(Duration::from_millis(50)).await;
    stream.write_all(REQUEST).await.expect("second request");
    let head = read_response(&mut stream).await;
    assert!(head.starts_with("http/1.1 200 "), "{head}");
    assert!(head.contains("\r\nconnection: close"), "{head}");
    let mut rest = Vec::new();
    assert_eq!(stream.read_to_end(&mut rest).await.expect("EOF"), 0);
    assert!(serving.await.expect("server task").is_clean());
}

/// An HTTP/2 request in flight when the drain starts is answered on its connection (GOAWAY
/// stops new streams only).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_request_in_flight_is_answered_after_goaway() {
    let arrived = Arrived::default();
    let (addr, stop, serving) = start(
        Duration::from_millis(500),
        Duration::from_secs(10),
        arrived.clone(),
    )
    .await;
    let client = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http::<Empty<Bytes>>();
    let url: http::Uri = format!("http://{addr}/slow").parse().expect("uri");
    let pending = tokio::spawn(async move {
        let response = client.get(url).await.expect("answered");
        let version = response.version();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (version, body)
    });
    while arrived.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.send(()).expect("stop");
    let (version, body) = pending.await.expect("client task");
    assert_eq!(version, http::Version::HTTP_2);
    assert_eq!(body, Bytes::from_static(br#"{"done":true}"#));
    assert!(serving.await.expect("server task").is_clean());
}
