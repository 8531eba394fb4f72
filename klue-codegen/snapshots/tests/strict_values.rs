//! `strict_values` over real HTTP: integers spelled as decimals are integers, null only where a
//! 3.1 type includes it, `format: time` is RFC 3339's full-time, and parameters that overflow,
//! are not JSON integers, or are not UTF-8 once decoded are 400s naming them.

use klue_core::{ApiError, ServerConfig};
use klue_snapshots::strict_values as api;
use serde_json::json;
use testaccept::TestClient;

struct Echo;

impl api::StrictValuesApi for Echo {
    async fn put_reading(
        &self,
        request: api::PutReadingRequest,
    ) -> Result<api::PutReadingResponse, ApiError> {
        Ok(request.body.into())
    }
}

async fn start() -> TestClient {
    testaccept::serve([api::router(Echo)], ServerConfig::default())
        .await
        .0
}

/// The violations of a 400, as (pointer, message).
async fn violations(
    client: &TestClient,
    path: &str,
    body: serde_json::Value,
) -> Vec<(String, String)> {
    client
        .put_json(path, &body, None)
        .await
        .assert_error(400, "INVALID_PARAMETER")
        .errors
        .into_iter()
        .map(|v| (v.pointer, v.message))
        .collect()
}

fn one(pointer: &str, message: &str) -> Vec<(String, String)> {
    vec![(pointer.to_owned(), message.to_owned())]
}

#[tokio::test]
async fn bodies_hold_integers_nulls_and_times_as_the_spec_says() {
    let client = start().await;
    let understood = client
        .put_json(
            "/readings/.s1",
            &json!({"value": 19802.0, "counts": [1.0, 2e0, 3], "note": null, "taken_at": "23:59:60.5+01:00"}),
            None,
        )
        .await
        .assert_json(200);
    assert_eq!(
        understood,
        json!({"value": 19802, "counts": [1, 2, 3], "note": null, "taken_at": "23:59:60.5+01:00"})
    );
    let reading = |body| violations(&client, "/readings/.s1", body);
    assert_eq!(
        reading(json!({"value": 1, "taken_at": "12:30"})).await,
        one(
            "/taken_at",
            "'12:30' is not an RFC 3339 time (format 'time')"
        )
    );
    assert_eq!(
        reading(json!({"value": 1, "counts": null})).await,
        one("/counts", "expected array, got null")
    );
    assert_eq!(
        reading(json!({"value": 9223372036854775808u64})).await,
        one(
            "/value",
            "9223372036854775808 is out of range for a 64-bit integer"
        )
    );
    assert_eq!(
        reading(json!({"value": 1, "counts": [1.5]})).await,
        one("/counts/0", "expected integer, got number")
    );
}

#[tokio::test]
async fn parameters_are_read_exactly() {
    let client = start().await;
    let ok = json!({"value": 1});
    client
        .put_json(
            "/readings/.s%C3%A9?at=08:15:00Z&ids=1,-2&count=-0",
            &ok,
            None,
        )
        .await
        .assert_json(200);
    let read = |path: &'static str| violations(&client, path, json!({"value": 1}));
    assert_eq!(
        read("/readings/.s%FF").await,
        one("/sensor", "'s%FF' is not UTF-8 once percent-decoded")
    );
    assert_eq!(
        read("/readings/.s?at=25:00:00Z").await,
        one("/at", "'25:00:00Z' is not an RFC 3339 time (format 'time')")
    );
    assert_eq!(
        read("/readings/.s?count=9223372036854775808").await,
        one(
            "/count",
            "9223372036854775808 is out of range for a 64-bit integer"
        )
    );
    assert_eq!(
        read("/readings/.s?count=05").await,
        one("/count", "'05' is not an integer")
    );
    assert_eq!(
        read("/readings/.s?ids=1,05").await,
        one("/ids/1", "expected integer, got string")
    );
    assert_eq!(
        read("/readings/.s?ids=1&ids=2").await,
        one(
            "/ids",
            "parameter 'ids' is given 2 times; it takes a single value"
        )
    );
    assert_eq!(
        read("/readings/.s?ids=1,%FF").await,
        one("/ids", "'%FF' is not UTF-8 once percent-decoded")
    );
}

#[tokio::test]
async fn uint64_and_bounds_beyond_i64_are_read_whole() {
    let client = start().await;
    let understood = client
        .put_json(
            "/readings/.s?serial=18446744073709551615",
            &json!({"value": 1, "serial": 18446744073709551615u64, "budget": 1e19, "capped": 5}),
            None,
        )
        .await
        .assert_json(200);
    assert_eq!(
        understood,
        json!({"value": 1, "serial": 18446744073709551615u64, "budget": 10000000000000000000u64, "capped": 5})
    );
    let reading = |body| violations(&client, "/readings/.s", body);
    assert_eq!(
        reading(json!({"value": 1, "serial": -1})).await,
        one(
            "/serial",
            "-1 is out of range for a non-negative 64-bit integer"
        )
    );
    assert_eq!(
        reading(json!({"value": 1, "budget": 18446744073709551615u64, "serial": 2.5})).await,
        one("/serial", "expected integer, got number")
    );
    // A bound openapiv3 cannot hold as an i64 leaves the schema an integer all the same.
    assert_eq!(
        reading(json!({"value": 1, "capped": "5"})).await,
        one("/capped", "expected integer, got string")
    );
    let read = |path: &'static str| violations(&client, path, json!({"value": 1}));
    assert_eq!(
        read("/readings/.s?serial=-1").await,
        one("/serial", "'-1' is not a non-negative integer")
    );
}
