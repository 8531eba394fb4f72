//! Validation says exactly what the spec says, over real HTTP on 127.0.0.1: numbers parsed to
//! the nearest double, and a bounded answer to a huge invalid request.

use helloworld::api;
use helloworld::Hello;
use klue_core::{Authenticator, JwtConfig, ServerConfig};
use serde_json::json;
use testaccept::TestClient;

fn jwt_config() -> JwtConfig {
    JwtConfig {
        secret: Some("helloworld-validation-secret-0123456789".to_owned()),
        audience: Some("helloworld-validation".to_owned()),
        issuer: Some("klue-tests".to_owned()),
        ..JwtConfig::default()
    }
}

/// The service with a 2 MB body limit, and a token for `POST /v1/messages`.
async fn start() -> (TestClient, String) {
    let config = ServerConfig {
        jwt: jwt_config(),
        body_limit: 2 * 1024 * 1024,
        ..ServerConfig::default()
    };
    let client = testaccept::serve([api::router(Hello::default())], config)
        .await
        .0;
    let token = Authenticator::new(jwt_config())
        .expect("valid JWT config")
        .mint("user-7", serde_json::Map::new())
        .expect("token minted");
    (client, token)
}

/// Posts `body` (sent as written: numbers keep their digits) as a message.
async fn post_raw(client: &TestClient, token: &str, body: &str) -> testaccept::TestResponse {
    let bearer = format!("Bearer {token}");
    client
        .send(
            http::Method::POST,
            "/v1/messages",
            &[("authorization", &bearer)],
            Some(("application/json", body.as_bytes().to_vec())),
        )
        .await
}

