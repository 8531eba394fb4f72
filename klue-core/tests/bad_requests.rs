//! Requests hyper refuses before any service sees them (bad request line, target too long,
//! headers too large) and HTTP/1.1 requests without `Host` are answered with the envelope.

use std::net::SocketAddr;
use std::time::Duration;

use http::{Method, StatusCode};
use klue_core::{ApiInfo, ApiRouter, AuthMode, ErrorEnvelope, OperationSpec, Server, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

static INFO: ApiInfo = ApiInfo {
    name: "bad",
    title: "bad",
    version: "1",
    spec_json: "{}",
};

static EMPTY_400: OperationSpec = OperationSpec {
    id: "empty400",
    method: Method::GET,
    path: "/empty400",
    auth: AuthMode::None,
    body: None,
};

async fn start() -> SocketAddr {
    let mut router = ApiRouter::new(&INFO);
    // A handler's own bodiless 400 must reach the client as it is.
    router.operation(&EMPTY_400, |_request| async {
        let mut response = klue_core::empty_response(StatusCode::BAD_REQUEST);
        response.headers_mut().insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        );
        Ok(response)
    });
    let bound = Server::new(ServerConfig::default())
        .api(router)
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let addr = bound.local_addr().expect("address");
    tokio::spawn(bound.serve());
    addr
}

/// A response read off the wire: status line, lower-cased header lines, body.
struct Answer {
    status_line: String,
    headers: Vec<String>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
    }

    fn envelope(&self) -> ErrorEnvelope {
        serde_json::from_str(&self.body).expect("the body is an envelope")
    }
}

/// Sends `request` on a new connection and reads the answer until the server closes.
async fn exchange(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    // The server may answer before reading everything (and then close): ignore write errors.
    let _ = stream.write_all(request).await;
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut received))
        .await
        .expect("the server answers and closes")
        .expect("read");
    let text = String::from_utf8(received).expect("utf-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line").to_owned();
    Answer {
        status_line,
        headers: lines.map(str::to_ascii_lowercase).collect(),
        body: body.to_owned(),
    }
}

async fn assert_refused(request: &[u8], status: u16, code: &str) {
    let addr = start().await;
    let answer = exchange(addr, request).await;
    assert!(
        answer
            .status_line
            .starts_with(&format!("HTTP/1.1 {status} ")),
        "{}",
        answer.status_line
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("connection"), Some("close"));
    assert_eq!(
        answer.header("content-length"),
        Some(answer.body.len().to_string().as_str())
    );
    let envelope = answer.envelope();
    assert_eq!((envelope.status, envelope.error.as_str()), (status, code));
    let error_id = envelope.error_id.expect("an error_id");
    uuid::Uuid::parse_str(&error_id).expect("the error_id is a uuid");
}

#[tokio::test]
async fn a_bad_request_line_is_a_400_envelope() {
    assert_refused(
        b"GET\x01 / HTTP/1.1\r\nHost: t\r\n\r\n",
        400,
        "MALFORMED_REQUEST",
    )
    .await;
}

#[tokio::test]
async fn a_bad_header_is_a_400_envelope() {
    assert_refused(
        b"GET /ping HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n",
        400,
        "MALFORMED_REQUEST",
    )
    .await;
}

#[tokio::test]
async fn a_too_long_target_is_a_414_envelope() {
    let request = format!("GET /{} HTTP/1.1\r\nHost: t\r\n\r\n", "a".repeat(70_000));
    assert_refused(request.as_bytes(), 414, "URI_TOO_LONG").await;
}

/// Over hyper's 100 headers: the head is refused as too large once read whole (a head over
/// the size limit is refused before it is read whole, and the unread rest can make the
/// kernel reset the connection before the client reads the answer).
#[tokio::test]
async fn too_many_headers_are_a_431_envelope() {
    let headers: String = (0..200).map(|n| format!("X-H{n}: {n}\r\n")).collect();
    let request = format!("GET /ping HTTP/1.1\r\nHost: t\r\n{headers}\r\n");
    assert_refused(request.as_bytes(), 431, "HEADERS_TOO_LARGE").await;
}

#[tokio::test]
async fn http_1_1_without_host_is_a_400_envelope_and_http_1_0_is_served() {
    let addr = start().await;
    let answer = exchange(addr, b"GET /ping HTTP/1.1\r\nConnection: close\r\n\r\n").await;
    assert!(
        answer.status_line.starts_with("HTTP/1.1 400 "),
        "{}",
        answer.status_line
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let envelope = answer.envelope();
    assert_eq!(envelope.error, "HOST_HEADER_MISSING");
    assert!(envelope.error_id.is_some());

    let answer = exchange(addr, b"GET /ping HTTP/1.0\r\n\r\n").await;
    assert!(
        answer.status_line.starts_with("HTTP/1.0 200 "),
        "{}",
        answer.status_line
    );

    let answer = exchange(
        addr,
        b"GET /ping HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        answer.status_line.starts_with("HTTP/1.1 200 "),
        "{}",
        answer.status_line
    );
}

#[tokio::test]
async fn a_handlers_own_bodiless_400_is_left_alone() {
    let addr = start().await;
    let answer = exchange(
        addr,
        b"GET /empty400 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.status_line.starts_with("HTTP/1.1 400 "));
    assert!(answer.body.is_empty(), "{}", answer.body);
    assert!(answer.header("x-request-id").is_some());
}
