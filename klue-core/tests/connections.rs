//! Idle connections are closed after the header-read timeout (silent ones, idle keep-alive
//! ones, idle h2c ones); a request in progress, however slow, is not cut.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use klue_core::{ApiInfo, ApiRouter, AuthMode, BodySpec, OperationSpec, Server, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The header-read (and idle) timeout of the servers here.
const TIMEOUT: Duration = Duration::from_millis(400);
/// How long the slow requests take: several idle periods.
const SLOW: Duration = Duration::from_millis(1_600);
/// Longest wait for anything expected to happen (guards against hanging).
const GUARD: Duration = Duration::from_secs(20);

static INFO: ApiInfo = ApiInfo {
    name: "conn",
    title: "conn",
    version: "1",
    spec_json: "{}",
};

static SLOW_ANSWER: OperationSpec = OperationSpec {
    id: "slow",
    method: Method::GET,
    path: "/slow",
    auth: AuthMode::None,
    body: None,
};

static BIG: OperationSpec = OperationSpec {
    id: "big",
    method: Method::GET,
    path: "/big",
    auth: AuthMode::None,
    body: None,
};

/// A response far larger than the socket buffers: its tail waits in the server for a slow
/// reader long after the handler answered.
const BIG_LEN: usize = 32 << 20;

static UPLOAD: OperationSpec = OperationSpec {
    id: "upload",
    method: Method::POST,
    path: "/upload",
    auth: AuthMode::None,
    body: Some(BodySpec {
        content_types: &["text/plain"],
        required: true,
        stream_types: &[],
    }),
};

async fn start() -> SocketAddr {
    let mut router = ApiRouter::new(&INFO);
    router.operation(&SLOW_ANSWER, |_request| async {
        tokio::time::sleep(SLOW).await;
        Ok(klue_core::json_response(
            StatusCode::OK,
            &serde_json::json!({"slow": true}),
        ))
    });
    router.operation(&BIG, |_request| async {
        Ok(http::Response::new(klue_core::Body::new(Bytes::from(
            vec![b'x'; BIG_LEN],
        ))))
    });
    router.operation(&UPLOAD, |request| async move {
        let received = request.body().len();
        Ok(klue_core::json_response(
            StatusCode::OK,
            &serde_json::json!({ "received": received }),
        ))
    });
    let config = ServerConfig {
        header_read_timeout: TIMEOUT,
        ..ServerConfig::default()
    };
    let bound = Server::new(config)
        .api(router)
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let addr = bound.local_addr().expect("address");
    tokio::spawn(bound.serve());
    addr
}

/// Reads until the server closes the connection; returns everything read.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    tokio::time::timeout(GUARD, stream.read_to_end(&mut received))
        .await
        .expect("the server closes the connection")
        .expect("read");
    received
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let addr = start().await;
    let mut silent = TcpStream::connect(addr).await.expect("connect");
    let opened = Instant::now();
    let received = read_until_closed(&mut silent).await;
    assert!(received.is_empty(), "nothing is answered to nothing");
    assert!(opened.elapsed() >= TIMEOUT, "closed before the timeout");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let addr = start().await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /ping HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .expect("write");
    let received = String::from_utf8(read_until_closed(&mut stream).await).expect("utf-8");
    assert!(received.starts_with("HTTP/1.1 200 OK\r\n"), "{received}");
    assert!(
        !received.to_ascii_lowercase().contains("connection: close"),
        "the response itself keeps the connection open: {received}"
    );
}

#[tokio::test]
async fn an_idle_h2c_connection_is_closed() {
    let addr = start().await;
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .expect("h2c handshake");
    let connection = tokio::spawn(connection);
    let request = http::Request::get(format!("http://{addr}/ping"))
        .body(Empty::<Bytes>::new())
        .expect("request");
    let response = sender.send_request(request).await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), http::Version::HTTP_2);
    response.into_body().collect().await.expect("body");
    tokio::time::timeout(GUARD, connection)
        .await
        .expect("the server closes the idle h2c connection")
        .expect("connection task")
        .ok();
    assert!(sender.is_closed());
}

