//! The helloworld service over real HTTP on 127.0.0.1: built-ins, JWT, validation, and every
//! error the server emits.

use helloworld::api::{self, HelloworldApi};
use helloworld::Hello;
use klue_core::{ApiError, Authenticator, JwtConfig, ServerConfig};
use serde_json::{json, Map, Value};
use testaccept::{TestClient, TestResponse};

const SECRET: &str = "helloworld-test-secret-helloworld";
const AUDIENCE: &str = "helloworld-tests";
const ISSUER: &str = "klue-tests";

fn jwt_config() -> JwtConfig {
    JwtConfig {
        secret: Some(SECRET.to_owned()),
        audience: Some(AUDIENCE.to_owned()),
        issuer: Some(ISSUER.to_owned()),
        ..JwtConfig::default()
    }
}

fn config() -> ServerConfig {
    ServerConfig {
        jwt: jwt_config(),
        body_limit: 64 * 1024,
        container_version: "261122-1200-7-abc1234".to_owned(),
        ..ServerConfig::default()
    }
}

async fn start() -> TestClient {
    testaccept::serve([api::router(Hello::default())], config())
        .await
        .0
}

fn mint_with(config: JwtConfig, user: &str, extra: Value) -> String {
    let extra: Map<String, Value> = serde_json::from_value(extra).expect("claims object");
    Authenticator::new(config)
        .expect("valid JWT config")
        .mint(user, extra)
        .expect("token minted")
}

fn mint(extra: Value) -> String {
    mint_with(jwt_config(), "user-42", extra)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[tokio::test]
async fn builtins_answer_as_the_original() {
    let client = start().await;
    testaccept::assert_has_ping(&client).await;
    let version = testaccept::assert_has_version(&client, "helloworld", "1.0.0").await;
    assert_eq!(version["container"], "261122-1200-7-abc1234");
    let auth_version = testaccept::assert_has_auth_version(&client, &mint(json!({}))).await;
    assert_eq!(auth_version, version);
}

#[tokio::test]
async fn missing_header_is_the_original_envelope() {
    let client = start().await;
    let response = client.get("/auth/version").await;
    // RFC 6750's challenge: a bare `Bearer` when no credential was sent.
    assert_eq!(response.headers["www-authenticate"], "Bearer");
    let envelope = response.assert_error(401, "AUTHORIZATION_HEADER_MISSING");
    assert_eq!(
        envelope.error_description,
        "There is no Authorization header in the HTTP request"
    );
    // Each error carries a fresh id.
    let again = client
        .get("/auth/version")
        .await
        .assert_error(401, "AUTHORIZATION_HEADER_MISSING");
    assert_ne!(envelope.error_id, again.error_id);
}

#[tokio::test]
async fn handlers_get_the_callers_sub() {
    let client = start().await;
    let token = mint_with(jwt_config(), "alice", json!({"role": "admin"}));
    let body = client.get_auth("/v1/me", &token).await.assert_json(200);
    assert_eq!(
        body,
        json!({"message": "Hello, alice!", "user_id": "alice"})
    );
}

#[tokio::test]
async fn optional_auth_admits_anonymous_callers_and_verifies_tokens() {
    let client = start().await;
    let anonymous = client.get("/v1/hello").await.assert_json(200);
    assert_eq!(anonymous, json!({"message": "Hello, world!"}));
    // An unrelated cookie is not a credential.
    let response = client
        .send(
            http::Method::GET,
            "/v1/hello",
            &[("cookie", "theme=dark")],
            None,
        )
        .await;
    assert_eq!(response.assert_json(200), anonymous);
    let token = mint_with(jwt_config(), "dora", json!({}));
    let known = client.get_auth("/v1/hello", &token).await.assert_json(200);
    assert_eq!(known, json!({"message": "Hello, dora!", "user_id": "dora"}));
    // A bad token is refused, not ignored.
    client
        .get_auth("/v1/hello", "not-a-token")
        .await
        .assert_error(401, "TOKEN_INVALID");
}

#[tokio::test]
async fn token_cookie_is_accepted_like_the_original() {
    let client = start().await;
    let cookie = format!("token=Bearer {}", mint(json!({})));
    let response = client
        .send(http::Method::GET, "/v1/me", &[("cookie", &cookie)], None)
        .await;
    assert_eq!(response.assert_json(200)["user_id"], "user-42");
}

async fn refused(client: &TestClient, token: &str, code: &str) -> TestResponse {
    let response = client.get_auth("/auth/version", token).await;
    response.assert_error(401, code);
    assert_eq!(
        response.headers["www-authenticate"], "Bearer error=\"invalid_token\"",
        "RFC 6750's challenge of a refused token"
    );
    response
}

#[tokio::test]
async fn bad_tokens_are_refused_with_the_right_code() {
    let client = start().await;
    let past = now() - 1000;
    let future = now() + 1000;
    refused(&client, &mint(json!({"exp": past})), "TOKEN_EXPIRED").await;
    // Within the default 300 s leeway an expired token still passes.
    let recent = mint(json!({"exp": now() - 100}));
    client
        .get_auth("/auth/version", &recent)
        .await
        .assert_json(200);
    refused(&client, &mint(json!({"nbf": future})), "TOKEN_INVALID").await;
    refused(&client, &mint(json!({"iat": future})), "TOKEN_INVALID").await;
    refused(
        &client,
        &mint(json!({"aud": "someone-else"})),
        "TOKEN_INVALID",
    )
    .await;
    refused(
        &client,
        &mint(json!({"iss": "someone-else"})),
        "TOKEN_INVALID",
    )
    .await;
    let other_secret = JwtConfig {
        secret: Some("another-secret-another-secret-1234".to_owned()),
        ..jwt_config()
    };
    refused(
        &client,
        &mint_with(other_secret, "mallory", json!({})),
        "TOKEN_INVALID",
    )
    .await;
}

#[tokio::test]
async fn alg_none_is_refused() {
    use base64::Engine;
    let client = start().await;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let claims = json!({"sub": "mallory", "aud": AUDIENCE, "iss": ISSUER, "exp": now() + 600});
    let payload = b64.encode(claims.to_string());
    for token in [
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
    ] {
        refused(&client, &token, "TOKEN_INVALID").await;
    }
}

const RSA_PRIVATE: &str = include_str!("../../../testaccept/keys/rsa_private.pem");
const RSA_PUBLIC: &str = include_str!("../../../testaccept/keys/rsa_public.pem");
const EC_PRIVATE: &str = include_str!("../../../testaccept/keys/ec_private.pem");
const EC_PUBLIC: &str = include_str!("../../../testaccept/keys/ec_public.pem");

fn asymmetric(algorithm: jsonwebtoken::Algorithm, private: &str, public: &str) -> JwtConfig {
    JwtConfig {
        algorithm,
        secret: None,
        public_key_pem: Some(public.to_owned()),
        private_key_pem: Some(private.to_owned()),
        ..jwt_config()
    }
}

#[tokio::test]
async fn rs256_and_es256_work_and_hs_rs_confusion_is_refused() {
    for (algorithm, private, public) in [
        (jsonwebtoken::Algorithm::RS256, RSA_PRIVATE, RSA_PUBLIC),
        (jsonwebtoken::Algorithm::ES256, EC_PRIVATE, EC_PUBLIC),
    ] {
        let config = asymmetric(algorithm, private, public);
        let client = testaccept::serve(
            [api::router(Hello::default())],
            ServerConfig {
                jwt: config.clone(),
                ..ServerConfig::default()
            },
        )
        .await
        .0;
        let good = mint_with(config, "bob", json!({}));
        assert_eq!(
            client.get_auth("/v1/me", &good).await.assert_json(200)["user_id"],
            "bob"
        );

        // The classic confusion attack: an HS256 token whose HMAC key is the public key.
        let claims = json!({"sub": "mallory", "aud": AUDIENCE, "iss": ISSUER, "exp": now() + 600});
        // jsonwebtoken signs with the provider klue installs (no backend of its own here).
        klue_core::install_jwt_crypto();
        let forged = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(public.as_bytes()),
        )
        .expect("forged token");
        refused(&client, &forged, "TOKEN_INVALID").await;
    }
}

