//! Acceptance checks of the events service (`examples/events`), for any running server.
//!
//! Each check takes a [`TestClient`] and works on its own fresh range of client ids, so checks
//! can run side by side on a server that already holds other events; the events a check
//! creates are deleted at its end. `tests/events.rs` runs them against the server
//! `run_acceptance_tests` names; the service's own tests run them against a server they start.

pub mod data;
pub mod reference;

use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::json;
use testaccept::TestClient;

pub use data::{samples, Sample};
pub use reference::{Expected, ReportSpec};

/// The first of a range of 64 client ids no other check (in this process or, almost surely,
/// any other) uses.
pub fn fresh_clients() -> i64 {
    static NEXT: AtomicI64 = AtomicI64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0);
    (nanos % 100_000_000_000_000_000) / 64 * 64 + 64 * NEXT.fetch_add(1, Ordering::SeqCst)
}

/// The ids of a range from [`fresh_clients`] that samples use.
pub fn client_range(base: i64) -> Vec<i64> {
    (base..base + 6).collect()
}

/// Creates `samples` (16 at a time), asserting each answer; returns their ids in order.
pub async fn create_all(client: &TestClient, samples: &[Sample]) -> Vec<String> {
    let mut ids = Vec::with_capacity(samples.len());
    for chunk in samples.chunks(16) {
        let mut tasks = tokio::task::JoinSet::new();
        for (i, sample) in chunk.iter().enumerate() {
            let (client, sample) = (client.clone(), sample.clone());
            tasks.spawn(async move {
                let body = client
                    .post_json("/v1/events", &sample.json(), None)
                    .await
                    .assert_json(201);
                assert_eq!(body["timestamp"], sample.utc(), "stored timestamp: {body}");
                (i, body["id"].as_str().expect("an id").to_owned())
            });
        }
        let mut created: Vec<(usize, String)> = tasks.join_all().await;
        created.sort();
        ids.extend(created.into_iter().map(|(_, id)| id));
    }
    ids
}

/// Deletes the events `ids`, asserting each answers 204.
pub async fn delete_all(client: &TestClient, ids: &[String]) {
    for id in ids {
        let response = client.delete(&format!("/v1/events/{id}"), None).await;
        assert_eq!(response.status.as_u16(), 204, "DELETE {id}");
    }
}

/// Create, get, list, delete, and 404 after the delete.
pub async fn check_crud(client: &TestClient) {
    let base = fresh_clients();
    let sent = json!({
        "timestamp": "2026-01-31T23:30:00.25+02:00",
        "client": base,
        "client_group": 7,
        "device_type": "mobile",
        "category": "books",
        "valid": true,
        "value": 12.5,
    });
    let created = client
        .post_json("/v1/events", &sent, None)
        .await
        .assert_json(201);
    let id = created["id"].as_str().expect("an id").to_owned();
    let mut expected = sent.clone();
    expected["id"] = json!(id);
    expected["timestamp"] = json!("2026-01-31T21:30:00.250Z");
    assert_eq!(created, expected);

    let fetched = client
        .get(&format!("/v1/events/{id}"))
        .await
        .assert_json(200);
    assert_eq!(fetched, expected);

    let page = client
        .get(&format!("/v1/events?clients={base}"))
        .await
        .assert_json(200);
    assert_eq!(
        page,
        json!({"events": [expected], "total": 1, "offset": 0, "limit": 100})
    );

    let deleted = client.delete(&format!("/v1/events/{id}"), None).await;
    assert_eq!(deleted.status.as_u16(), 204);
    assert!(deleted.body.is_empty(), "204 with a body");
    let envelope = client
        .get(&format!("/v1/events/{id}"))
        .await
        .assert_error(404, "EVENT_NOT_FOUND");
    assert!(envelope.error_description.contains(&id), "{envelope:?}");
    client
        .delete(&format!("/v1/events/{id}"), None)
        .await
        .assert_error(404, "EVENT_NOT_FOUND");
    let page = client
        .get(&format!("/v1/events?clients={base}"))
        .await
        .assert_json(200);
    assert_eq!(page["total"], 0);
}

