//! The events service over real HTTP on 127.0.0.1, each test on its own SQLite file: the
//! acceptance checks (CRUD, 404s, validation, reports against the reference), and what only a
//! fresh database can show.

use std::path::PathBuf;

use events::{api, Db, Events};
use events_testaccept::{client_range, fresh_clients, samples, ReportSpec};
use klue_core::ServerConfig;
use serde_json::json;
use testaccept::TestClient;

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

async fn start() -> (TestClient, TempDb) {
    let db = TempDb::new();
    let events = Events::new(Db::open(&db.0).expect("database opens"));
    let client = testaccept::serve([api::router(events)], ServerConfig::default())
        .await
        .0;
    (client, db)
}

#[tokio::test]
async fn builtins_name_the_events_api() {
    let (client, _db) = start().await;
    testaccept::assert_has_ping(&client).await;
    testaccept::assert_has_version(&client, "events", "1.0.0").await;
}

#[tokio::test]
async fn create_get_list_delete() {
    let (client, _db) = start().await;
    events_testaccept::check_crud(&client).await;
}

#[tokio::test]
async fn missing_events_are_404() {
    let (client, _db) = start().await;
    for path in [
        "/v1/events/no-such-id",
        "/v1/events/3f1e0f4c-0000-4000-8000-000000000000",
    ] {
        client.get(path).await.assert_error(404, "EVENT_NOT_FOUND");
        client
            .delete(path, None)
            .await
            .assert_error(404, "EVENT_NOT_FOUND");
    }
}

#[tokio::test]
async fn bad_input_is_a_400_naming_it() {
    let (client, _db) = start().await;
    events_testaccept::check_validation(&client).await;
    // Nothing bad was stored.
    let page = client.get("/v1/events").await.assert_json(200);
    assert_eq!(page["total"], 0);
}

#[tokio::test]
async fn spec_edges_are_answered_as_the_spec_says() {
    let (client, _db) = start().await;
    events_testaccept::check_spec_edges(&client).await;
    let page = client.get("/v1/events").await.assert_json(200);
    assert_eq!(page["total"], 0);
}