#[tokio::test]
async fn slow_answers_on_http1_and_h2c_are_not_cut() {
    let addr = start().await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /slow HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let received = String::from_utf8(read_until_closed(&mut stream).await).expect("utf-8");
    assert!(received.starts_with("HTTP/1.1 200 OK\r\n"), "{received}");
    assert!(received.ends_with(r#"{"slow":true}"#), "{received}");

    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .expect("h2c handshake");
    tokio::spawn(connection);
    let request = http::Request::get(format!("http://{addr}/slow"))
        .body(Empty::<Bytes>::new())
        .expect("request");
    let response = sender.send_request(request).await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(body, Bytes::from_static(br#"{"slow":true}"#));
}

#[tokio::test]
async fn a_slow_upload_that_progresses_is_not_cut() {
    let addr = start().await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    const CHUNKS: usize = 8;
    stream
        .write_all(
            format!(
                "POST /upload HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n\
                 Content-Length: {CHUNKS}\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .expect("write head");
    // One byte every half period: the upload takes four idle periods.
    for _ in 0..CHUNKS {
        tokio::time::sleep(TIMEOUT / 2).await;
        stream.write_all(b"x").await.expect("write a byte");
    }
    let received = String::from_utf8(read_until_closed(&mut stream).await).expect("utf-8");
    assert!(received.starts_with("HTTP/1.1 200 OK\r\n"), "{received}");
    assert!(
        received.ends_with(&format!(r#"{{"received":{CHUNKS}}}"#)),
        "{received}"
    );
}

#[tokio::test]
async fn a_large_response_read_slowly_is_not_cut() {
    let addr = start().await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /big HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    // 1 MiB per quarter period: reading the whole answer takes eight periods.
    let mut received = 0;
    let mut chunk = vec![0; 1 << 20];
    let started = Instant::now();
    loop {
        let mut filled = 0;
        while filled < chunk.len() {
            let n = tokio::time::timeout(GUARD, stream.read(&mut chunk[filled..]))
                .await
                .expect("the server sends or closes")
                .expect("read");
            if n == 0 {
                break;
            }
            filled += n;
        }
        received += filled;
        if filled < chunk.len() {
            break;
        }
        tokio::time::sleep(TIMEOUT / 4).await;
    }
    assert!(
        received > BIG_LEN,
        "cut after {received} bytes in {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_client_that_stops_reading_is_closed() {
    let addr = start().await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /big HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    // Reads nothing for six periods: the answer stalls, the server gives up on it.
    tokio::time::sleep(TIMEOUT * 6).await;
    let received = read_until_closed(&mut stream).await;
    assert!(
        received.len() < BIG_LEN,
        "the whole answer waited for a client that did not read"
    );
}

/// h2c: the server hands the whole answer to h2 at once and h2 sends it as the client's flow
/// control window opens, without ever waiting on the socket.
#[tokio::test]
async fn a_large_h2c_response_read_slowly_is_not_cut() {
    let addr = start().await;
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
        .initial_stream_window_size(1 << 20)
        .initial_connection_window_size(1 << 20)
        .handshake(TokioIo::new(stream))
        .await
        .expect("h2c handshake");
    tokio::spawn(connection);
    let request = http::Request::get(format!("http://{addr}/big"))
        .body(Empty::<Bytes>::new())
        .expect("request");
    let response = sender.send_request(request).await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let (mut received, mut since_pause) = (0, 0);
    // About 1 MiB (one window) per quarter period: eight periods for the whole answer.
    while let Some(frame) = tokio::time::timeout(GUARD, body.frame())
        .await
        .expect("the server sends or closes")
    {
        let Ok(data) = frame.expect("not cut").into_data() else {
            continue;
        };
        received += data.len();
        since_pause += data.len();
        if since_pause >= 1 << 20 {
            since_pause = 0;
            tokio::time::sleep(TIMEOUT / 4).await;
        }
    }
    assert_eq!(received, BIG_LEN);
}