#[tokio::test]
async fn numbers_are_read_as_the_nearest_double() {
    let (client, token) = start().await;
    // The largest double below 1 is below exclusiveMaximum 1; read imprecisely it is 1.
    for (i, score) in [
        "0.9999999999999999",
        "2.2250738585072011e-308",
        "1e-45",
        "0.30000000000000004",
    ]
    .iter()
    .enumerate()
    {
        let body = format!(r#"{{"text":"score {i}","priority":1,"score":{score}}}"#);
        let created = post_raw(&client, &token, &body).await.assert_json(201);
        let expected: f64 = score.parse().expect("a double");
        assert_eq!(created["score"], json!(expected), "{score}");
    }
    let at_bound = post_raw(
        &client,
        &token,
        r#"{"text":"one","priority":1,"score":1.0}"#,
    )
    .await;
    let envelope = at_bound.assert_error(400, "INVALID_PARAMETER");
    assert_eq!(envelope.errors[0].pointer, "/score");
}

#[tokio::test]
async fn a_huge_invalid_body_gets_a_bounded_answer() {
    let (client, token) = start().await;
    // 200 000 tags breaking their pattern (and maxItems): an 800 KB body.
    let mut body = String::from(r#"{"text":"many","priority":1,"tags":["#);
    body.push_str(&vec![r#""A""#; 200_000].join(","));
    body.push_str("]}");
    assert!(body.len() > 800_000);
    let response = post_raw(&client, &token, &body).await;
    let size = response.body.len();
    let envelope = response.assert_error(400, "INVALID_PARAMETER");
    assert!(size <= 64 * 1024, "the 400 is {size} bytes");
    assert_eq!(envelope.errors_total, Some(200_001));
    assert_eq!(envelope.errors.len(), 100);
    assert_eq!(envelope.errors[0].pointer, "/tags");
    assert_eq!(envelope.errors[1].pointer, "/tags/0");
    assert_eq!(envelope.errors[99].pointer, "/tags/98");
    assert!(
        envelope
            .error_description
            .starts_with("200001 errors in the request (first 100 listed): body /tags: "),
        "{}",
        envelope.error_description
    );

    // A long value out of its enum: the message shows a bounded part of it.
    let long = "Z".repeat(500_000);
    let body = json!({"text": "long", "priority": 1, "language": long});
    let response = client.post_json("/v1/messages", &body, Some(&token)).await;
    let size = response.body.len();
    let envelope = response.assert_error(400, "INVALID_PARAMETER");
    assert!(size <= 4 * 1024, "the 400 is {size} bytes");
    assert_eq!(envelope.errors.len(), 1);
    assert_eq!(
        envelope.errors[0].message,
        format!("'{}...' is not one of ['en', 'fr', 'sv']", "Z".repeat(64))
    );
    assert_eq!(envelope.errors_total, None);
}

#[tokio::test]
async fn integers_are_what_json_schema_calls_integers() {
    let (client, token) = start().await;
    // An integer spelled as a decimal or with an exponent is an integer.
    for (i, priority) in ["3.0", "3", "0.3e1", "3e0"].iter().enumerate() {
        let body = format!(r#"{{"text":"integer {i}","priority":{priority}}}"#);
        let created = post_raw(&client, &token, &body).await.assert_json(201);
        assert_eq!(created["priority"], json!(3), "{priority}");
    }
    // A fraction is not; a value out of range says so.
    for (priority, message) in [
        ("3.5", "expected integer, got number"),
        (
            "9223372036854775808",
            "9223372036854775808 is out of range for a 64-bit integer",
        ),
        // Rounds to -2^63 as a double: refused, never stored as i64::MIN.
        (
            "-9223372036854775809",
            "-9.223372036854776e+18 is out of range for a 64-bit integer",
        ),
        ("1e300", "1e+300 is out of range for a 64-bit integer"),
        ("3000000000", "3000000000 does not fit format int32"),
        ("3000000000.0", "3000000000 does not fit format int32"),
    ] {
        let body = format!(r#"{{"text":"bad","priority":{priority}}}"#);
        let envelope = post_raw(&client, &token, &body)
            .await
            .assert_error(400, "INVALID_PARAMETER");
        // (Past int32, `maximum: 5` is broken too: the range is said first.)
        assert_eq!(envelope.errors[0].pointer, "/priority");
        assert_eq!(envelope.errors[0].message, message, "{priority}");
    }

    // In a parameter, an integer is JSON's digits.
    let greeting = client
        .get("/v1/greetings/Ada?times=2")
        .await
        .assert_json(200);
    assert_eq!(greeting["message"], "Hello, Ada! Hello, Ada!");
    for (times, message) in [
        ("%2B2", "'+2' is not an integer"),
        ("02", "'02' is not an integer"),
        ("2.0", "'2.0' is not an integer"),
        (
            "9223372036854775808",
            "9223372036854775808 does not fit format int32",
        ),
    ] {
        let envelope = client
            .get(&format!("/v1/greetings/Ada?times={times}"))
            .await
            .assert_error(400, "INVALID_PARAMETER");
        assert_eq!(envelope.errors[0].pointer, "/times");
        assert_eq!(envelope.errors[0].message, message, "{times}");
    }
}

/// The only violation of a 400, as (location, pointer, message).
fn only_violation(response: &testaccept::TestResponse) -> (String, String, String) {
    let envelope = response.assert_error(400, "INVALID_PARAMETER");
    assert_eq!(envelope.errors.len(), 1, "{:?}", envelope.errors);
    let found = &envelope.errors[0];
    (
        found.location.to_string(),
        found.pointer.clone(),
        found.message.clone(),
    )
}

#[tokio::test]
async fn parameters_that_are_not_utf8_are_refused_not_replaced() {
    let (client, _) = start().await;
    let greeting = client
        .get("/v1/hello?name=%C3%A9mile")
        .await
        .assert_json(200);
    assert_eq!(greeting["message"], "Hello, émile!");

    let response = client.get("/v1/hello?name=%FF").await;
    assert_eq!(
        only_violation(&response),
        (
            "query".to_owned(),
            "/name".to_owned(),
            "'%FF' is not UTF-8 once percent-decoded".to_owned()
        )
    );
    let response = client.get("/v1/greetings/Ad%C3%28a").await;
    assert_eq!(
        only_violation(&response),
        (
            "path".to_owned(),
            "/name".to_owned(),
            "'Ad%C3%28a' is not UTF-8 once percent-decoded".to_owned()
        )
    );
}

#[tokio::test]
async fn a_single_valued_parameter_given_twice_is_refused() {
    let (client, token) = start().await;
    let response = client.get("/v1/greetings/Ada?lang=en&lang=fr").await;
    assert_eq!(
        only_violation(&response),
        (
            "query".to_owned(),
            "/lang".to_owned(),
            "parameter 'lang' is given 2 times; it takes a single value".to_owned()
        )
    );
    let response = client
        .send(
            http::Method::GET,
            "/v1/greetings/Ada",
            &[
                ("x-greeting-punctuation", "!"),
                ("x-greeting-punctuation", "?"),
            ],
            None,
        )
        .await;
    assert_eq!(
        only_violation(&response),
        (
            "header".to_owned(),
            "/x-greeting-punctuation".to_owned(),
            "parameter 'x-greeting-punctuation' is given 2 times; it takes a single value"
                .to_owned()
        )
    );

    // Two tokens: neither is used, even when both are valid.
    let bearer = format!("Bearer {token}");
    let me = client
        .send(
            http::Method::GET,
            "/v1/me",
            &[("authorization", &bearer)],
            None,
        )
        .await
        .assert_json(200);
    assert_eq!(me["user_id"], "user-7");
    let envelope = client
        .send(
            http::Method::GET,
            "/v1/me",
            &[("authorization", &bearer), ("authorization", &bearer)],
            None,
        )
        .await
        .assert_error(401, "TOKEN_INVALID");
    assert_eq!(
        envelope.error_description,
        "The request has more than one Authorization header; send one"
    );
}

#[tokio::test]
async fn null_only_where_the_spec_makes_a_property_nullable() {
    let (client, token) = start().await;
    // Absent optional properties are fine.
    let created = client
        .post_json(
            "/v1/messages",
            &json!({"text": "absent", "priority": 1}),
            Some(&token),
        )
        .await
        .assert_json(201);
    assert_eq!(created["text"], "absent");
    // None of NewMessage's optional properties is nullable: null is not a value of theirs.
    for (property, expected) in [
        ("language", "string"),
        ("tags", "array"),
        ("urgent", "boolean"),
        ("score", "number"),
    ] {
        let mut body = json!({"text": format!("null {property}"), "priority": 1});
        body[property] = json!(null);
        let response = client.post_json("/v1/messages", &body, Some(&token)).await;
        assert_eq!(
            only_violation(&response),
            (
                "body".to_owned(),
                format!("/{property}"),
                format!("expected {expected}, got null")
            )
        );
    }
    let response = client
        .post_json(
            "/v1/messages",
            &json!({"text": "null item", "priority": 1, "tags": ["a", null]}),
            Some(&token),
        )
        .await;
    assert_eq!(only_violation(&response).1, "/tags/1");
}

#[tokio::test]
async fn an_object_is_a_json_object_not_a_list_of_its_fields() {
    let (client, token) = start().await;
    for positional in [json!(["hello", 3]), json!([]), json!([["a"]])] {
        let response = client
            .post_json("/v1/messages", &positional, Some(&token))
            .await;
        assert_eq!(
            only_violation(&response),
            (
                "body".to_owned(),
                String::new(),
                "expected object, got array".to_owned()
            ),
            "{positional}"
        );
    }
}

#[tokio::test]
async fn deep_nesting_is_refused_within_a_bounded_depth() {
    let (client, token) = start().await;
    // 100 000 nested arrays (200 KB): past serde_json's 128 levels, a 400, and the server
    // (no stack overflow) answers the next request.
    let depth = 100_000;
    let body = format!(
        r#"{{"text":"deep","priority":1,"tags":{}{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let envelope = post_raw(&client, &token, &body)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert!(
        envelope.error_description.contains("recursion limit"),
        "{}",
        envelope.error_description
    );
    let ok = r#"{"text":"shallow","priority":1,"tags":["a"]}"#;
    post_raw(&client, &token, ok).await.assert_json(201);
}
