//! The service under report load, over real HTTP on 127.0.0.1: many concurrent reports over a
//! large table never make a write wait for them, and reports over their limits are refused
//! with the 503 the spec declares.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use events::db::Limits;
use events::{api, Db, Events};
use klue_core::ServerConfig;
use serde_json::json;
use testaccept::{TestClient, TestResponse};

/// A database file in the temp directory, removed (with its WAL files) on drop.
struct TempDb(PathBuf);

impl TempDb {
    fn new() -> Self {
        TempDb(std::env::temp_dir().join(format!("klue-events-{}.db", uuid::Uuid::new_v4())))
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Inserts `rows` events straight into the database file, in one transaction (seconds, where
/// as many POSTs would take minutes): 1000 clients, 7 groups, every device type and
/// category, timestamps over a year, so an hourly report has a group for nearly every row.
fn seed(path: &Path, rows: u64) {
    let mut connection = rusqlite::Connection::open(path).expect("seed connection");
    let transaction = connection.transaction().expect("seed transaction");
    {
        let mut insert = transaction
            .prepare(
                "INSERT INTO events (id, timestamp, client, client_group, device_type, category, \
                 valid, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .expect("seed statement");
        for i in 0..rows {
            let timestamp = format!(
                "2025-{:02}-{:02}T{:02}:{:02}:00.000Z",
                1 + i % 12,
                1 + i / 12 % 28,
                i / 336 % 24,
                i / 8064 % 60
            );
            insert
                .execute(rusqlite::params![
                    format!("seed-{i}"),
                    timestamp,
                    (i % 1000) as i64,
                    (i % 7) as i64,
                    ["desktop", "mobile", "tablet", "tv"][(i % 4) as usize],
                    ["books", "games", "music", "sports", "travel"][(i % 5) as usize],
                    i % 3 != 0,
                    (i % 100) as f64 / 4.0,
                ])
                .expect("seed row");
        }
    }
    transaction.commit().expect("seed commit");
}

/// A database of `rows` seeded events, served with `limits`.
async fn serve_seeded(rows: u64, limits: Limits) -> (TestClient, TempDb) {
    let file = TempDb::new();
    let db = Db::open_with(&file.0, limits).expect("database opens");
    let started = Instant::now();
    seed(&file.0, rows);
    eprintln!("seeded {rows} rows in {:?}", started.elapsed());
    // The request timeout as long as the test's own limits, so a slow machine shows in the
    // figures printed, not as a 503 from klue.
    let config = ServerConfig {
        request_timeout: Some(Duration::from_secs(600)),
        ..ServerConfig::default()
    };
    let client = testaccept::serve([api::router(Events::new(db))], config)
        .await
        .0;
    (client, file)
}

/// The heaviest report: every dimension, hourly, so nearly every row is its own group.
const HEAVY_REPORT: &str = "/v1/report?granularity=hour&limit=10";

fn new_event() -> serde_json::Value {
    json!({
        "timestamp": "2026-03-01T08:00:00Z", "client": 5, "client_group": 2,
        "device_type": "tv", "category": "music", "valid": false, "value": -3.5,
    })
}

/// Eight reports at once over a large table (`EVENTS_LOAD_ROWS`, 300 000 by default), and a
/// POST sent while they run: it is answered 201 before any report is done, because it waits
/// for none of them. The reports all succeed too (their wait for a slot is long here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_is_not_queued_behind_eight_reports() {
    let rows = std::env::var("EVENTS_LOAD_ROWS")
        .ok()
        .and_then(|rows| rows.parse().ok())
        .unwrap_or(300_000);
    let limits = Limits {
        max_reports: 2,
        report_wait: Duration::from_secs(600),
        read_time_limit: Duration::from_secs(600),
    };
    let (client, _db) = serve_seeded(rows, limits).await;
    let finished = Arc::new(AtomicUsize::new(0));
    let begin = Instant::now();
    let mut reports = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (client, finished) = (client.clone(), Arc::clone(&finished));
        reports.spawn(async move {
            let response = client.get(HEAVY_REPORT).await;
            finished.fetch_add(1, Ordering::SeqCst);
            (response, begin.elapsed())
        });
    }
    // Not an assertion: only lets the reports reach the database before the write.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let post_start = Instant::now();
    let created = client.post_json("/v1/events", &new_event(), None).await;
    let post_latency = post_start.elapsed();
    let finished_at_post = finished.load(Ordering::SeqCst);
    let id = created.assert_json(201)["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let reports: Vec<(TestResponse, Duration)> = reports.join_all().await;
    let durations: Vec<Duration> = reports.iter().map(|(_, took)| *took).collect();
    eprintln!(
        "POST 201 in {post_latency:?} with {finished_at_post} of 8 reports finished; \
         reports finished at {durations:?}"
    );
    // Every report takes seconds over this table; a write queued behind any of them (as
    // when writes and reports shared one pool) would come back after it.
    assert_eq!(
        finished_at_post, 0,
        "the POST came back after {finished_at_post} reports: it waited for them"
    );
    for (response, _) in &reports {
        let body = response.assert_json(200);
        assert_eq!(body["rows"].as_array().map(Vec::len), Some(10), "{body}");
    }
    // The write is visible to the reads after it.
    client
        .get(&format!("/v1/events/{id}"))
        .await
        .assert_json(200);
}

/// With one report slot and no wait, reports sent together are refused with the spec's 503
/// `REPORTS_BUSY` and a `Retry-After`, except the one holding the slot; writes go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_over_the_limit_get_503_with_retry_after() {
    let limits = Limits {
        max_reports: 1,
        report_wait: Duration::ZERO,
        read_time_limit: Duration::from_secs(600),
    };
    let (client, _db) = serve_seeded(50_000, limits).await;
    let mut reports = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let client = client.clone();
        reports.spawn(async move { client.get(HEAVY_REPORT).await });
    }
    let created = client.post_json("/v1/events", &new_event(), None).await;
    created.assert_json(201);
    let (mut answered, mut refused) = (0, 0);
    for response in reports.join_all().await {
        if response.status.as_u16() == 200 {
            answered += 1;
            continue;
        }
        let envelope = response.assert_error(503, "REPORTS_BUSY");
        assert!(envelope.error_id.is_some(), "{envelope:?}");
        assert_eq!(
            response.headers.get("retry-after").map(|v| v.as_bytes()),
            Some(&b"1"[..]),
            "{:?}",
            response.headers
        );
        refused += 1;
    }
    assert!(answered >= 1, "no report was answered");
    assert!(
        refused >= 1,
        "four reports at once on one slot, none refused"
    );
}

/// A report or a list that runs past the read time limit is stopped and answered with the
/// spec's 503 `READ_TIME_LIMIT`, no `Retry-After` (it would only fail again); writes go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_past_the_time_limit_is_stopped_with_503() {
    let limits = Limits {
        max_reports: 2,
        report_wait: Duration::from_secs(60),
        read_time_limit: Duration::from_millis(1),
    };
    let (client, _db) = serve_seeded(50_000, limits).await;
    let response = client.get(HEAVY_REPORT).await;
    let envelope = response.assert_error(503, "READ_TIME_LIMIT");
    assert!(
        envelope
            .error_description
            .contains("narrow it with filters"),
        "{envelope:?}"
    );
    assert!(response.headers.get("retry-after").is_none());
    // A page of the list counts every event it matches: over the limit too, the same 503.
    client
        .get("/v1/events?valid=false")
        .await
        .assert_error(503, "READ_TIME_LIMIT");
    client
        .post_json("/v1/events", &new_event(), None)
        .await
        .assert_json(201);
}
