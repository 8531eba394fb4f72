//! HTTP hygiene over real connections: CORS, compression, timeouts, keep-alive, h2c.

mod common;

use std::io::Read as _;
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use klue_core::config::CorsOrigins;
use klue_core::{ErrorEnvelope, Server, ServerConfig};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn cors_answers_preflights_for_allowed_origins_only() {
    let config = ServerConfig {
        cors: Some(CorsOrigins::List(vec!["https://app.example.com".into()])),
        ..common::config()
    };
    let (client, _) = common::serve(Server::new(config).api(common::hello())).await;
    let preflight = client
        .send(
            Method::OPTIONS,
            "/v1/messages",
            &[
                ("origin", "https://app.example.com"),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "authorization,content-type",
                ),
            ],
            None,
        )
        .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(
        preflight.headers["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert!(preflight
        .headers
        .contains_key("access-control-allow-methods"));

    let simple = client
        .send(
            Method::GET,
            "/v1/hello",
            &[("origin", "https://app.example.com")],
            None,
        )
        .await;
    assert_eq!(simple.status, 200);
    assert_eq!(
        simple.headers["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert_eq!(
        simple.headers["access-control-expose-headers"],
        "x-request-id"
    );

    let foreign = client
        .send(
            Method::GET,
            "/v1/hello",
            &[("origin", "https://evil.example.net")],
            None,
        )
        .await;
    assert!(!foreign.headers.contains_key("access-control-allow-origin"));

    // Without configuration, no CORS header at all.
    let (plain, _) = common::serve(Server::new(common::config()).api(common::hello())).await;
    let simple = plain
        .send(
            Method::GET,
            "/v1/hello",
            &[("origin", "https://app.example.com")],
            None,
        )
        .await;
    assert!(!simple.headers.contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn responses_are_compressed_as_negotiated() {
    let (client, _) = common::serve(Server::new(common::config()).api(common::hello())).await;
    let plain = client.get("/openapi.json").await;
    assert_eq!(plain.status, 200);
    assert!(!plain.headers.contains_key("content-encoding"));

    let gzip = client
        .send(
            Method::GET,
            "/openapi.json",
            &[("accept-encoding", "gzip")],
            None,
        )
        .await;
    assert_eq!(gzip.headers["content-encoding"], "gzip");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gzip.body[..])
        .read_to_end(&mut unzipped)
        .expect("valid gzip");
    assert_eq!(unzipped, plain.body);
    assert!(gzip.body.len() < plain.body.len());

    let br = client
        .send(
            Method::GET,
            "/openapi.json",
            &[("accept-encoding", "br;q=1, gzip;q=0.5")],
            None,
        )
        .await;
    assert_eq!(br.headers["content-encoding"], "br");
    assert!(br.body.len() < plain.body.len());

    let config = ServerConfig {
        compression: false,
        ..common::config()
    };
    let (off, _) = common::serve(Server::new(config).api(common::hello())).await;
    let gzip = off
        .send(
            Method::GET,
            "/openapi.json",
            &[("accept-encoding", "gzip")],
            None,
        )
        .await;
    assert!(!gzip.headers.contains_key("content-encoding"));
}

/// Makes every operation take `delay` before answering.
fn slow(
    delay: Duration,
) -> impl tower::Layer<
    klue_core::hooks::OperationService,
    Service = klue_core::hooks::OperationService,
> + Clone {
    tower::layer::layer_fn(move |inner: klue_core::hooks::OperationService| {
        klue_core::hooks::OperationService::new(tower::service_fn(move |request| {
            let inner = inner.clone();
            async move {
                tokio::time::sleep(delay).await;
                tower::ServiceExt::oneshot(inner, request).await
            }
        }))
    })
}

#[tokio::test]
async fn a_handler_past_the_request_timeout_gets_a_503_envelope() {
    let config = ServerConfig {
        request_timeout: Some(Duration::from_millis(100)),
        ..common::config()
    };
    let server = Server::new(config)
        .api(common::hello())
        .layer(slow(Duration::from_millis(400)));
    let (client, _) = common::serve(server).await;
    let envelope = client
        .get("/v1/hello")
        .await
        .assert_error(503, "SERVER_TIMEOUT");
    assert!(envelope.error_description.contains("100 ms"));
}

async fn raw_exchange(addr: std::net::SocketAddr, sent: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    stream.write_all(sent).await.expect("sends");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .expect("the server answers and closes within 5 s")
        .expect("reads");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_gets_a_408_envelope() {
    let config = ServerConfig {
        request_timeout: Some(Duration::from_millis(200)),
        ..common::config()
    };
    let (_, addr) = common::serve(Server::new(config).api(common::hello())).await;
    let token = common::mint("user-1", json!({}));
    let request = format!(
        "POST /v1/messages HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: 100\r\nconnection: close\r\n\r\n{{\"text\":"
    );
    let answer = raw_exchange(addr, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let body = &answer[answer.find("\r\n\r\n").expect("head ends") + 4..];
    let envelope: ErrorEnvelope = serde_json::from_str(body).expect("an envelope");
    assert_eq!(envelope.error, "REQUEST_TIMEOUT");
}

#[tokio::test]
async fn headers_that_do_not_arrive_in_time_close_the_connection() {
    let config = ServerConfig {
        header_read_timeout: Duration::from_millis(200),
        ..common::config()
    };
    let (_, addr) = common::serve(Server::new(config).api(common::hello())).await;
    // Closed by the server (the default timeout is 30 s; raw_exchange waits 5 s at most).
    let answer = raw_exchange(addr, b"GET /v1/hello HTTP/1.1\r\nhost: x\r\n").await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn keep_alive_can_be_turned_off() {
    let config = ServerConfig {
        keep_alive: false,
        ..common::config()
    };
    let (client, _) = common::serve(Server::new(config).api(common::hello())).await;
    let response = client.get("/v1/hello").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.headers["connection"], "close");

    let (client, _) = common::serve(Server::new(common::config()).api(common::hello())).await;
    assert!(!client
        .get("/v1/hello")
        .await
        .headers
        .contains_key("connection"));
}

#[tokio::test]
async fn http2_without_tls_is_served_next_to_http1() {
    let (_, addr) = common::serve(Server::new(common::config()).api(common::hello())).await;
    let h2 = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http::<Empty<Bytes>>();
    let uri: http::Uri = format!("http://{addr}/v1/greetings/Ada")
        .parse()
        .expect("uri");
    let response = h2.get(uri.clone()).await.expect("h2c answer");
    assert_eq!(response.version(), http::Version::HTTP_2);
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(&body[..], br#"{"message":"Hello, Ada!"}"#);

    let config = ServerConfig {
        http2: false,
        ..common::config()
    };
    let (_, addr) = common::serve(Server::new(config).api(common::hello())).await;
    let uri: http::Uri = format!("http://{addr}/v1/greetings/Ada")
        .parse()
        .expect("uri");
    assert!(h2.get(uri).await.is_err(), "HTTP/2 refused when turned off");
}
