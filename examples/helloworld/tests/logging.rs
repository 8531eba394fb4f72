//! The helloworld binary's logs: one structured line per request, JSON or text by
//! configuration, the access log switch, request ids, and no secrets.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use http::Method;
use serde_json::{json, Value};
use testaccept::TestClient;

fn start(envs: &[(&str, &str)]) -> (Child, TestClient) {
    let port = common::free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .args(["--port", &port.to_string(), "--host", "127.0.0.1"])
        .env_remove("RUST_LOG")
        .env_remove("KLUE_LOG")
        .env("KLUE_JWT_SECRET", common::SECRET)
        .envs(envs.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("helloworld starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "helloworld did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, TestClient::new("127.0.0.1", port))
}

/// Stops the server with SIGTERM and returns everything it logged.
fn stop(child: Child) -> String {
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let output = child.wait_with_output().expect("helloworld exits");
    assert_eq!(output.status.code(), Some(0), "exit status");
    String::from_utf8(output.stderr).expect("UTF-8 logs")
}

const COOKIE_SECRET: &str = "cookie-secret-d41d8cd98f00";
const QUERY_SECRET: &str = "query-secret-9e107d9d372b";
const API_KEY_SECRET: &str = "api-key-secret-e4d909c290d0";

#[tokio::test]
async fn json_access_lines_carry_the_request_and_no_secret() {
    let (child, client) = start(&[("KLUE_LOG_FORMAT", "json"), ("KLUE_LOG", "info")]);
    let token = common::mint("user-7", json!({}));
    let bearer = format!("Bearer {token}");

    let greeted = client
        .send(
            Method::GET,
            &format!("/v1/greetings/Ada?times=2&token={QUERY_SECRET}"),
            &[
                ("x-request-id", "req-given-by-the-caller"),
                ("cookie", &format!("session={COOKIE_SECRET}")),
                ("x-api-key", API_KEY_SECRET),
            ],
            None,
        )
        .await;
    assert_eq!(greeted.status, 200);
    assert_eq!(greeted.headers["x-request-id"], "req-given-by-the-caller");

    let me = client
        .send(Method::GET, "/v1/me", &[("authorization", &bearer)], None)
        .await;
    assert_eq!(me.status, 200);
    let generated = me.headers["x-request-id"]
        .to_str()
        .expect("ASCII id")
        .to_owned();
    assert!(generated.len() >= 16, "generated id '{generated}'");

    let missing = client.get("/v1/nowhere").await;
    let envelope = missing.assert_error(404, "ROUTE_NOT_FOUND");

    let logs = stop(child);
    for secret in [token.as_str(), COOKIE_SECRET, QUERY_SECRET, API_KEY_SECRET] {
        assert!(
            !logs.contains(secret),
            "a secret was logged: {secret}\n{logs}"
        );
    }
    let lines: Vec<Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let access: Vec<&Value> = lines
        .iter()
        .filter(|line| line["target"] == "klue::access")
        .collect();
    assert_eq!(access.len(), 3, "one line per request: {logs}");

    let greeted = access[0];
    assert_eq!(greeted["method"], "GET");
    assert_eq!(greeted["route"], "/v1/greetings/{name}");
    assert_eq!(greeted["operation"], "greet");
    assert_eq!(greeted["status"], 200);
    assert_eq!(greeted["request_id"], "req-given-by-the-caller");
    assert!(greeted["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    assert!(greeted.get("user_id").is_none());
    assert!(greeted.get("error_id").is_none());

    let me = access[1];
    assert_eq!(me["route"], "/v1/me");
    assert_eq!(me["user_id"], "user-7");
    assert_eq!(me["request_id"], generated.as_str());

    let missing = access[2];
    assert_eq!(missing["status"], 404);
    assert_eq!(missing["route"], "-");
    assert_eq!(missing["path"], "/v1/nowhere");
    assert_eq!(missing["error"], "ROUTE_NOT_FOUND");
    assert_eq!(
        missing["error_id"].as_str(),
        envelope.error_id.as_deref(),
        "the logged error_id is the one the client got"
    );
}

#[tokio::test]
async fn human_format_and_the_access_log_switch() {
    let (child, client) = start(&[("KLUE_LOG_FORMAT", "human")]);
    assert_eq!(client.get("/v1/hello").await.status, 200);
    let logs = stop(child);
    let line = logs
        .lines()
        .find(|line| line.contains("klue::access"))
        .unwrap_or_else(|| panic!("no access line: {logs}"));
    assert!(
        line.contains("route=\"/v1/hello\"") || line.contains("route=/v1/hello"),
        "{line}"
    );
    assert!(line.contains("status=200"), "{line}");
    assert!(
        serde_json::from_str::<Value>(line).is_err(),
        "not JSON: {line}"
    );

    let (child, client) = start(&[("KLUE_ACCESS_LOG", "false")]);
    assert_eq!(client.get("/v1/hello").await.status, 200);
    let logs = stop(child);
    assert!(logs.contains("listening on"), "other logs stay: {logs}");
    assert!(
        !logs.contains("klue::access"),
        "access log silenced: {logs}"
    );

    // Levels per module: the server's own lines can be turned down without the access log.
    let (child, client) = start(&[("KLUE_LOG", "warn,klue::access=info")]);
    assert_eq!(client.get("/v1/hello").await.status, 200);
    let logs = stop(child);
    assert!(!logs.contains("listening on"), "info silenced: {logs}");
    assert!(logs.contains("klue::access"), "access log kept: {logs}");
}

#[test]
fn a_malformed_setting_stops_start_up_naming_every_one() {
    let output = Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .args(["--port", "0", "--host", "127.0.0.1"])
        .env("KLUE_LOG_FORMAT", "xml")
        .env("KLUE_REQUEST_TIMEOUT", "soon")
        .output()
        .expect("helloworld runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("KLUE_LOG_FORMAT"), "{stderr}");
    assert!(stderr.contains("KLUE_REQUEST_TIMEOUT"), "{stderr}");
}