/// Asserts a 400 `INVALID_PARAMETER` whose violations include one at `pointer` (in `location`)
/// whose message contains `needle`.
#[track_caller]
fn assert_invalid(response: testaccept::TestResponse, at: (&str, &str), needle: &str) {
    let envelope = response.assert_error(400, "INVALID_PARAMETER");
    let (location, pointer) = at;
    assert!(
        envelope
            .errors
            .iter()
            .any(|v| v.location.to_string() == location
                && v.pointer == pointer
                && v.message.contains(needle)),
        "no violation at {location} {pointer} mentioning '{needle}': {envelope:?}"
    );
    assert!(
        envelope.error_description.contains(needle),
        "description does not mention '{needle}': {}",
        envelope.error_description
    );
}

/// Every kind of bad input gets a 400 envelope naming the culprit.
pub async fn check_validation(client: &TestClient) {
    let report_cases: [(&str, (&str, &str), &str); 9] = [
        (
            "group_by=client&group_by=weather",
            ("query", "/group_by"),
            "item 1: 'weather' is not one of",
        ),
        (
            "group_by=client&sort_by=bogus",
            ("query", "/sort_by/0"),
            "does not match pattern",
        ),
        // The old pattern `^-?[a-z_]+$` let `_` through to a rule of the handler's own.
        (
            "sort_by=_",
            ("query", "/sort_by/0"),
            "does not match pattern",
        ),
        (
            "group_by=client&group_by=client",
            ("query", "/group_by"),
            "unique",
        ),
        ("granularity=week", ("query", "/granularity"), "week"),
        ("limit=0", ("query", "/limit"), "1"),
        ("offset=-1", ("query", "/offset"), "0"),
        (
            "start_date=yesterday",
            ("query", "/start_date"),
            "'yesterday' is not an RFC 3339 date-time",
        ),
        ("clients=abc", ("query", "/clients"), "abc"),
    ];
    for (query, at, needle) in report_cases {
        let response = client.get(&format!("/v1/report?{query}")).await;
        assert_invalid(response, at, needle);
    }
    let response = client.get("/v1/events?end_date=noon").await;
    assert_invalid(response, ("query", "/end_date"), "'noon'");
    let response = client.get("/v1/events?limit=1001").await;
    assert_invalid(response, ("query", "/limit"), "1000");

    let event = json!({
        "timestamp": "2026-01-01T00:00:00Z", "client": 1, "client_group": 1,
        "device_type": "tv", "category": "books", "valid": true, "value": 1.0,
    });
    let mut bad_time = event.clone();
    bad_time["timestamp"] = json!("2026-13-01T00:00:00Z");
    let response = client.post_json("/v1/events", &bad_time, None).await;
    assert_invalid(response, ("body", "/timestamp"), "2026-13-01");
    let mut missing = event.clone();
    missing.as_object_mut().map(|o| o.remove("value"));
    let response = client.post_json("/v1/events", &missing, None).await;
    assert_invalid(response, ("body", "/value"), "required property is missing");
    let mut wrong_type = event.clone();
    wrong_type["valid"] = json!("yes");
    let response = client.post_json("/v1/events", &wrong_type, None).await;
    let envelope = response.assert_error(400, "INVALID_PARAMETER");
    assert!(envelope.error_description.contains("valid"), "{envelope:?}");
    let mut empty_category = event.clone();
    empty_category["category"] = json!("");
    let response = client.post_json("/v1/events", &empty_category, None).await;
    assert_invalid(response, ("body", "/category"), "");
    // Past the bound that keeps every aggregate finite, either way.
    for (value, needle) in [
        (1.7e308, "greater than maximum"),
        (-1.0e289, "less than minimum"),
    ] {
        let mut huge = event.clone();
        huge["value"] = json!(value);
        let response = client.post_json("/v1/events", &huge, None).await;
        assert_invalid(response, ("body", "/value"), needle);
    }
}

