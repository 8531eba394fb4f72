//! The client runtime against real loopback servers: hand-written TCP servers that misbehave on
//! cue (503, stall, drop) and klue servers (error envelopes, header forwarding in handlers).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::{HeaderValue, Method, StatusCode};
use klue_core::client::{
    decode_json, encode_json, error_from_response, CallContext, ClientConfig, ClientError,
    ClientRequest, HttpClient,
};
use klue_core::validate::{ObjectRules, Property, Schema, StringRules, Validate, Violations};
use klue_core::{
    json_response, ApiError, ApiInfo, ApiRouter, AuthMode, OperationRequest, OperationSpec, Server,
    ServerConfig,
};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// ---------------------------------------------------------------------------------------------
// Hand-written servers

/// What a hand-written server does with the n-th request it reads (1-based).
enum Reply {
    /// Writes this raw HTTP/1.1 response.
    Send(String),
    /// Keeps the connection open and never answers.
    Stall,
    /// Closes the connection without answering.
    Drop,
}

fn respond(status: &str, body: &str) -> Reply {
    Reply::Send(format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    ))
}

/// Serves on a fresh loopback port; returns its base URL and the count of requests read.
async fn raw_server(
    reply: impl Fn(usize, &str) -> Reply + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let reply = Arc::new(reply);
    let counter = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let (count, reply) = (counter.clone(), reply.clone());
            tokio::spawn(async move {
                // Keep-alive: a pooled connection carries the next request.
                while let Some(request) = read_request(&mut stream).await {
                    let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                    match reply(n, &request) {
                        Reply::Send(response) => {
                            if stream.write_all(response.as_bytes()).await.is_err() {
                                return;
                            }
                        }
                        Reply::Stall => std::future::pending::<()>().await,
                        Reply::Drop => return,
                    }
                }
            });
        }
    });
    (base, count)
}