#[tokio::test]
async fn path_query_and_header_parameters_are_decoded() {
    let client = start().await;
    let response = client
        .send(
            http::Method::GET,
            "/v1/greetings/Ada%20Lovelace?lang=sv&times=2",
            &[("X-Greeting-Punctuation", "?")],
            None,
        )
        .await;
    assert_eq!(
        response.assert_json(200)["message"],
        "Hej, Ada Lovelace? Hej, Ada Lovelace?"
    );
    let hello = client.get("/v1/hello?name=Bob").await.assert_json(200);
    assert_eq!(hello, json!({"message": "Hello, Bob!"}));
}

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
async fn every_parameter_violation_is_reported_together() {
    let client = start().await;
    let response = client
        .send(
            http::Method::GET,
            "/v1/greetings/9lives?lang=de&times=0",
            &[("X-Greeting-Punctuation", ";")],
            None,
        )
        .await;
    let envelope = response.assert_error(400, "INVALID_PARAMETER");
    assert_eq!(
        pointers(&envelope),
        owned(&[
            ("path", "/name"),
            ("query", "/lang"),
            ("query", "/times"),
            ("header", "/x-greeting-punctuation"),
        ])
    );
    let times = client.get("/v1/greetings/Al?times=lots").await;
    let envelope = times.assert_error(400, "INVALID_PARAMETER");
    assert!(envelope.errors[0]
        .message
        .contains("'lots' is not an integer"));
}