/// What the spec allows, the service answers: a sort entry that cannot change the order is
/// skipped (a dimension not grouped by, a column sorted by already), a date range ending
/// before it starts selects nothing, and values at the spec's bound add up to finite numbers.
pub async fn check_spec_edges(client: &TestClient) {
    let base = fresh_clients();
    let at_bound = |value: f64, category: &str| {
        json!({
            "timestamp": "2026-01-01T00:00:00Z", "client": base, "client_group": 1,
            "device_type": "tv", "category": category, "valid": true, "value": value,
        })
    };
    let mut ids = Vec::new();
    for body in [
        at_bound(1e288, "books"),
        at_bound(1e288, "books"),
        at_bound(-1e288, "music"),
        at_bound(-1e288, "music"),
    ] {
        let created = client
            .post_json("/v1/events", &body, None)
            .await
            .assert_json(201);
        assert_eq!(created["value"], body["value"]);
        ids.push(created["id"].as_str().expect("an id").to_owned());
    }

    let report = client
        .get(&format!(
            "/v1/report?clients={base}&group_by=category&sort_by=-sum&sort_by=device_type\
             &sort_by=sum&sort_by=-category&sort_by=count"
        ))
        .await
        .assert_json(200);
    assert_eq!(report["sort_by"], json!(["-sum", "-category", "count"]));
    let rows = report["rows"].as_array().expect("rows");
    let summary: Vec<(&str, i64, [f64; 4])> = rows
        .iter()
        .map(|row| {
            let number = |name: &str| {
                row[name]
                    .as_f64()
                    .unwrap_or_else(|| panic!("{name} is not a number: {row}"))
            };
            (
                row["category"].as_str().expect("category"),
                row["count"].as_i64().expect("count"),
                [number("sum"), number("mean"), number("min"), number("max")],
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("books", 2, [2e288, 1e288, 1e288, 1e288]),
            ("music", 2, [-2e288, -1e288, -1e288, -1e288]),
        ]
    );

    let reversed = "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z";
    let report = client
        .get(&format!("/v1/report?clients={base}&{reversed}"))
        .await
        .assert_json(200);
    assert_eq!(report["rows"], json!([]));
    assert_eq!(report["total_groups"], 0);
    let page = client
        .get(&format!("/v1/events?clients={base}&{reversed}"))
        .await
        .assert_json(200);
    assert_eq!(page["total"], 0);
    // The same instants the right way round select the events.
    let page = client
        .get(&format!(
            "/v1/events?clients={base}&start_date=2026-01-01T00:00:00Z\
             &end_date=2026-02-01T00:00:00Z"
        ))
        .await
        .assert_json(200);
    assert_eq!(page["total"], 4);
    delete_all(client, &ids).await;
}

/// The standard report requests: grouping by each kind of dimension (the date at every
/// granularity), sorting by dimensions and aggregates both ways, pages inside and past the
/// end, and each filter.
pub fn report_specs(samples: &[Sample]) -> Vec<ReportSpec> {
    let mut times: Vec<String> = samples.iter().map(Sample::utc).collect();
    times.sort();
    let quarter = |i: usize| times[times.len() * i / 4].clone();
    vec![
        ReportSpec {
            group_by: Some(vec!["client"]),
            ..ReportSpec::default()
        },
        ReportSpec {
            group_by: Some(vec!["date"]),
            granularity: Some("month"),
            sort_by: vec!["-count"],
            ..ReportSpec::default()
        },
        ReportSpec {
            group_by: Some(vec!["device_type", "valid"]),
            sort_by: vec!["-sum"],
            offset: Some(1),
            limit: Some(3),
            ..ReportSpec::default()
        },
        ReportSpec {
            group_by: Some(vec!["category", "date"]),
            granularity: Some("day"),
            sort_by: vec!["-mean", "category"],
            offset: Some(5),
            limit: Some(10),
            ..ReportSpec::default()
        },
        ReportSpec {
            granularity: Some("hour"),
            sort_by: vec!["-max"],
            offset: Some(20),
            limit: Some(15),
            ..ReportSpec::default()
        },
        ReportSpec {
            group_by: Some(vec!["client_group", "date"]),
            granularity: Some("year"),
            sort_by: vec!["-date", "-client_group"],
            valid: Some(true),
            categories: vec!["books", "music"],
            ..ReportSpec::default()
        },
        ReportSpec {
            group_by: Some(vec!["client", "category"]),
            sort_by: vec!["min", "-client"],
            start_date: Some(quarter(1)),
            end_date: Some(quarter(3)),
            limit: Some(7),
            ..ReportSpec::default()
        },
        ReportSpec {
            group_by: Some(vec!["valid", "device_type", "client_group"]),
            sort_by: vec!["count", "-valid"],
            device_types: vec!["mobile", "tv"],
            offset: Some(2),
            ..ReportSpec::default()
        },
        ReportSpec {
            group_by: Some(vec!["date", "client"]),
            granularity: Some("month"),
            offset: Some(1000),
            ..ReportSpec::default()
        },
    ]
}

/// Asserts the server's report for `spec` equals the reference computed over `samples`.
pub async fn assert_report(
    client: &TestClient,
    spec: &ReportSpec,
    samples: &[Sample],
    clients: &[i64],
) {
    let query = spec.query(clients);
    let body = client
        .get(&format!("/v1/report?{query}"))
        .await
        .assert_json(200);
    let expected = spec.expected(samples, clients);
    assert!(
        !expected.rows.is_empty() || expected.offset >= expected.total_groups,
        "a spec whose page is empty checks little: {query}"
    );
    let rows = body["rows"].as_array().cloned().unwrap_or_default();
    for (i, (got, want)) in rows.iter().zip(&expected.rows).enumerate() {
        assert_eq!(got, want, "row {i} of GET /v1/report?{query}");
    }
    assert_eq!(rows.len(), expected.rows.len(), "row count of ?{query}");
    assert_eq!(
        body["total_groups"],
        json!(expected.total_groups),
        "?{query}"
    );
    assert_eq!(body["group_by"], json!(expected.group_by), "?{query}");
    assert_eq!(body["granularity"], json!(expected.granularity), "?{query}");
    assert_eq!(body["sort_by"], json!(expected.sort_by), "?{query}");
    assert_eq!(body["offset"], json!(expected.offset), "?{query}");
    assert_eq!(body["limit"], json!(expected.limit), "?{query}");
}

/// Creates `count` seeded events for a fresh client range, checks every [`report_specs`]
/// request and the list's pages against the reference, then deletes them. Returns how many
/// report rows were compared.
pub async fn check_report(client: &TestClient, seed: u64, count: usize) -> usize {
    let base = fresh_clients();
    let clients = client_range(base);
    let samples = samples(seed, count, base);
    let ids = create_all(client, &samples).await;
    let mut compared = 0;
    for spec in report_specs(&samples) {
        assert_report(client, &spec, &samples, &clients).await;
        compared += spec.expected(&samples, &clients).rows.len();
    }
    check_list_pages(client, &samples, &clients).await;
    delete_all(client, &ids).await;
    compared
}

/// The list answers the events oldest first, paged, with the total.
async fn check_list_pages(client: &TestClient, samples: &[Sample], clients: &[i64]) {
    let mut times: Vec<String> = samples.iter().map(Sample::utc).collect();
    times.sort();
    let filter: String = clients.iter().map(|c| format!("clients={c}&")).collect();
    for (offset, limit) in [(0, 25), (10, 25), (times.len() - 5, 100)] {
        let page = client
            .get(&format!("/v1/events?{filter}offset={offset}&limit={limit}"))
            .await
            .assert_json(200);
        assert_eq!(page["total"], json!(times.len()));
        let got: Vec<&str> = page["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["timestamp"].as_str().expect("timestamp"))
            .collect();
        let want: Vec<&str> = times
            .iter()
            .skip(offset)
            .take(limit)
            .map(String::as_str)
            .collect();
        assert_eq!(got, want, "page offset={offset} limit={limit}");
    }
    // Only valid events of one category.
    let page = client
        .get(&format!(
            "/v1/events?{filter}valid=false&categories=games&limit=1000"
        ))
        .await
        .assert_json(200);
    let want = samples
        .iter()
        .filter(|s| !s.valid && s.category == "games")
        .count();
    assert_eq!(page["total"], json!(want));
    assert!(page["events"]
        .as_array()
        .expect("events")
        .iter()
        .all(|e| e["valid"] == false && e["category"] == "games"));
}