/// Reads one request (head and `content-length` body); `None` at end of stream.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = find(&data, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .map_or(0, |value| value.trim().parse().unwrap());
            if data.len() >= end + 4 + length {
                return Some(String::from_utf8_lossy(&data).into_owned());
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&chunk[..n]),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A loopback port with nothing listening on it.
async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// A client with a short backoff so that the tests stay fast; the read timeout is long enough
/// for a loaded machine, and short only in the test of timeouts.
fn client(base: &str, configure: impl FnOnce(&mut ClientConfig)) -> HttpClient {
    let mut config = ClientConfig::new(base);
    config.connect_timeout = Duration::from_millis(500);
    config.read_timeout = Duration::from_secs(2);
    config.retry_backoff = Duration::from_millis(10);
    configure(&mut config);
    HttpClient::new(config).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Retries

#[tokio::test]
async fn get_is_retried_after_a_503_and_gets_the_200() {
    let (base, count) = raw_server(|n, _| {
        if n == 1 {
            respond("503 Service Unavailable", "")
        } else {
            respond("200 OK", r#"{"ok":true}"#)
        }
    })
    .await;
    let response = client(&base, |_| {})
        .execute(ClientRequest::new(Method::GET, "/thing"))
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(&response.body[..], br#"{"ok":true}"#);
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn get_gives_up_after_max_attempts_and_returns_the_last_503() {
    let (base, count) = raw_server(|_, _| respond("503 Service Unavailable", "")).await;
    let response = client(&base, |_| {})
        .execute(ClientRequest::new(Method::GET, "/thing"))
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn post_is_not_retried_after_a_503() {
    let envelope = r#"{"status":503,"error":"UNAVAILABLE","error_description":"down for maintenance","error_id":"id-503"}"#;
    let (base, count) = raw_server(move |_, _| respond("503 Service Unavailable", envelope)).await;
    let mut request = ClientRequest::new(Method::POST, "/items");
    request.body = Some(r#"{"name":"x"}"#.into());
    let response = client(&base, |_| {}).execute(request).await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);
    let err = error_from_response(response);
    assert!(matches!(err, ClientError::Api { .. }), "{err:?}");
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(err.code(), Some("UNAVAILABLE"));
    assert_eq!(err.error_id(), Some("id-503"));
}

#[tokio::test]
async fn patch_is_not_retried_after_a_503_either() {
    let (base, count) = raw_server(|_, _| respond("503 Service Unavailable", "busy")).await;
    let response = client(&base, |_| {})
        .execute(ClientRequest::new(Method::PATCH, "/items/1"))
        .await
        .unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);
    let err = error_from_response(response);
    assert!(
        matches!(&err, ClientError::UnexpectedStatus { status, body } if *status == 503 && body == "busy"),
        "{err:?}"
    );
}

#[tokio::test]
async fn connect_refused_is_retried_for_post_up_to_max_attempts() {
    let base = closed_port_url().await;
    let http = client(&base, |config| {
        config.retry_backoff = Duration::from_millis(40);
    });
    let started = Instant::now();
    let err = http
        .execute(ClientRequest::new(Method::POST, "/items"))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(&err, ClientError::Connect { attempts: 3, url, .. } if url == &format!("{base}/items")),
        "{err:?}"
    );
    // Two waits between three attempts: 40 ms then 80 ms.
    assert!(elapsed >= Duration::from_millis(120), "{elapsed:?}");
    assert!(err.to_string().contains("refused"), "{err}");

    let once = client(&base, |config| config.max_attempts = 1);
    let err = once
        .execute(ClientRequest::new(Method::GET, "/items"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Connect { attempts: 1, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_stalling_server_times_out_post_once_and_get_max_attempts_times() {
    let (base, count) = raw_server(|_, _| Reply::Stall).await;
    let http = client(&base, |config| {
        config.read_timeout = Duration::from_millis(150)
    });

    let started = Instant::now();
    let err = http
        .execute(ClientRequest::new(Method::POST, "/items"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Timeout { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(count.load(Ordering::SeqCst), 1);

    let err = http
        .execute(ClientRequest::new(Method::GET, "/items"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Timeout { attempts: 3, .. }),
        "{err:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1 + 3);
}

#[tokio::test]
async fn a_connection_dropped_after_the_request_is_not_retried_for_post() {
    let (base, count) = raw_server(|_, _| Reply::Drop).await;
    let http = client(&base, |_| {});
    let mut request = ClientRequest::new(Method::POST, "/items");
    request.body = Some(r#"{"name":"x"}"#.into());
    let err = http.execute(request).await.unwrap_err();
    assert!(matches!(err, ClientError::Transport { .. }), "{err:?}");
    assert_eq!(count.load(Ordering::SeqCst), 1);

    // The same failure on an idempotent method is retried.
    let err = http
        .execute(ClientRequest::new(Method::PUT, "/items/1"))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Transport { .. }), "{err:?}");
    assert_eq!(count.load(Ordering::SeqCst), 1 + 3);
}

#[tokio::test]
async fn https_to_a_server_that_speaks_no_tls_is_a_connect_error() {
    // The server closes at once: the TLS handshake fails before anything is sent, so even a
    // POST is retried.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    let http = client(&format!("https://127.0.0.1:{port}"), |_| {});
    let err = http
        .execute(ClientRequest::new(Method::POST, "/items"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Connect { attempts: 3, .. }),
        "{err:?}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
}

// ---------------------------------------------------------------------------------------------
// Requests as sent

#[tokio::test]
async fn requests_go_under_the_base_path_with_json_headers() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let (base, _) = raw_server(move |_, request| {
        log.lock().unwrap().push(request.to_owned());
        respond("200 OK", "{}")
    })
    .await;
    let http = client(&format!("{base}/api/"), |_| {});
    let mut post = ClientRequest::new(Method::POST, "/v1/items?dry_run=true");
    post.body = Some(r#"{"name":"x"}"#.into());
    post.bearer = Some("secret-token".to_owned());
    http.execute(post).await.unwrap();
    http.execute(ClientRequest::new(Method::GET, "/v1/items/a%20b"))
        .await
        .unwrap();

    let seen = seen.lock().unwrap();
    let post = seen[0].to_lowercase();
    assert!(
        post.starts_with("post /api/v1/items?dry_run=true http/1.1\r\n"),
        "{post}"
    );
    assert!(
        post.contains("\r\ncontent-type: application/json\r\n"),
        "{post}"
    );
    assert!(post.contains("\r\naccept: application/json\r\n"), "{post}");
    assert!(
        post.contains("\r\nauthorization: bearer secret-token\r\n"),
        "{post}"
    );
    assert!(post.ends_with(r#"{"name":"x"}"#), "{post}");
    let get = seen[1].to_lowercase();
    assert!(
        get.starts_with("get /api/v1/items/a%20b http/1.1\r\n"),
        "{get}"
    );
    assert!(!get.contains("content-type"), "{get}");
    assert!(!get.contains("authorization"), "{get}");
}

#[tokio::test]
async fn bad_configurations_and_targets_are_refused_before_sending() {
    for base in ["ftp://h", "localhost:8080", "http://h?x=1", "not a url"] {
        let err = HttpClient::new(ClientConfig::new(base)).unwrap_err();
        assert!(
            matches!(err, ClientError::InvalidConfig(_)),
            "{base}: {err:?}"
        );
    }
    let mut zero = ClientConfig::new("http://127.0.0.1:1");
    zero.max_attempts = 0;
    assert!(matches!(
        HttpClient::new(zero),
        Err(ClientError::InvalidConfig(_))
    ));

    let http = client(&closed_port_url().await, |_| {});
    let err = http
        .execute(ClientRequest::new(Method::GET, "no-slash"))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::InvalidRequest(_)), "{err:?}");
    let mut request = ClientRequest::new(Method::GET, "/x");
    request.bearer = Some("line\nbreak".to_owned());
    let err = http.execute(request).await.unwrap_err();
    assert!(matches!(err, ClientError::InvalidRequest(_)), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// JSON bodies

static NAME: Schema = Schema::String(StringRules {
    min_length: Some(1),
    max_length: Some(5),
    pattern: None,
    enum_values: &[],
    format: None,
});
static ITEM: Schema = Schema::Object(ObjectRules {
    properties: &[Property {
        name: "name",
        required: true,
        schema: &NAME,
    }],
    additional: None,
    min_properties: None,
    max_properties: None,
});

/// What the generator emits for `{name: string, minLength 1, maxLength 5}`, by hand.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Item {
    name: String,
}

impl Validate for Item {
    fn validate(&self, _schema: &'static Schema, v: &mut Violations) {
        v.field("name", &self.name, &NAME);
    }
}

fn ok_response(body: &str) -> klue_core::client::ClientResponse {
    klue_core::client::ClientResponse {
        status: StatusCode::OK,
        headers: http::HeaderMap::new(),
        body: body.to_owned().into(),
    }
}

#[test]
fn request_bodies_are_checked_before_encoding() {
    let good = encode_json(&Item { name: "ab".into() }, &ITEM, true).unwrap();
    assert_eq!(&good[..], br#"{"name":"ab"}"#);
    let bad = Item {
        name: "toolong".into(),
    };
    match encode_json(&bad, &ITEM, true) {
        Err(ClientError::InvalidRequest(violations)) => {
            assert_eq!(violations.len(), 1);
            assert_eq!(violations[0].pointer, "/name");
        }
        other => panic!("{other:?}"),
    }
    assert!(encode_json(&bad, &ITEM, false).is_ok());
}

#[test]
fn response_bodies_are_decoded_and_checked() {
    let item: Item = decode_json(&ok_response(r#"{"name":"ab"}"#), &ITEM, true).unwrap();
    assert_eq!(item.name, "ab");

    match decode_json::<Item>(&ok_response(r#"{"name":""}"#), &ITEM, true) {
        Err(ClientError::InvalidResponse {
            status, violations, ..
        }) => {
            assert_eq!(status, StatusCode::OK);
            assert_eq!(violations[0].pointer, "/name");
        }
        other => panic!("{other:?}"),
    }
    assert!(decode_json::<Item>(&ok_response(r#"{"name":""}"#), &ITEM, false).is_ok());

    // Not a valid Item at all: serde's message, and every schema violation with its pointer.
    match decode_json::<Item>(&ok_response(r#"{"name":5}"#), &ITEM, true) {
        Err(ClientError::InvalidResponse {
            message,
            violations,
            ..
        }) => {
            assert!(message.contains("name"), "{message}");
            assert_eq!(violations.len(), 1);
            assert_eq!(violations[0].pointer, "/name");
            assert_eq!(violations[0].message, "expected string, got integer");
        }
        other => panic!("{other:?}"),
    }
    match decode_json::<Item>(&ok_response("<html>"), &ITEM, true) {
        Err(ClientError::InvalidResponse { violations, .. }) => assert!(violations.is_empty()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn error_bodies_become_api_errors_only_when_they_are_envelopes() {
    let mut response = ok_response(r#"{"error":"OLD_STYLE"}"#);
    response.status = StatusCode::BAD_REQUEST;
    let err = error_from_response(response);
    assert_eq!(err.code(), Some("OLD_STYLE"));
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    match &err {
        ClientError::Api { envelope, .. } => assert_eq!(envelope.status, 400),
        other => panic!("{other:?}"),
    }

    let mut response = ok_response(r#"{"message":"no"}"#);
    response.status = StatusCode::BAD_GATEWAY;
    let err = error_from_response(response);
    assert!(
        matches!(&err, ClientError::UnexpectedStatus { status, .. } if *status == 502),
        "{err:?}"
    );
    assert_eq!(err.error_id(), None);
}

// ---------------------------------------------------------------------------------------------
// Against klue servers

static INFO: ApiInfo = ApiInfo {
    name: "clienttest",
    title: "client test",
    version: "1.0.0",
    spec_json: "{}",
};

const fn op(id: &'static str, method: Method, path: &'static str) -> OperationSpec {
    OperationSpec {
        id,
        method,
        path,
        auth: AuthMode::None,
        body: None,
    }
}

static CONFLICT: OperationSpec = op("conflict", Method::POST, "/conflict");
static ECHO: OperationSpec = op("echo", Method::GET, "/echo");
static FORWARD: OperationSpec = op("forward", Method::GET, "/forward");
static FORWARD_OWN_TOKEN: OperationSpec = op("forwardOwnToken", Method::GET, "/forward/own");
static FORWARD_NO_AUTH: OperationSpec = op("forwardNoAuth", Method::GET, "/forward/noauth");

async fn serve(router: ApiRouter) -> SocketAddr {
    let bound = Server::new(ServerConfig::default())
        .api(router)
        .bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = bound.local_addr().unwrap();
    tokio::spawn(bound.serve());
    addr
}

fn header_text(request: &OperationRequest, name: &str) -> Value {
    request
        .parts()
        .headers
        .get(name)
        .map_or(Value::Null, |v| json!(v.to_str().unwrap()))
}

/// A klue server whose `/echo` answers the forwarded headers it received.
async fn echo_server() -> SocketAddr {
    let mut router = ApiRouter::new(&INFO);
    router.operation(&ECHO, |request| async move {
        Ok(json_response(
            StatusCode::OK,
            &json!({
                "authorization": header_text(&request, "authorization"),
                "call_id": header_text(&request, "x-call-id"),
                "call_path": header_text(&request, "x-call-path"),
            }),
        ))
    });
    serve(router).await
}

#[tokio::test]
async fn a_klue_error_envelope_becomes_an_api_error_with_the_servers_error_id() {
    let error_id = Arc::new(Mutex::new(None));
    let recorded = error_id.clone();
    let mut router = ApiRouter::new(&INFO);
    router.operation(&CONFLICT, move |_request| {
        let recorded = recorded.clone();
        async move {
            let err = ApiError::new(StatusCode::CONFLICT, "DUPLICATE_ITEM", "already there")
                .with_user_message("Pick another name");
            *recorded.lock().unwrap() = Some(err.error_id().to_string());
            Err(err)
        }
    });
    let addr = serve(router).await;
    let http = client(&format!("http://{addr}"), |_| {});

    let response = http
        .execute(ClientRequest::new(Method::POST, "/conflict"))
        .await
        .unwrap();
    let err = error_from_response(response);
    assert_eq!(err.status(), Some(StatusCode::CONFLICT));
    assert_eq!(err.code(), Some("DUPLICATE_ITEM"));
    assert_eq!(err.user_message(), Some("Pick another name"));
    let expected = error_id.lock().unwrap().clone().unwrap();
    assert_eq!(err.error_id(), Some(expected.as_str()));
    assert!(err.to_string().contains(&expected), "{err}");

    let response = http
        .execute(ClientRequest::new(Method::GET, "/nowhere"))
        .await
        .unwrap();
    let err = error_from_response(response);
    assert_eq!(err.code(), Some("ROUTE_NOT_FOUND"));
    assert!(err.error_id().is_some());
}

#[tokio::test]
async fn a_handler_forwards_auth_call_id_and_call_path() {
    let echo = echo_server().await;
    let downstream = |configure: fn(&mut ClientConfig)| {
        client(&format!("http://{echo}"), |config| {
            config.service_name = Some("front".to_owned());
            configure(config);
        })
    };
    let forwarding = downstream(|_| {});
    let not_forwarding = downstream(|config| config.forward_auth = false);

    let mut router = ApiRouter::new(&INFO);
    let relay = |http: HttpClient, bearer: Option<&'static str>| {
        move |_request: OperationRequest| {
            let http = http.clone();
            async move {
                let mut request = ClientRequest::new(Method::GET, "/echo");
                request.bearer = bearer.map(str::to_owned);
                let response = http.execute(request).await.map_err(ApiError::internal)?;
                let echoed: Value =
                    serde_json::from_slice(&response.body).map_err(ApiError::internal)?;
                Ok(json_response(StatusCode::OK, &echoed))
            }
        }
    };
    router.operation(&FORWARD, relay(forwarding.clone(), None));
    router.operation(&FORWARD_OWN_TOKEN, relay(forwarding, Some("own-token")));
    router.operation(&FORWARD_NO_AUTH, relay(not_forwarding, None));
    let front = serve(router).await;

    let caller = client(&format!("http://{front}"), |_| {});
    let call = |path: &'static str| {
        let caller = caller.clone();
        async move {
            let mut request = ClientRequest::new(Method::GET, path);
            request.bearer = Some("caller-token".to_owned());
            request
                .headers
                .insert("x-call-id", HeaderValue::from_static("call-1"));
            request
                .headers
                .insert("x-call-path", HeaderValue::from_static("/edge"));
            let response = caller.execute(request).await.unwrap();
            assert_eq!(response.status, StatusCode::OK);
            serde_json::from_slice::<Value>(&response.body).unwrap()
        }
    };

    assert_eq!(
        call("/forward").await,
        json!({"authorization": "Bearer caller-token", "call_id": "call-1", "call_path": "/edge/front"})
    );
    assert_eq!(
        call("/forward/own").await["authorization"],
        "Bearer own-token"
    );
    assert_eq!(call("/forward/noauth").await["authorization"], Value::Null);
}

#[tokio::test]
async fn outside_a_handler_a_call_gets_a_fresh_call_id_and_no_auth() {
    let echo = echo_server().await;
    let base = format!("http://{echo}");
    let anonymous = client(&base, |_| {});
    let named = client(&base, |config| {
        config.service_name = Some("solo".to_owned())
    });
    let echoed = |http: HttpClient| async move {
        let response = http
            .execute(ClientRequest::new(Method::GET, "/echo"))
            .await
            .unwrap();
        serde_json::from_slice::<Value>(&response.body).unwrap()
    };

    let first = echoed(anonymous.clone()).await;
    let second = echoed(anonymous.clone()).await;
    let id = uuid::Uuid::parse_str(first["call_id"].as_str().unwrap()).unwrap();
    assert_eq!(id.get_version_num(), 4);
    assert_ne!(first["call_id"], second["call_id"]);
    assert_eq!(first["authorization"], Value::Null);
    assert_eq!(first["call_path"], Value::Null);
    assert_eq!(echoed(named.clone()).await["call_path"], "/solo");

    // Inside a request that came without a call id, every call shares the one minted for it.
    let (one, two, current) = CallContext::default()
        .scope(async {
            let one = echoed(anonymous.clone()).await;
            let two = echoed(anonymous.clone()).await;
            (one, two, CallContext::current().unwrap())
        })
        .await;
    assert_eq!(one["call_id"], two["call_id"]);
    assert_eq!(
        current.call_id.unwrap().to_str().unwrap(),
        one["call_id"].as_str().unwrap()
    );
    uuid::Uuid::parse_str(one["call_id"].as_str().unwrap()).unwrap();

    // A context set by hand (as for a task spawned by a handler) is honoured.
    let context = CallContext {
        authorization: Some(HeaderValue::from_static("Bearer ctx")),
        call_id: Some(HeaderValue::from_static("ctx-id")),
        call_path: Some(HeaderValue::from_static("/a")),
    };
    assert!(CallContext::current().is_none());
    let seen = context
        .clone()
        .scope(async {
            assert_eq!(CallContext::current().as_ref(), Some(&context));
            echoed(named).await
        })
        .await;
    assert_eq!(
        seen,
        json!({"authorization": "Bearer ctx", "call_id": "ctx-id", "call_path": "/a/solo"})
    );
}
