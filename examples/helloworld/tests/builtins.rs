//! The optional built-ins over real HTTP: `/metrics`, `/health`, `/openapi.json`,
//! `/openapi.yaml`, `/docs`, and turning them off.

mod common;

use std::time::Duration;

use klue_core::config::Builtins;
use klue_core::{Server, ServerConfig};
use serde_json::{json, Value};
use std::io::Write as _;
use std::process::{Command, Stdio};

/// One sample as the official Prometheus Python client's parser reads it.
#[derive(Debug, serde::Deserialize)]
struct Sample {
    name: String,
    kind: String,
    labels: std::collections::HashMap<String, String>,
    value: f64,
}

const PARSE: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append({"name": s.name, "kind": family.type, "labels": s.labels, "value": s.value})
print(json.dumps(out))
"#;

/// Makes sure `python3 -c 'import prometheus_client'` works: installs it with pip when missing.
fn ensure_prometheus_client() -> bool {
    let importable = || {
        Command::new("python3")
            .args(["-c", "import prometheus_client"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if importable() {
        return true;
    }
    let _ = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "prometheus_client"])
        .status();
    importable()
}

/// Parses `text` with prometheus_client's text-format parser (strict: a malformed line fails).
fn parse_with_prometheus_client(text: &str) -> Option<Vec<Sample>> {
    if !ensure_prometheus_client() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "python3 with prometheus_client is needed (pip install prometheus_client)"
        );
        eprintln!("SKIPPED: python3 with prometheus_client unavailable");
        return None;
    }
    let mut child = Command::new("python3")
        .args(["-c", PARSE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("metrics written");
    let output = child.wait_with_output().expect("parser ends");
    assert!(
        output.status.success(),
        "prometheus_client refused the metrics: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).expect("parser output"))
}

#[tokio::test]
async fn metrics_parse_and_count_per_operation_and_status_class() {
    let (client, _) = common::serve(Server::new(common::config()).api(common::hello())).await;
    for name in ["Ada", "Grace", "Linus"] {
        assert_eq!(
            client.get(&format!("/v1/greetings/{name}")).await.status,
            200
        );
    }
    assert_eq!(client.get("/v1/greetings/Ada?times=0").await.status, 400);
    assert_eq!(client.get("/v1/no/such/path").await.status, 404);

    let response = client.get("/metrics").await;
    assert_eq!(response.status, 200);
    assert!(response.headers["content-type"]
        .to_str()
        .expect("ASCII")
        .starts_with("text/plain; version=0.0.4"));
    let text = String::from_utf8(response.body.to_vec()).expect("UTF-8");
    // Route templates, never raw paths.
    for name in ["Ada", "Grace", "Linus", "/v1/no/such/path"] {
        assert!(
            !text.contains(name),
            "raw path '{name}' in a label:\n{text}"
        );
    }
    let Some(samples) = parse_with_prometheus_client(&text) else {
        return;
    };
    let sample_lines = text.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(sample_lines, samples.len(), "every line is a sample");

    let find = |name: &str, labels: &[(&str, &str)]| {
        samples
            .iter()
            .find(|s| {
                s.name == name
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
            })
            .unwrap_or_else(|| panic!("no {name} {labels:?} in\n{text}"))
    };
    let greet = |class: &'static str| {
        vec![
            ("operation", "greet"),
            ("route", "/v1/greetings/{name}"),
            ("method", "GET"),
            ("status", class),
        ]
    };
    let total = find("klue_requests_total", &greet("2xx"));
    assert_eq!((total.kind.as_str(), total.value), ("counter", 3.0));
    assert_eq!(find("klue_requests_total", &greet("4xx")).value, 1.0);
    let count = find("klue_request_duration_seconds_count", &greet("2xx"));
    assert_eq!((count.kind.as_str(), count.value), ("histogram", 3.0));
    let mut inf = greet("2xx");
    inf.push(("le", "+Inf"));
    assert_eq!(
        find("klue_request_duration_seconds_bucket", &inf).value,
        3.0
    );
    let buckets: Vec<f64> = samples
        .iter()
        .filter(|s| {
            s.name == "klue_request_duration_seconds_bucket"
                && s.labels.get("operation").map(String::as_str) == Some("greet")
                && s.labels.get("status").map(String::as_str) == Some("2xx")
        })
        .map(|s| s.value)
        .collect();
    assert_eq!(buckets.len(), 14);
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "cumulative");
    assert_eq!(
        find("klue_requests_total", &[("route", "-"), ("status", "4xx")]).value,
        1.0
    );
    // This very request is in flight while the metrics are rendered.
    let in_flight = find("klue_requests_in_flight", &[]);
    assert_eq!((in_flight.kind.as_str(), in_flight.value), ("gauge", 1.0));
    assert_eq!(
        find(
            "klue_build_info",
            &[("api", "helloworld"), ("api_version", "1.0.0")]
        )
        .value,
        1.0
    );
}

