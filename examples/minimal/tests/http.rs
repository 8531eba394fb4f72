//! The minimal service over real HTTP: a server without klue-core's default features starts
//! and answers its built-ins, and `/docs` (the `docs` feature) is not served.

use std::net::SocketAddr;

use klue_core::{Server, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Starts the service on a free port of 127.0.0.1.
async fn start() -> SocketAddr {
    let server = Server::new(ServerConfig::default()).api(minimal::api::router(minimal::Minimal));
    let bound = server
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bound");
    let addr = bound.local_addr().expect("address");
    tokio::spawn(bound.serve());
    addr
}

/// GETs `path` over a fresh connection: the status line and the body.
async fn get(addr: SocketAddr, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connected");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("request sent");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("response read");
    let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    let status = head.lines().next().unwrap_or_default().to_owned();
    (status, body.to_owned())
}

#[tokio::test]
async fn ping_answers_over_http() {
    let addr = start().await;
    let (status, body) = get(addr, "/ping").await;
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    assert_eq!(body, "{}");
}

#[tokio::test]
async fn docs_is_not_served_but_the_spec_is() {
    if klue_core::FEATURES.contains(&"docs") {
        // `cargo test --workspace` unifies klue-core's features with the other members', which
        // serve /docs; .ci/run builds this crate alone (`-p minimal`), where this runs.
        eprintln!(
            "klue-core was built with `docs` (a workspace build): run `cargo test -p minimal`"
        );
        assert!(
            std::env::var_os("KLUE_MINIMAL_ALONE").is_none(),
            "built alone, yet with docs"
        );
        return;
    }
    let addr = start().await;
    let (status, body) = get(addr, "/docs").await;
    assert!(status.starts_with("HTTP/1.1 404"), "{status}: {body}");
    let (status, body) = get(addr, "/openapi.json").await;
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    assert!(
        !body.contains("\"/docs\""),
        "the served spec lists /docs: {body}"
    );
}

#[tokio::test]
async fn an_operation_without_an_implementation_answers_501() {
    let addr = start().await;
    let (status, body) = get(addr, "/v1/hello").await;
    assert!(status.starts_with("HTTP/1.1 501"), "{status}: {body}");
}
