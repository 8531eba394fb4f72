//! Object constructs served (`apis/fixtures/openapi30/objects.yaml`): `additionalProperties`
//! beside properties (a schema: kept in a map and validated; `true`: kept; `false`: unknown
//! keys rejected by name), defaults filled in, readOnly / writeOnly not required, and string
//! formats checked with pointers.

use klue_core::{ApiError, Location, ServerConfig};
use klue_snapshots::objects as api;
use serde_json::{json, Value};

const ID: &str = "123e4567-e89b-12d3-a456-426614174000";

struct Echo;

impl api::ObjectsApi for Echo {
    async fn save_settings(
        &self,
        request: api::SaveSettingsRequest,
    ) -> Result<api::SaveSettingsResponse, ApiError> {
        let mut settings = request.body;
        // readOnly: set by the server; writeOnly: not sent back.
        settings.id = Some(ID.parse().expect("a UUID"));
        settings.secret = None;
        Ok(settings.into())
    }

    async fn save_open(
        &self,
        request: api::SaveOpenRequest,
    ) -> Result<api::SaveOpenResponse, ApiError> {
        let mut open = request.body;
        open.additional_properties
            .insert("seen".to_owned(), json!(open.additional_properties.len()));
        Ok(open.into())
    }

    async fn check_formats(
        &self,
        request: api::CheckFormatsRequest,
    ) -> Result<api::CheckFormatsResponse, ApiError> {
        assert_eq!(request.id.to_string(), ID);
        Ok(request.body.into())
    }
}

async fn rejected(
    client: &testaccept::TestClient,
    path: &str,
    body: Value,
) -> Vec<(String, String)> {
    let envelope = client
        .post_json(path, &body, None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let mut found: Vec<(String, String)> = envelope
        .errors
        .iter()
        .map(|v| (v.pointer.clone(), v.message.clone()))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn defaults_fill_absent_properties_and_read_only_is_not_required() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    // `id` (readOnly) and `secret` (writeOnly) are required in the spec, yet not in a request.
    let echoed = client
        .post_json("/settings", &json!({"name": "n"}), None)
        .await
        .assert_json(200);
    assert_eq!(
        echoed,
        json!({
            "id": ID, "name": "n", "retries": 3, "verbose": false, "ratio": 0.5,
            "label": "none", "level": "high"
        })
    );
    // Sent values win over defaults.
    let sent = json!({
        "name": "n", "secret": "s", "retries": 5, "verbose": true, "ratio": 1.5,
        "label": "x", "level": "low", "mode": "fast"
    });
    let echoed = client
        .post_json("/settings", &sent, None)
        .await
        .assert_json(200);
    assert_eq!(echoed["retries"], 5);
    assert_eq!(echoed["level"], "low");
    assert_eq!(echoed["mode"], "fast");
    assert_eq!(echoed.get("secret"), None);
}

#[tokio::test]
async fn additional_properties_false_rejects_unknown_keys_by_name() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let found = rejected(
        &client,
        "/settings",
        json!({"name": "n", "colour": "red", "a/b": 1, "retries": 11}),
    )
    .await;
    assert_eq!(
        found,
        [
            (
                "/a~1b".to_owned(),
                "unknown property 'a/b' is not allowed (additionalProperties: false)".to_owned()
            ),
            (
                "/colour".to_owned(),
                "unknown property 'colour' is not allowed (additionalProperties: false)".to_owned()
            ),
            (
                "/retries".to_owned(),
                "11 is greater than maximum 10".to_owned()
            ),
        ]
    );
}