/// Values past the spec's bound can only come from a database written before the bound
/// existed; their overflowing sum makes the report a 500 (cause logged), never `"sum": null`.
#[tokio::test]
async fn an_overflowing_stored_sum_is_a_500_not_a_null() {
    let (client, db) = start().await;
    let connection = rusqlite::Connection::open(&db.0).expect("a second connection");
    for id in ["old-1", "old-2"] {
        connection
            .execute(
                // Bound, not an SQL literal: SQLite's own text-to-double is not exact.
                "INSERT INTO events VALUES (?1, '2020-01-01T00:00:00.000Z', 1, 1, 'tv', 'books', \
                 1, ?2)",
                rusqlite::params![id, 1.7e308_f64],
            )
            .expect("an old row");
    }
    client
        .get("/v1/report?group_by=client")
        .await
        .assert_error(500, "SERVER_ERROR");
    // Each value alone is still a finite number.
    let event = client.get("/v1/events/old-1").await.assert_json(200);
    assert_eq!(event["value"].as_f64(), Some(1.7e308));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_match_the_reference_for_two_seeds() {
    let (client, _db) = start().await;
    let first = events_testaccept::check_report(&client, 1, 400).await;
    let second = events_testaccept::check_report(&client, 2, 250).await;
    assert!(
        first > 40 && second > 40,
        "rows compared: {first}, {second}"
    );
    // Each check deleted what it created.
    let page = client.get("/v1/events").await.assert_json(200);
    assert_eq!(page["total"], 0);
}

/// On a database holding only the samples, the report over everything (no filter, every
/// dimension, the default sort and limit) is the reference's too.
#[tokio::test]
async fn unfiltered_report_of_a_fresh_database() {
    let (client, _db) = start().await;
    let base = fresh_clients();
    let samples = samples(7, 120, base);
    events_testaccept::create_all(&client, &samples).await;
    let body = client.get("/v1/report").await.assert_json(200);
    let expected = ReportSpec::default().expected(&samples, &client_range(base));
    assert_eq!(body["rows"], json!(expected.rows));
    assert_eq!(body["total_groups"], json!(expected.total_groups));
    assert_eq!(
        body["sort_by"],
        json!([
            "client",
            "client_group",
            "device_type",
            "category",
            "valid",
            "date"
        ])
    );
    // Grouped by validity alone: two rows whose counts add up to every event.
    let body = client
        .get("/v1/report?group_by=valid&sort_by=-count")
        .await
        .assert_json(200);
    let rows = body["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    let total: i64 = rows
        .iter()
        .map(|r| r["count"].as_i64().expect("count"))
        .sum();
    assert_eq!(total, 120);
    assert!(rows[0]["count"].as_i64() >= rows[1]["count"].as_i64());
}

/// Identifiers in the request never reach the SQL text: a sort column is matched against the
/// report's columns, and filter values are bound.
#[tokio::test]
async fn hostile_parameters_are_refused_or_bound() {
    let (client, _db) = start().await;
    let base = fresh_clients();
    events_testaccept::create_all(&client, &samples(3, 20, base)).await;
    client
        .get("/v1/report?group_by=client&sort_by=count%3B%20DROP%20TABLE%20events")
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let body = client
        .get("/v1/report?group_by=category&categories=books%27%20OR%20%271%27%3D%271")
        .await
        .assert_json(200);
    assert_eq!(body["total_groups"], 0);
    let page = client.get("/v1/events").await.assert_json(200);
    assert_eq!(page["total"], 20);
}

/// The client generated from the same spec: typed calls, query arrays, and the 404 envelope
/// as a `ClientError::Api`.
#[tokio::test]
async fn the_generated_client_speaks_the_api() {
    let (client, _db) = start().await;
    let api =
        api::EventsClient::new(klue_core::ClientConfig::new(client.base())).expect("client config");
    let base = fresh_clients();
    let mut ids = Vec::new();
    for (i, category) in ["books", "music", "books"].into_iter().enumerate() {
        let created = api
            .create_event(api::CreateEventParams {
                body: api::NewEvent {
                    timestamp: format!("2026-02-0{}T10:00:00+01:00", i + 1),
                    client: base,
                    client_group: 1,
                    device_type: "tv".into(),
                    category: category.into(),
                    valid: true,
                    value: 2.5 * (i + 1) as f64,
                },
            })
            .await
            .expect("created");
        let api::CreateEventResponse::Created(event) = created;
        assert_eq!(event.timestamp, format!("2026-02-0{}T09:00:00.000Z", i + 1));
        ids.push(event.id);
    }
    let report = api
        .get_report(api::GetReportParams {
            group_by: Some(vec![api::Dimension::Category]),
            granularity: None,
            sort_by: Some(vec!["-sum".into()]),
            clients: Some(vec![base]),
            client_groups: None,
            device_types: None,
            categories: None,
            valid: Some(true),
            start_date: None,
            end_date: None,
            offset: None,
            limit: None,
        })
        .await;
    let report = match report {
        Ok(api::GetReportResponse::Ok(report)) => report,
        other => panic!("expected a report, got {other:?}"),
    };
    let summary: Vec<(Option<String>, i64, f64, f64)> = report
        .rows
        .iter()
        .map(|r| (r.category.clone(), r.count, r.sum, r.mean))
        .collect();
    assert_eq!(
        summary,
        [
            (Some("books".to_owned()), 2, 10.0, 5.0),
            (Some("music".to_owned()), 1, 5.0, 5.0)
        ]
    );
    assert_eq!(report.sort_by, ["-sum", "category"]);

    api.delete_event(api::DeleteEventParams {
        event_id: ids[0].clone(),
    })
    .await
    .expect("deleted");
    match api
        .get_event(api::GetEventParams {
            event_id: ids[0].clone(),
        })
        .await
    {
        Err(klue_core::ClientError::Api { status, envelope }) => {
            assert_eq!(status.as_u16(), 404);
            assert_eq!(envelope.error, "EVENT_NOT_FOUND");
        }
        other => panic!("expected a 404 envelope, got {other:?}"),
    }
}
