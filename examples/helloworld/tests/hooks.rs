//! Hooks (tower layers on the whole service and on one operation) and error reporting (the
//! webhook reporter and a service-defined reporter) over real HTTP.

mod common;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use klue_core::hooks::OperationService;
use klue_core::report::{Report, ReportFuture, ReportKind, Reporter};
use klue_core::{ApiError, Claims, Server, ServerConfig};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tower::ServiceExt;

/// Adds `x-served-by: klue` to every response.
fn served_by(
) -> tower::util::MapResponseLayer<fn(Response<klue_core::Body>) -> Response<klue_core::Body>> {
    tower::util::MapResponseLayer::new(|mut response: Response<klue_core::Body>| {
        response
            .headers_mut()
            .insert("x-served-by", HeaderValue::from_static("klue"));
        response
    })
}

/// Lets through only callers whose token carries `role: admin`.
fn admins_only(inner: OperationService) -> OperationService {
    OperationService::new(tower::service_fn(move |request: Request<Incoming>| {
        let inner = inner.clone();
        async move {
            let admin = request
                .extensions()
                .get::<Claims>()
                .and_then(|claims| claims.get("role"))
                .is_some_and(|role| role == "admin");
            if !admin {
                let refused = ApiError::new(
                    StatusCode::FORBIDDEN,
                    "NOT_AN_ADMIN",
                    "Only admins may call this operation",
                );
                return Ok::<_, Infallible>(refused.into_response());
            }
            inner.oneshot(request).await
        }
    }))
}

#[tokio::test]
async fn layers_wrap_the_service_and_single_operations() {
    let router = common::hello().layer_operation("whoami", tower::layer::layer_fn(admins_only));
    let server = Server::new(common::config()).api(router).layer(served_by());
    let (client, _) = common::serve(server).await;

    // The service-wide layer: every operation, built-ins included.
    for path in ["/v1/hello", "/ping", "/metrics"] {
        let response = client.get(path).await;
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.headers["x-served-by"], "klue", "{path}");
    }

    // The operation layer sees the verified claims.
    let user = common::mint("user-1", json!({"role": "reader"}));
    let refused = client.get_auth("/v1/me", &user).await;
    refused.assert_error(403, "NOT_AN_ADMIN");
    assert_eq!(refused.headers["x-served-by"], "klue");
    let admin = common::mint("admin-1", json!({"role": "admin"}));
    let greeted = client.get_auth("/v1/me", &admin).await.assert_json(200);
    assert_eq!(greeted["user_id"], "admin-1");
    // Authentication still comes first; other operations are untouched.
    client
        .get("/v1/me")
        .await
        .assert_error(401, "AUTHORIZATION_HEADER_MISSING");
    client.get_auth("/v1/hello", &user).await.assert_json(200);
}

#[test]
fn a_layer_on_an_unknown_operation_fails_the_build() {
    let router = common::hello().layer_operation("no_such_op", tower::layer::layer_fn(admins_only));
    let err = Server::new(common::config())
        .api(router)
        .build()
        .expect_err("unknown operation");
    assert!(err.to_string().contains("no_such_op"), "{err}");
}

/// Fails `greet` the way a broken database would.
fn database_down(_inner: OperationService) -> OperationService {
    OperationService::new(tower::service_fn(|_request: Request<Incoming>| async {
        let cause = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "db connection reset");
        Ok::<_, Infallible>(ApiError::internal(cause).into_response())
    }))
}