#[tokio::test]
async fn additional_properties_with_a_schema_are_kept_and_validated() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let counts = json!({"total": 5, "apples": 2, "pears": 0});
    let echoed = client
        .post_json("/settings", &json!({"name": "n", "counts": counts}), None)
        .await
        .assert_json(200);
    assert_eq!(echoed["counts"], counts);
    // Typed values that break the rule, and values of the wrong type: every one, with pointers.
    let found = rejected(
        &client,
        "/settings",
        json!({"name": "n", "counts": {"total": 1, "apples": -1, "pears": -2}}),
    )
    .await;
    let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(pointers, ["/counts/apples", "/counts/pears"]);
    assert_eq!(found[0].1, "-1 is less than minimum 0");
    let found = rejected(
        &client,
        "/settings",
        json!({"name": "n", "counts": {"apples": "many"}}),
    )
    .await;
    assert_eq!(
        found,
        [(
            "/counts/apples".to_owned(),
            "expected integer, got string".to_owned()
        )]
    );
}

#[tokio::test]
async fn a_map_has_as_many_properties_as_min_and_max_properties_allow() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let tags = json!({"a": "1", "b": "2"});
    let echoed = client
        .post_json("/settings", &json!({"name": "n", "tags": tags}), None)
        .await
        .assert_json(200);
    assert_eq!(echoed["tags"], tags);
    for (tags, message) in [
        (json!({}), "0 properties, fewer than minProperties 1"),
        (
            json!({"a": "1", "b": "2", "c": "3"}),
            "3 properties, more than maxProperties 2",
        ),
    ] {
        let found = rejected(&client, "/settings", json!({"name": "n", "tags": tags})).await;
        assert_eq!(found, [("/tags".to_owned(), message.to_owned())]);
    }
}

#[tokio::test]
async fn additional_properties_true_keeps_any_extra_key() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let echoed = client
        .post_json(
            "/open",
            &json!({"name": "n", "x": [1, {"y": null}], "z": "w"}),
            None,
        )
        .await
        .assert_json(200);
    assert_eq!(
        echoed,
        json!({"name": "n", "x": [1, {"y": null}], "z": "w", "seen": 2})
    );
    rejected(&client, "/open", json!({"x": 1})).await;
}

#[tokio::test]
async fn string_formats_are_checked_with_pointers() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let good = json!({
        "id": ID, "at": "2024-02-29T23:59:60.5+01:00", "day": "2024-02-29",
        "email": "a.b@example.com", "home": "https://example.com/a%20b", "data": "aGk=",
        "tags": ["2024-01-01"]
    });
    let echoed = client
        .post_json(&format!("/formats/{ID}"), &good, None)
        .await
        .assert_json(200);
    assert_eq!(echoed, good);
    let bad = json!({
        "id": "123", "at": "2024-02-30T10:00:00Z", "day": "2023-02-29",
        "email": "nobody", "home": "example.com", "data": "aGk",
        "tags": ["2024-01-01", "01/02/2024"]
    });
    let found = rejected(&client, &format!("/formats/{ID}"), bad).await;
    assert_eq!(
        found,
        [
            (
                "/at".to_owned(),
                "'2024-02-30T10:00:00Z' is not an RFC 3339 date-time (format 'date-time')"
                    .to_owned()
            ),
            (
                "/data".to_owned(),
                "'aGk' is not base64 (format 'byte')".to_owned()
            ),
            (
                "/day".to_owned(),
                "'2023-02-29' is not an RFC 3339 date (format 'date')".to_owned()
            ),
            (
                "/email".to_owned(),
                "'nobody' is not an email address (format 'email')".to_owned()
            ),
            (
                "/home".to_owned(),
                "'example.com' is not an absolute URI (format 'uri')".to_owned()
            ),
            (
                "/id".to_owned(),
                "'123' is not a UUID (format 'uuid')".to_owned()
            ),
            (
                "/tags/1".to_owned(),
                "'01/02/2024' is not an RFC 3339 date (format 'date')".to_owned()
            ),
        ]
    );
    // A path parameter's format too.
    let envelope = client
        .post_json("/formats/not-a-uuid", &json!({}), None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(envelope.errors.len(), 1, "{:?}", envelope.errors);
    assert_eq!(envelope.errors[0].location, Location::Path);
    assert!(
        envelope.errors[0].pointer.contains("id"),
        "{:?}",
        envelope.errors
    );
    assert!(
        envelope.errors[0].message.contains("format 'uuid'"),
        "{:?}",
        envelope.errors
    );
}