#[tokio::test]
async fn every_body_violation_is_reported_together_with_its_pointer() {
    let client = start().await;
    let token = mint(json!({}));
    // Constraint violations on a body that has the right types (typed fast path).
    let body = json!({"text": "", "priority": 9, "score": 1.0, "tags": ["ok", "NOT OK"], "language": "fr"});
    let envelope = client
        .post_json("/v1/messages", &body, Some(&token))
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(
        pointers(&envelope),
        owned(&[
            ("body", "/text"),
            ("body", "/priority"),
            ("body", "/score"),
            ("body", "/tags/1")
        ])
    );
    // Type errors, a missing property and an unknown enum value (untyped slow path).
    let body = json!({"priority": "high", "urgent": "yes", "tags": [], "language": "de"});
    let envelope = client
        .post_json("/v1/messages", &body, Some(&token))
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(
        pointers(&envelope),
        owned(&[
            ("body", "/text"),
            ("body", "/priority"),
            ("body", "/urgent"),
            ("body", "/tags"),
            ("body", "/language"),
        ])
    );
    assert!(envelope
        .error_description
        .starts_with("5 errors in the request"));
}

#[tokio::test]
async fn malformed_json_wrong_content_type_and_missing_body() {
    let client = start().await;
    let auth = format!("Bearer {}", mint(json!({})));
    let headers = [("authorization", auth.as_str())];
    let malformed = client
        .send(
            http::Method::POST,
            "/v1/messages",
            &headers,
            Some(("application/json", b"{\"text\": ".to_vec())),
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert!(
        malformed.error_description.contains("malformed JSON"),
        "{malformed:?}"
    );

    client
        .send(
            http::Method::POST,
            "/v1/messages",
            &headers,
            Some(("text/plain", b"hello".to_vec())),
        )
        .await
        .assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
    // JSON with a charset parameter is fine.
    let ok = client
        .send(
            http::Method::POST,
            "/v1/messages",
            &headers,
            Some((
                "application/json; charset=utf-8",
                br#"{"text":"hi","priority":1}"#.to_vec(),
            )),
        )
        .await;
    assert_eq!(ok.assert_json(201)["author"], "user-42");

    let missing = client
        .send(http::Method::POST, "/v1/messages", &headers, None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert!(
        missing.error_description.contains("required"),
        "{missing:?}"
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let client = start().await;
    let auth = format!("Bearer {}", mint(json!({})));
    let text = "x".repeat(100 * 1024);
    let body = serde_json::to_vec(&json!({"text": text, "priority": 1})).expect("json");
    client
        .send(
            http::Method::POST,
            "/v1/messages",
            &[("authorization", &auth)],
            Some(("application/json", body)),
        )
        .await
        .assert_error(413, "PAYLOAD_TOO_LARGE");
    // The server is still fine afterwards.
    testaccept::assert_has_ping(&client).await;
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_are_envelopes() {
    let client = start().await;
    client
        .get("/v1/nothing-here")
        .await
        .assert_error(404, "ROUTE_NOT_FOUND");
    let response = client
        .send(http::Method::DELETE, "/v1/messages", &[], None)
        .await;
    response.assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(response.headers["allow"], "POST");
    let response = client.send(http::Method::POST, "/ping", &[], None).await;
    response.assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(response.headers["allow"], "GET");
}

#[tokio::test]
async fn declared_errors_keep_their_code_status_and_user_message() {
    let client = start().await;
    let token = mint(json!({}));
    let body = json!({"text": "twice", "priority": 2});
    let first = client
        .post_json("/v1/messages", &body, Some(&token))
        .await
        .assert_json(201);
    assert_eq!(first["text"], "twice");
    assert!(uuid::Uuid::parse_str(first["id"].as_str().unwrap_or("")).is_ok());
    let envelope = client
        .post_json("/v1/messages", &body, Some(&token))
        .await
        .assert_error(409, "DUPLICATE_MESSAGE");
    assert_eq!(
        envelope.user_message.as_deref(),
        Some("You already said that.")
    );
}

/// A service whose handlers fail in the two ways a handler can.
struct Faulty;

impl HelloworldApi for Faulty {
    async fn say_hello(&self, _: api::SayHelloRequest) -> Result<api::SayHelloResponse, ApiError> {
        panic!("the handler exploded");
    }
    async fn whoami(&self, _: api::WhoamiRequest) -> Result<api::WhoamiResponse, ApiError> {
        Err(ApiError::internal(std::io::Error::other("disk on fire")))
    }
    async fn greet(&self, request: api::GreetRequest) -> Result<api::GreetResponse, ApiError> {
        Hello::default().greet(request).await
    }
    async fn post_message(
        &self,
        _: api::PostMessageRequest,
    ) -> Result<api::PostMessageResponse, ApiError> {
        Err(ApiError::internal_msg("not here"))
    }
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_and_the_server_keeps_serving() {
    let client = testaccept::serve([api::router(Faulty)], config()).await.0;
    for _ in 0..3 {
        let envelope = client
            .get("/v1/hello")
            .await
            .assert_error(500, "SERVER_ERROR");
        assert!(
            !envelope.error_description.contains("exploded"),
            "panic text leaked: {envelope:?}"
        );
        let good = client.get("/v1/greetings/Al").await.assert_json(200);
        assert_eq!(good["message"], "Hello, Al!");
    }
    let envelope = client
        .get_auth("/v1/me", &mint(json!({})))
        .await
        .assert_error(500, "SERVER_ERROR");
    assert!(
        !envelope.error_description.contains("disk"),
        "internal error leaked: {envelope:?}"
    );
}