/// A webhook receiver on 127.0.0.1: every POSTed JSON body goes to the channel.
async fn webhook_receiver() -> (String, mpsc::UnboundedReceiver<Value>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let url = format!(
        "http://{}/hooks/klue",
        listener.local_addr().expect("address")
    );
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let sender = sender.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                    let sender = sender.clone();
                    async move {
                        let body = request.into_body().collect().await?.to_bytes();
                        let _ = sender.send(serde_json::from_slice(&body).unwrap_or(Value::Null));
                        Ok::<_, hyper::Error>(Response::new(Full::new(Bytes::from_static(b"ok"))))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (url, receiver)
}

#[tokio::test]
async fn the_webhook_receives_a_5xx_report_with_the_error_id_the_client_got() {
    let (url, mut received) = webhook_receiver().await;
    let config = ServerConfig {
        report_webhook: Some(url.into()),
        ..common::config()
    };
    let router = common::hello().layer_operation("greet", tower::layer::layer_fn(database_down));
    let (client, _) = common::serve(Server::new(config).api(router)).await;

    let failed = client.get("/v1/greetings/Ada").await;
    let envelope = failed.assert_error(500, "SERVER_ERROR");
    assert!(!String::from_utf8_lossy(&failed.body).contains("db connection reset"));
    let report = tokio::time::timeout(Duration::from_secs(10), received.recv())
        .await
        .expect("a report within 10 s")
        .expect("a report");
    assert_eq!(report["kind"], "server_error");
    assert_eq!(report["error_id"].as_str(), envelope.error_id.as_deref());
    assert_eq!(report["status"], 500);
    assert_eq!(report["route"], "/v1/greetings/{name}");
    assert_eq!(report["operation"], "greet");
    assert_eq!(report["service"], "helloworld");
    assert_eq!(
        report["request_id"].as_str(),
        failed.headers["x-request-id"].to_str().ok()
    );
    assert!(report["error_chain"]
        .as_str()
        .is_some_and(|chain| chain.contains("db connection reset")));
    let text = report["text"]
        .as_str()
        .expect("a Slack-compatible text field");
    assert!(
        text.contains(envelope.error_id.as_deref().expect("error_id")),
        "{text}"
    );

    // A 4xx is not reported.
    client
        .get("/v1/hello?name=")
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), received.recv())
            .await
            .is_err(),
        "no report for a 4xx"
    );
}

/// Keeps every report.
#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<Report>>>);

impl Reporter for Collect {
    fn report<'a>(&'a self, report: &'a Report) -> ReportFuture<'a> {
        self.0.lock().expect("lock").push(report.clone());
        Box::pin(std::future::ready(()))
    }
}

#[tokio::test]
async fn slow_calls_are_reported_by_operation_threshold_and_a_dead_webhook_fails_nothing() {
    let collected = Collect::default();
    let config = ServerConfig {
        // Nothing listens there: delivering fails, requests do not.
        report_webhook: Some("http://127.0.0.1:9/unreachable".into()),
        ..common::config()
    };
    let server = Server::new(config)
        .api(common::hello())
        .reporter(collected.clone())
        .slow_call_threshold("greet", Duration::ZERO);
    let (client, _) = common::serve(server).await;
    let token = common::mint("user-9", json!({}));
    client.get_auth("/v1/hello", &token).await.assert_json(200);
    let slow = client.get("/v1/greetings/Ada").await;
    assert_eq!(slow.status, 200);

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let report = loop {
        if let Some(report) = collected.0.lock().expect("lock").first().cloned() {
            break report;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no slow-call report"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(report.kind, ReportKind::SlowCall);
    assert_eq!(report.operation, "greet");
    assert_eq!(report.threshold_ms, Some(0.0));
    assert_eq!(report.error_id, None);
    assert_eq!(
        report.request_id,
        slow.headers["x-request-id"].to_str().expect("id")
    );
    // say_hello stayed under the default 1 s threshold.
    assert_eq!(collected.0.lock().expect("lock").len(), 1);
}

#[test]
fn a_threshold_for_an_unknown_operation_fails_the_build() {
    let err = Server::new(common::config())
        .api(common::hello())
        .slow_call_threshold("nope", Duration::from_millis(5))
        .build()
        .expect_err("unknown operation");
    assert!(err.to_string().contains("nope"), "{err}");
}