#[tokio::test]
async fn health_runs_every_check_within_its_time_limit() {
    let config = ServerConfig {
        health_timeout: Duration::from_millis(200),
        ..common::config()
    };
    let healthy = Server::new(config.clone())
        .api(common::hello())
        .health_check("db", || async { Ok::<(), String>(()) });
    let (client, _) = common::serve(healthy).await;
    let report = client.get("/health").await.assert_json(200);
    assert_eq!(report["status"], "pass");
    assert_eq!(report["checks"]["db"]["status"], "pass");

    let sick = Server::new(config)
        .api(common::hello())
        .health_check("db", || async { Ok::<(), String>(()) })
        .health_check("cache", || async { Err("connection refused") })
        .health_check("queue", || async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok::<(), String>(())
        });
    let (client, _) = common::serve(sick).await;
    let report = client.get("/health").await.assert_json(503);
    assert_eq!(report["status"], "fail");
    assert_eq!(report["checks"]["db"]["status"], "pass");
    assert_eq!(report["checks"]["cache"]["status"], "fail");
    assert_eq!(report["checks"]["cache"]["error"], "connection refused");
    assert_eq!(report["checks"]["queue"]["status"], "fail");
    assert_eq!(report["checks"]["queue"]["error"], "timed out after 200 ms");
    // Liveness does not run the checks.
    testaccept::assert_has_ping(&client).await;
}

#[tokio::test]
async fn the_spec_and_swagger_ui_are_served_from_the_binary() {
    let (client, _) = common::serve(Server::new(common::config()).api(common::hello())).await;
    let spec = client.get("/openapi.json").await.assert_json(200);
    assert_eq!(spec["info"]["title"], "helloworld");
    assert_eq!(
        spec["paths"]["/v1/hello"]["get"]["operationId"],
        "say_hello"
    );

    let yaml = client.get("/openapi.yaml").await;
    assert_eq!(yaml.status, 200);
    assert_eq!(yaml.headers["content-type"], "application/yaml");
    let yaml = String::from_utf8(yaml.body.to_vec()).expect("UTF-8");
    assert!(yaml.contains("operationId: say_hello"), "{yaml}");

    let page = client.get("/docs").await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.body.to_vec()).expect("UTF-8");
    assert!(html.contains("/docs/swagger-ui-bundle.js"));
    assert!(!html.contains("http"), "no external URL: {html}");
    for (asset, kind) in [
        ("/docs/swagger-ui-bundle.js", "text/javascript"),
        ("/docs/swagger-ui.css", "text/css"),
        ("/docs/swagger-initializer.js", "text/javascript"),
        ("/docs/LICENSE", "text/plain"),
    ] {
        let response = client.get(asset).await;
        assert_eq!(response.status, 200, "{asset}");
        assert!(response.headers["content-type"]
            .to_str()
            .expect("ASCII")
            .starts_with(kind));
    }
    let bundle = client.get("/docs/swagger-ui-bundle.js").await;
    assert!(bundle.body.len() > 1_000_000, "the whole bundle");
}

#[tokio::test]
async fn optional_builtins_can_be_turned_off() {
    let config = ServerConfig {
        builtins: Builtins {
            docs: false,
            metrics: false,
            health: false,
        },
        ..common::config()
    };
    let (client, _) = common::serve(Server::new(config).api(common::hello())).await;
    for path in [
        "/docs",
        "/openapi.json",
        "/openapi.yaml",
        "/metrics",
        "/health",
    ] {
        client.get(path).await.assert_error(404, "ROUTE_NOT_FOUND");
    }
    testaccept::assert_has_ping(&client).await;
    testaccept::assert_has_version(&client, "helloworld", "1.0.0").await;
    let token = common::mint("user-1", json!({}));
    let version: Value = testaccept::assert_has_auth_version(&client, &token).await;
    assert_eq!(version["name"], "helloworld");
}
