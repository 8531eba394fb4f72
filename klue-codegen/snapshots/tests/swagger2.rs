//! A klue-microservice-style Swagger 2.0 API (`apis/fixtures/swagger2/helloworld.yaml`), served
//! over real HTTP on 127.0.0.1 by the code generated from the unchanged spec: valid requests
//! reach the handler through the generated client, invalid bodies and parameters are refused
//! with JSON pointers, the `x-decorate-server: ...requires_auth` operation wants a JWT, and the
//! `x-no-bind-server` operation is not served.

use http::StatusCode;
use klue_core::{ApiError, Authenticator, JwtConfig, ServerConfig};
use klue_core::{ClientConfig, ClientError};
use klue_snapshots::swagger2_helloworld as hw;
use serde_json::json;

fn jwt() -> JwtConfig {
    JwtConfig {
        secret: Some("swagger2-secret-swagger2-secret!".to_owned()),
        ..JwtConfig::default()
    }
}

fn token(user: &str) -> String {
    Authenticator::new(jwt())
        .expect("authenticator")
        .mint(user, serde_json::Map::new())
        .expect("token")
}

struct Hello;

impl hw::HelloworldApi for Hello {
    async fn do_hello(&self, request: hw::DoHelloRequest) -> Result<hw::DoHelloResponse, ApiError> {
        let lang = request.lang.map_or("en", |l| l.as_str());
        let times = request.times.unwrap_or(1);
        Ok(hw::Greeting {
            message: format!("{lang}: hello {} x{times}", request.name),
        }
        .into())
    }

    async fn post_message(
        &self,
        request: hw::PostMessageRequest,
    ) -> Result<hw::PostMessageResponse, ApiError> {
        let message = request.body;
        Ok(hw::Message {
            id: "m-1".into(),
            author: request.claims.sub,
            text: message.text,
            priority: message.priority,
            tags: message.tags,
        }
        .into())
    }
}

async fn serve() -> (testaccept::TestClient, std::net::SocketAddr) {
    let config = ServerConfig {
        jwt: jwt(),
        ..ServerConfig::default()
    };
    testaccept::serve([hw::router(Hello)], config).await
}

fn client(addr: std::net::SocketAddr, validate_requests: bool) -> hw::HelloworldClient {
    let mut config = ClientConfig::new(format!("http://{addr}"));
    config.validate_requests = validate_requests;
    hw::HelloworldClient::new(config).expect("client")
}

#[tokio::test]
async fn swagger2_valid_requests_are_served() {
    let (_, addr) = serve().await;
    let client = client(addr, true);
    let hello = client
        .do_hello(hw::DoHelloParams {
            name: "Ada".into(),
            lang: Some(hw::DoHelloLang::Fr),
            times: Some(2),
        })
        .await
        .expect("do_hello");
    assert_eq!(
        hello,
        hw::DoHelloResponse::Ok(hw::Greeting {
            message: "fr: hello Ada x2".into()
        })
    );
    let created = client
        .with_token(token("erin"))
        .post_message(hw::PostMessageParams {
            body: hw::NewMessage {
                text: "hi".into(),
                priority: 3,
                tags: Some(vec!["a-1".into()]),
            },
        })
        .await
        .expect("post_message");
    assert_eq!(
        created,
        hw::PostMessageResponse::Created(hw::Message {
            id: "m-1".into(),
            author: "erin".into(),
            text: "hi".into(),
            priority: 3,
            tags: Some(vec!["a-1".into()]),
        })
    );
}

#[tokio::test]
async fn swagger2_invalid_requests_are_refused_with_pointers() {
    let (raw, addr) = serve().await;
    let invalid = hw::NewMessage {
        text: String::new(),
        priority: 9,
        tags: Some(vec!["A B".into()]),
    };
    // The client checks the body against the spec before sending...
    let refused = client(addr, true)
        .with_token(token("ivy"))
        .post_message(hw::PostMessageParams {
            body: invalid.clone(),
        })
        .await
        .expect_err("invalid body");
    let ClientError::InvalidRequest(violations) = &refused else {
        panic!("expected InvalidRequest, got {refused:?}");
    };
    let pointers: Vec<&str> = violations.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(pointers, ["/text", "/priority", "/tags/0"]);

    // ...and the server refuses it with the same pointers.
    let rejected = client(addr, false)
        .with_token(token("ivy"))
        .post_message(hw::PostMessageParams { body: invalid })
        .await
        .expect_err("server refuses");
    let ClientError::Api { status, envelope } = &rejected else {
        panic!("expected Api, got {rejected:?}");
    };
    assert_eq!(*status, StatusCode::BAD_REQUEST);
    assert_eq!(envelope.error, "INVALID_PARAMETER");
    let pointers: Vec<&str> = envelope.errors.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(pointers, ["/text", "/priority", "/tags/0"]);

    // A missing required property, over raw HTTP.
    let missing = raw
        .post_json("/v1/messages", &json!({"text": "hi"}), Some(&token("ivy")))
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert!(
        missing.errors.iter().any(|v| v.pointer == "/priority"),
        "{missing:?}"
    );

    // Parameters converted from 2.0 keep their constraints.
    raw.get("/v1/hello/Ada?times=9")
        .await
        .assert_error(400, "INVALID_PARAMETER");
    raw.get("/v1/hello/Ada?lang=de")
        .await
        .assert_error(400, "INVALID_PARAMETER");
    raw.get("/v1/hello/9lives")
        .await
        .assert_error(400, "INVALID_PARAMETER");
}

#[tokio::test]
async fn swagger2_requires_auth_operation_wants_a_token() {
    let (raw, addr) = serve().await;
    let body = hw::NewMessage {
        text: "hi".into(),
        priority: 1,
        tags: None,
    };
    let missing = client(addr, true)
        .post_message(hw::PostMessageParams { body })
        .await
        .expect_err("no token");
    assert_eq!(missing.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(missing.code(), Some("AUTHORIZATION_HEADER_MISSING"));
    raw.post_json("/v1/messages", &json!({"text": "hi", "priority": 1}), None)
        .await
        .assert_error(401, "AUTHORIZATION_HEADER_MISSING");
    raw.post_json(
        "/v1/messages",
        &json!({"text": "hi", "priority": 1}),
        Some("not-a-token"),
    )
    .await
    .assert_error(401, "TOKEN_INVALID");
}

#[tokio::test]
async fn swagger2_x_no_bind_server_operation_is_not_served() {
    let (raw, _) = serve().await;
    let response = raw
        .post_json("/v1/internal/reindex", &json!({}), None)
        .await;
    assert_eq!(response.status.as_u16(), 404);
    // The built-ins are there, as for any klue service.
    testaccept::assert_has_ping(&raw).await;
    testaccept::assert_has_version(&raw, "helloworld", "0.0.1").await;
}
