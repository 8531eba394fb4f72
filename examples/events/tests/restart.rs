//! The events binary: data written before a restart, even one by SIGKILL, is there after it;
//! the database file comes from `--db` or `EVENTS_DB`; an unusable one stops start-up.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use events_testaccept::{client_range, fresh_clients, samples, ReportSpec};
use serde_json::json;
use testaccept::TestClient;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("klue-events-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The events binary on a free port, killed on drop.
struct Service {
    child: Child,
    client: TestClient,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(configure: impl FnOnce(&mut Command)) -> Service {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_events"));
    command
        .args(["--port", &port.to_string(), "--host", "127.0.0.1"])
        .env_remove("EVENTS_DB")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    configure(&mut command);
    let mut child = command.spawn().expect("events starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("events exited at start-up: {status}");
        }
        assert!(Instant::now() < deadline, "events did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Service {
        child,
        client: TestClient::new("127.0.0.1", port),
    }
}

fn with_db(path: &Path) -> impl FnOnce(&mut Command) + '_ {
    move |command: &mut Command| {
        command.arg("--db").arg(path);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_survive_a_kill_and_a_restart() {
    let scratch = Scratch::new();
    let db = scratch.0.join("events.db");
    let base = fresh_clients();
    let samples = samples(11, 60, base);
    let spec = ReportSpec {
        group_by: Some(vec!["category", "date"]),
        granularity: Some("month"),
        sort_by: vec!["-sum"],
        ..ReportSpec::default()
    };
    let query = spec.query(&client_range(base));

    let (ids, first_event, report) = {
        let service = spawn(with_db(&db));
        let ids = events_testaccept::create_all(&service.client, &samples).await;
        let first = service
            .client
            .get(&format!("/v1/events/{}", ids[0]))
            .await
            .assert_json(200);
        let deleted = service
            .client
            .delete(&format!("/v1/events/{}", ids[1]), None)
            .await;
        assert_eq!(deleted.status.as_u16(), 204);
        let report = service
            .client
            .get(&format!("/v1/report?{query}"))
            .await
            .assert_json(200);
        (ids, first, report)
        // Dropping the service kills it with SIGKILL: no shutdown code runs.
    };

    let service = spawn(with_db(&db));
    let client = &service.client;
    let again = client
        .get(&format!("/v1/events/{}", ids[0]))
        .await
        .assert_json(200);
    assert_eq!(again, first_event);
    client
        .get(&format!("/v1/events/{}", ids[1]))
        .await
        .assert_error(404, "EVENT_NOT_FOUND");
    let page = client.get("/v1/events?limit=1000").await.assert_json(200);
    assert_eq!(page["total"], json!(samples.len() - 1));
    assert_eq!(
        client
            .get(&format!("/v1/report?{query}"))
            .await
            .assert_json(200),
        report
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_db_names_the_file_and_sigterm_keeps_the_data() {
    let scratch = Scratch::new();
    let db = scratch.0.join("from-env.db");
    let id = {
        let mut service = spawn(|command| {
            command.env("EVENTS_DB", &db);
        });
        let body = json!({
            "timestamp": "2026-03-01T08:00:00Z", "client": 5, "client_group": 2,
            "device_type": "tv", "category": "music", "valid": false, "value": -3.5,
        });
        let created = service
            .client
            .post_json("/v1/events", &body, None)
            .await
            .assert_json(201);
        // A graceful stop: SIGTERM, exit 0.
        let pid = service.child.id().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let exit = service.child.wait().expect("events exits");
        assert!(exit.success(), "exit status {exit}");
        created["id"].as_str().expect("id").to_owned()
    };
    assert!(db.exists(), "EVENTS_DB was not used");
    let service = spawn(with_db(&db));
    let event = service
        .client
        .get(&format!("/v1/events/{id}"))
        .await
        .assert_json(200);
    assert_eq!(event["value"], -3.5);
    assert_eq!(event["timestamp"], "2026-03-01T08:00:00.000Z");
}

#[test]
fn an_unusable_database_stops_start_up_naming_it() {
    let scratch = Scratch::new();
    let db = scratch.0.join("no-such-dir").join("events.db");
    let out = Command::new(env!("CARGO_BIN_EXE_events"))
        .args(["--port", &free_port().to_string(), "--host", "127.0.0.1"])
        .arg("--db")
        .arg(&db)
        .env_remove("EVENTS_DB")
        .output()
        .expect("events runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("error: database {}", db.display())),
        "stderr: {stderr}"
    );
}
