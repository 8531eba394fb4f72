//! SIGTERM under load: the helloworld process stops accepting, answers what it accepted in full,
//! and exits 0.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_answers_what_was_accepted_and_exits_0() {
    sigterm_under_load(64, 1_000).await;
}

/// 1,000 connections, each with a request in flight or about to be, when SIGTERM arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_1000_concurrent_requests_answers_each_accepted_one() {
    let in_flight_at_sigterm = sigterm_under_load(1_000, 3_000).await;
    assert!(
        in_flight_at_sigterm >= 500,
        "only {in_flight_at_sigterm} requests were in flight at SIGTERM"
    );
}

/// Runs `connections` clients sending back to back, sends SIGTERM once `before` requests
/// were answered, checks every answer and the exit status; returns how many requests were in
/// flight when SIGTERM was sent.
async fn sigterm_under_load(connections: usize, before: usize) -> usize {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .args(["--port", &port.to_string(), "--host", "127.0.0.1"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("helloworld starts");
    let url: http::Uri = format!("http://127.0.0.1:{port}/v1/greetings/Ada?times=3")
        .parse()
        .expect("uri");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "helloworld did not start");
        std::thread::sleep(Duration::from_millis(20));
    }

    // Keep-alive connections, each sending requests back to back until the server stops.
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let answered = Arc::new(AtomicUsize::new(0));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let stopping = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (client, url, answered, stopping, in_flight) = (
                client.clone(),
                url.clone(),
                answered.clone(),
                stopping.clone(),
                in_flight.clone(),
            );
            tokio::spawn(async move {
                loop {
                    in_flight.fetch_add(1, Ordering::SeqCst);
                    let sent = client.get(url.clone()).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    let response = match sent {
                        Ok(response) => response,
                        // Not accepted: the server had stopped taking requests. Only allowed
                        // once it was told to stop.
                        Err(err) => {
                            assert!(
                                stopping.load(Ordering::SeqCst),
                                "failed before SIGTERM: {err}"
                            );
                            return;
                        }
                    };
                    // An accepted request is answered, completely.
                    assert_eq!(response.status(), http::StatusCode::OK);
                    let body = response
                        .into_body()
                        .collect()
                        .await
                        .expect("complete body")
                        .to_bytes();
                    assert_eq!(
                        body,
                        Bytes::from_static(br#"{"message":"Hello, Ada! Hello, Ada! Hello, Ada!"}"#)
                    );
                    answered.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();

    let deadline = Instant::now() + Duration::from_secs(60);
    while answered.load(Ordering::SeqCst) < before {
        assert!(
            Instant::now() < deadline,
            "load did not reach {before} requests"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stopping.store(true, Ordering::SeqCst);
    let in_flight_at_sigterm = in_flight.load(Ordering::SeqCst);
    let kill = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());

    for worker in workers {
        worker
            .await
            .expect("no worker saw an incomplete or failed answer");
    }
    let exit_deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < exit_deadline,
            "helloworld did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "exit status {status:?}");
    let answered = answered.load(Ordering::SeqCst);
    assert!(answered >= before);
    eprintln!(
        "{connections} connections: {answered} requests answered, \
         {in_flight_at_sigterm} in flight at SIGTERM, exit status 0"
    );
    in_flight_at_sigterm
}
