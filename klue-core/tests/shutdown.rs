//! Graceful shutdown: requests in flight when the server is told to stop get their responses;
//! new connections are refused; the drain gives up after the shutdown timeout.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use klue_core::{ApiInfo, ApiRouter, AuthMode, OperationSpec, Server, ServerConfig};

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
    tokio::task::JoinHandle<bool>,
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
    let serving = tokio::spawn(bound.serve_until(async {
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
    assert!(
        serving.await.expect("server task"),
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
    let drained = serving.await.expect("server task");
    assert!(
        !drained,
        "a 30 s request cannot finish within a 200 ms drain"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    pending.abort();
}
