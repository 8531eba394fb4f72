//! Acceptance tests of the helloworld service (`examples/helloworld`), against a running server.
//!
//! Run them with `run_acceptance_tests --host H --port P` (or `klue test`), which waits for the
//! server, mints a token with the server's `KLUE_JWT_SECRET` and sets `KLUE_SERVER_HOST`,
//! `KLUE_SERVER_PORT`, `KLUE_SERVER_SCHEME` and `KLUE_JWT_TOKEN`. A plain `cargo test` has no
//! server to talk to, so they are `#[ignore]`d there. For https with a private CA, set
//! `KLUE_SERVER_CA_FILE` (or pass `--ca-file` to `run_acceptance_tests`).

use base64::Engine as _;
use http::Method;
use serde_json::{json, Value};
use testaccept::{assert_has_auth_version, assert_has_ping, assert_has_version, TestClient};

/// The server named by the environment.
fn client() -> TestClient {
    TestClient::from_env()
}

/// The token `run_acceptance_tests` minted for this run.
fn token() -> String {
    std::env::var("KLUE_JWT_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
        .expect(
            "KLUE_JWT_TOKEN is not set: run these tests with run_acceptance_tests, which mints it",
        )
}

/// The token's `sub`: who the server must say the caller is. Only read, never verified: the
/// server does that.
fn token_sub(token: &str) -> String {
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("the JWT payload is base64url");
    let claims: Value = serde_json::from_slice(&bytes).expect("the JWT payload is JSON");
    claims["sub"]
        .as_str()
        .expect("the token has a sub")
        .to_owned()
}

/// `(in, pointer)` of each violation of a validation error.
fn pointers(envelope: &klue_core::ErrorEnvelope) -> Vec<(String, String)> {
    envelope
        .errors
        .iter()
        .map(|v| (v.location.to_string(), v.pointer.clone()))
        .collect()
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn has_ping() {
    assert_has_ping(&client()).await;
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn has_version() {
    assert_has_version(&client(), "helloworld", "1.0.0").await;
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn has_auth_version() {
    let client = client();
    let auth_version = assert_has_auth_version(&client, &token()).await;
    let version = client.get("/version").await.assert_json(200);
    assert_eq!(auth_version, version, "/auth/version differs from /version");
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn say_hello() {
    let client = client();
    let anonymous = client.get("/v1/hello").await.assert_json(200);
    assert_eq!(anonymous, json!({"message": "Hello, world!"}));
    let named = client.get("/v1/hello?name=Bob").await.assert_json(200);
    assert_eq!(named, json!({"message": "Hello, Bob!"}));
    // With a token the greeting is for its user.
    let token = token();
    let sub = token_sub(&token);
    let known = client.get_auth("/v1/hello", &token).await.assert_json(200);
    assert_eq!(
        known,
        json!({"message": format!("Hello, {sub}!"), "user_id": sub})
    );
    // A bad token is refused, not taken as anonymous.
    client
        .get_auth("/v1/hello", "not-a-token")
        .await
        .assert_error(401, "TOKEN_INVALID");
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn greet_with_params() {
    let client = client();
    let twice = client
        .get("/v1/greetings/Ada?lang=fr&times=2")
        .await
        .assert_json(200);
    assert_eq!(twice, json!({"message": "Bonjour, Ada! Bonjour, Ada!"}));
    let asked = client
        .send(
            Method::GET,
            "/v1/greetings/Ada%20Lovelace?lang=sv",
            &[("X-Greeting-Punctuation", "?")],
            None,
        )
        .await
        .assert_json(200);
    assert_eq!(asked, json!({"message": "Hej, Ada Lovelace?"}));
    // Every bad parameter is reported at once, each where it is.
    let envelope = client
        .send(
            Method::GET,
            "/v1/greetings/9lives?lang=de&times=0",
            &[("X-Greeting-Punctuation", ";")],
            None,
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(
        pointers(&envelope),
        owned(&[
            ("path", "/name"),
            ("query", "/lang"),
            ("query", "/times"),
            ("header", "/x-greeting-punctuation"),
        ])
    );
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn post_message_validation_error() {
    let client = client();
    let body = json!({"text": "", "priority": 9, "tags": ["NOT OK"]});
    // Authentication comes first: no token, no validation.
    client
        .post_json("/v1/messages", &body, None)
        .await
        .assert_error(401, "AUTHORIZATION_HEADER_MISSING");
    let envelope = client
        .post_json("/v1/messages", &body, Some(&token()))
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(
        pointers(&envelope),
        owned(&[
            ("body", "/text"),
            ("body", "/priority"),
            ("body", "/tags/0")
        ])
    );
    assert!(
        envelope
            .error_description
            .starts_with("3 errors in the request"),
        "description: {}",
        envelope.error_description
    );
    assert!(
        envelope.errors.iter().all(|v| !v.message.is_empty()),
        "every violation says what is wrong: {:?}",
        envelope.errors
    );
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn post_message_then_duplicate() {
    let client = client();
    let token = token();
    // A fresh text, so that the test passes again against the same server.
    let text = format!("acceptance {}", uuid::Uuid::new_v4());
    let body = json!({"text": text, "priority": 2, "tags": ["acceptance"]});
    let message = client
        .post_json("/v1/messages", &body, Some(&token))
        .await
        .assert_json(201);
    assert_eq!(message["author"], token_sub(&token), "{message}");
    assert_eq!(message["text"], text, "{message}");
    let id = message["id"].as_str().unwrap_or("");
    assert!(
        uuid::Uuid::parse_str(id).is_ok(),
        "id is not a uuid: {message}"
    );
    let envelope = client
        .post_json("/v1/messages", &body, Some(&token))
        .await
        .assert_error(409, "DUPLICATE_MESSAGE");
    assert_eq!(
        envelope.user_message.as_deref(),
        Some("You already said that.")
    );
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn whoami() {
    let client = client();
    let token = token();
    let sub = token_sub(&token);
    let me = client.get_auth("/v1/me", &token).await.assert_json(200);
    assert_eq!(
        me,
        json!({"message": format!("Hello, {sub}!"), "user_id": sub})
    );
    client
        .get("/v1/me")
        .await
        .assert_error(401, "AUTHORIZATION_HEADER_MISSING");
}
