//! The served spec documents the whole contract: every error klue answers for an operation is
//! a status the served `/openapi.json` states for it, with the envelope schema it states, and
//! the built-ins switched on are in it.

mod common;

use http::Method;
use klue_core::config::Builtins;
use klue_core::{Server, ServerConfig};
use serde_json::{json, Value};
use testaccept::{TestClient, TestResponse};

/// The response `doc` states for `status` of `method path`, its `$ref` followed.
fn documented<'a>(doc: &'a Value, method: &str, path: &str, status: u16) -> &'a Value {
    let operation = &doc["paths"][path][method.to_ascii_lowercase()];
    assert!(operation.is_object(), "{method} {path} is in the spec");
    let response = &operation["responses"][status.to_string()];
    let Some(reference) = response["$ref"].as_str() else {
        return response;
    };
    let name = reference
        .strip_prefix("#/components/responses/")
        .expect("a response reference");
    &doc["components"]["responses"][name]
}

/// Checks `body` against the envelope schema `doc` gives for that response: every required
/// property present, every property of the declared JSON type.
fn assert_conforms(doc: &Value, response: &Value, body: &Value) {
    let reference = response["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap_or_else(|| panic!("an envelope schema for {response}"));
    let name = reference
        .strip_prefix("#/components/schemas/")
        .expect("a schema reference");
    assert_object_conforms(&doc["components"]["schemas"][name], body);
}

fn assert_object_conforms(schema: &Value, body: &Value) {
    for required in schema["required"].as_array().expect("required") {
        let key = required.as_str().expect("a name");
        assert!(body.get(key).is_some(), "'{key}' missing in {body}");
    }
    let properties = schema["properties"].as_object().expect("properties");
    for (key, value) in body.as_object().expect("an object") {
        let property = properties
            .get(key)
            .unwrap_or_else(|| panic!("'{key}' is not documented: {body}"));
        let matches = match property["type"].as_str() {
            Some("integer") => value.is_i64(),
            Some("string") => value.is_string(),
            Some("array") => value.as_array().is_some_and(|items| {
                items
                    .iter()
                    .all(|item| required_present(&property["items"], item))
            }),
            other => panic!("unexpected type {other:?} for '{key}'"),
        };
        assert!(matches, "'{key}' does not match {property}: {body}");
    }
}

fn required_present(schema: &Value, item: &Value) -> bool {
    schema["required"].as_array().is_some_and(|keys| {
        keys.iter()
            .all(|k| item.get(k.as_str().unwrap_or("")).is_some())
    })
}

/// Asserts that `answer`, klue's answer to `method path`, is documented by `doc`.
#[track_caller]
fn assert_documented(doc: &Value, method: &str, path: &str, answer: &TestResponse, code: &str) {
    let status = answer.status.as_u16();
    answer.assert_error(status, code);
    let response = documented(doc, method, path, status);
    assert!(
        response.is_object(),
        "{status} of {method} {path} is not in the served spec"
    );
    assert_conforms(doc, response, &answer.json());
}

async fn served_spec(client: &TestClient) -> Value {
    let doc = client.get("/openapi.json").await.assert_json(200);
    let yaml = client.get("/openapi.yaml").await;
    let from_yaml: Value =
        klue_core::yaml::parse(std::str::from_utf8(&yaml.body).unwrap()).expect("YAML");
    assert_eq!(from_yaml, doc, "/openapi.yaml is the same document");
    doc
}

#[tokio::test]
async fn every_error_klue_answers_is_documented_for_its_operation() {
    let config = ServerConfig {
        body_limit: 1024,
        ..common::config()
    };
    let (client, _) = common::serve(Server::new(config).api(common::hello())).await;
    let doc = served_spec(&client).await;
    let token = common::mint("user-1", json!({}));
    let bearer = format!("Bearer {token}");
    let auth = [("authorization", bearer.as_str())];

    let no_token = client
        .post_json("/v1/messages", &json!({"text": "hi", "priority": 1}), None)
        .await;
    assert_documented(
        &doc,
        "POST",
        "/v1/messages",
        &no_token,
        "AUTHORIZATION_HEADER_MISSING",
    );
    let invalid = client
        .post_json(
            "/v1/messages",
            &json!({"text": "", "priority": 9}),
            Some(&token),
        )
        .await;
    assert_documented(&doc, "POST", "/v1/messages", &invalid, "INVALID_PARAMETER");
    let text = client
        .send(
            Method::POST,
            "/v1/messages",
            &auth,
            Some(("text/plain", b"hi".to_vec())),
        )
        .await;
    assert_documented(
        &doc,
        "POST",
        "/v1/messages",
        &text,
        "UNSUPPORTED_MEDIA_TYPE",
    );
    let large = client
        .send(
            Method::POST,
            "/v1/messages",
            &auth,
            Some(("application/json", vec![b' '; 4096])),
        )
        .await;
    assert_documented(&doc, "POST", "/v1/messages", &large, "PAYLOAD_TOO_LARGE");
    let bad_token = client.get_auth("/v1/hello", "not-a-token").await;
    assert_documented(&doc, "GET", "/v1/hello", &bad_token, "TOKEN_INVALID");
    let long_name = client
        .get(&format!("/v1/hello?name={}", "n".repeat(65)))
        .await;
    assert_documented(&doc, "GET", "/v1/hello", &long_name, "INVALID_PARAMETER");
    let bad_path = client.get("/v1/greetings/9").await;
    assert_documented(
        &doc,
        "GET",
        "/v1/greetings/{name}",
        &bad_path,
        "INVALID_PARAMETER",
    );
    let empty_name = client.get("/v1/greetings/").await;
    assert_documented(
        &doc,
        "GET",
        "/v1/greetings/{name}",
        &empty_name,
        "ROUTE_NOT_FOUND",
    );
    let no_auth = client.get("/auth/version").await;
    assert_documented(
        &doc,
        "GET",
        "/auth/version",
        &no_auth,
        "AUTHORIZATION_HEADER_MISSING",
    );

    // What the spec declares itself is kept: the 409 of POST /v1/messages is the spec's.
    assert_eq!(
        documented(&doc, "POST", "/v1/messages", 409)["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/Error"
    );
    // A status klue never answers for an operation is not claimed: no body, no 413.
    assert!(documented(&doc, "GET", "/v1/hello", 413).is_null());
    assert!(documented(&doc, "GET", "/v1/me", 400).is_null());
}

#[tokio::test]
async fn the_builtins_are_documented_and_answer_as_documented() {
    let (client, _) = common::serve(Server::new(common::config()).api(common::hello())).await;
    let doc = served_spec(&client).await;
    for path in ["/ping", "/version", "/health", "/metrics"] {
        let answer = client.get(path).await;
        assert_eq!(answer.status, 200, "{path}");
        let response = documented(&doc, "GET", path, 200);
        let media = response["content"].as_object().expect("content");
        let content_type = answer.headers["content-type"].to_str().expect("ASCII");
        assert!(
            media
                .keys()
                .any(|documented| content_type.starts_with(documented.as_str())),
            "{path} answers {content_type}, documented {media:?}"
        );
    }
    let version = client.get("/version").await.json();
    let schema = &doc["components"]["schemas"]["KlueVersion"];
    for key in schema["required"].as_array().expect("required") {
        assert!(version.get(key.as_str().expect("name")).is_some(), "{key}");
    }
    // The spec's own bearer scheme is the one /auth/version requires.
    assert_eq!(
        doc["paths"]["/auth/version"]["get"]["security"],
        json!([{"bearer": []}])
    );
}

#[tokio::test]
async fn builtins_switched_off_are_not_documented() {
    let config = ServerConfig {
        builtins: Builtins {
            docs: true,
            metrics: false,
            health: false,
        },
        request_timeout: None,
        ..common::config()
    };
    let (client, _) = common::serve(Server::new(config).api(common::hello())).await;
    let doc = served_spec(&client).await;
    let paths = doc["paths"].as_object().expect("paths");
    assert!(!paths.contains_key("/metrics"));
    assert!(!paths.contains_key("/health"));
    assert!(paths.contains_key("/ping"));
    client
        .get("/metrics")
        .await
        .assert_error(404, "ROUTE_NOT_FOUND");
    // Without a request timeout, neither 408 nor 503 is claimed.
    assert!(documented(&doc, "POST", "/v1/messages", 408).is_null());
    assert!(documented(&doc, "POST", "/v1/messages", 503).is_null());
    assert!(documented(&doc, "POST", "/v1/messages", 500).is_object());
}
