//! Round trips over real HTTP on 127.0.0.1: the generated client of each snapshot talks to the
//! generated server of the same snapshot and gets back what the handler returned; errors come
//! back as typed errors carrying the server's `error_id`.

use http::StatusCode;
use klue_core::{ApiError, Authenticator, JwtConfig, ServerConfig};
use klue_core::{ClientConfig, ClientError};
use klue_snapshots::{bench, helloworld as hw};

fn jwt() -> JwtConfig {
    JwtConfig {
        secret: Some("roundtrip-secret-roundtrip-secret".to_owned()),
        ..JwtConfig::default()
    }
}

fn token(user: &str) -> String {
    Authenticator::new(jwt())
        .expect("authenticator")
        .mint(user, serde_json::Map::new())
        .expect("token")
}

fn config() -> ServerConfig {
    ServerConfig {
        jwt: jwt(),
        ..ServerConfig::default()
    }
}

/// A helloworld implementation for the snapshot's types.
struct Hello;

impl hw::HelloworldApi for Hello {
    async fn say_hello(
        &self,
        request: hw::SayHelloRequest,
    ) -> Result<hw::SayHelloResponse, ApiError> {
        let user_id = request.claims.map(|c| c.sub);
        let name = request
            .name
            .or_else(|| user_id.clone())
            .unwrap_or_else(|| "world".into());
        Ok(hw::Greeting {
            message: format!("Hello, {name}!"),
            user_id,
        }
        .into())
    }

    async fn whoami(&self, request: hw::WhoamiRequest) -> Result<hw::WhoamiResponse, ApiError> {
        let user_id = request.claims.sub;
        Ok(hw::Greeting {
            message: format!("Hello, {user_id}!"),
            user_id: Some(user_id),
        }
        .into())
    }

    async fn greet(&self, request: hw::GreetRequest) -> Result<hw::GreetResponse, ApiError> {
        let lang = request.lang.map_or("en", |l| l.as_str());
        let punctuation = request.x_greeting_punctuation.map_or("!", |p| p.as_str());
        let times = request.times.unwrap_or(1);
        Ok(hw::Greeting {
            message: format!("{lang}:{}{punctuation}x{times}", request.name),
            user_id: None,
        }
        .into())
    }

    async fn post_message(
        &self,
        request: hw::PostMessageRequest,
    ) -> Result<hw::PostMessageResponse, ApiError> {
        let message = request.body;
        if message.text == "taken" {
            return Err(
                ApiError::new(StatusCode::CONFLICT, "DUPLICATE_MESSAGE", "already posted")
                    .with_user_message("You already said that."),
            );
        }
        Ok(hw::PostMessageResponse::Created(hw::Message {
            id: "00000000-0000-4000-8000-000000000001"
                .parse()
                .expect("a UUID"),
            author: request.claims.sub,
            text: message.text,
            priority: message.priority,
            score: message.score,
            urgent: message.urgent,
            tags: message.tags,
            language: message.language,
        }))
    }
}

async fn helloworld_client(validate_requests: bool) -> hw::HelloworldClient {
    let (_, addr) = testaccept::serve([hw::router(Hello)], config()).await;
    let mut client_config = ClientConfig::new(format!("http://{addr}"));
    client_config.validate_requests = validate_requests;
    hw::HelloworldClient::new(client_config).expect("client")
}

#[tokio::test]
async fn helloworld_round_trips() {
    let client = helloworld_client(true).await;

    let hello = client
        .say_hello(hw::SayHelloParams { name: None })
        .await
        .expect("say_hello");
    assert_eq!(
        hello,
        hw::SayHelloResponse::Ok(hw::Greeting {
            message: "Hello, world!".into(),
            user_id: None
        })
    );
    let known = client
        .with_token(token("erin"))
        .say_hello(hw::SayHelloParams { name: None })
        .await
        .expect("say_hello with token");
    assert_eq!(
        known,
        hw::SayHelloResponse::Ok(hw::Greeting {
            message: "Hello, erin!".into(),
            user_id: Some("erin".into())
        })
    );

    let greeting = client
        .greet(hw::GreetParams {
            name: "Ada Lovelace".into(),
            lang: Some(hw::Language::Sv),
            times: Some(3),
            x_greeting_punctuation: Some(hw::GreetXGreetingPunctuation::Question),
        })
        .await
        .expect("greet");
    assert_eq!(
        greeting,
        hw::GreetResponse::Ok(hw::Greeting {
            message: "sv:Ada Lovelace?x3".into(),
            user_id: None
        })
    );

    let me = client
        .with_token(token("frank"))
        .whoami()
        .await
        .expect("whoami");
    assert_eq!(
        me,
        hw::WhoamiResponse::Ok(hw::Greeting {
            message: "Hello, frank!".into(),
            user_id: Some("frank".into())
        })
    );

    let body = hw::NewMessage {
        text: "hi".into(),
        priority: 2,
        score: Some(0.5),
        urgent: Some(true),
        tags: Some(vec!["a-1".into()]),
        language: Some(hw::Language::Fr),
    };
    let created = client
        .with_token(token("gina"))
        .post_message(hw::PostMessageParams { body: body.clone() })
        .await
        .expect("post_message");
    let hw::PostMessageResponse::Created(message) = created else {
        panic!("expected 201, got {created:?}");
    };
    assert_eq!(message.author, "gina");
    assert_eq!(
        (message.text, message.tags, message.language),
        (body.text, body.tags, body.language)
    );
}

#[tokio::test]
async fn errors_come_back_typed_with_the_servers_error_id() {
    let client = helloworld_client(true).await;

    let missing = client.whoami().await.expect_err("no token");
    assert_eq!(missing.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(missing.code(), Some("AUTHORIZATION_HEADER_MISSING"));
    let id = missing.error_id().expect("error_id");
    assert!(uuid_like(id), "{id}");

    let taken = hw::NewMessage {
        text: "taken".into(),
        priority: 1,
        score: None,
        urgent: None,
        tags: None,
        language: None,
    };
    let conflict = client
        .with_token(token("hank"))
        .post_message(hw::PostMessageParams { body: taken })
        .await
        .expect_err("duplicate");
    assert_eq!(conflict.status(), Some(StatusCode::CONFLICT));
    assert_eq!(conflict.code(), Some("DUPLICATE_MESSAGE"));
    assert_eq!(conflict.user_message(), Some("You already said that."));

    // A body that breaks the spec is refused before anything is sent...
    let invalid = hw::NewMessage {
        text: String::new(),
        priority: 9,
        score: None,
        urgent: None,
        tags: None,
        language: None,
    };
    let refused = client
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
    assert_eq!(pointers, ["/text", "/priority"]);

    // ...and when the client does not check, the server's 400 comes back with the same pointers.
    let unchecked = helloworld_client(false).await;
    let rejected = unchecked
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
    assert_eq!(pointers, ["/text", "/priority"]);
    assert!(envelope.error_id.as_deref().is_some_and(uuid_like));
}

fn uuid_like(text: &str) -> bool {
    text.len() == 36 && text.chars().filter(|c| *c == '-').count() == 4
}

struct Items;

impl bench::BenchApi for Items {
    async fn create_item(
        &self,
        request: bench::CreateItemRequest,
    ) -> Result<bench::CreateItemResponse, ApiError> {
        Ok(bench::Item {
            // `id` is a `format: uuid` string: a typed `klue::Uuid`.
            id: klue_core::formats::Uuid::from_u128(
                0x4000_8000_0000_0000_0000 | request.body.name.len() as u128,
            ),
            name: request.body.name,
            price: request.body.price,
            tags: request.body.tags,
        }
        .into())
    }
}

#[tokio::test]
async fn bench_round_trips() {
    let (_, addr) = testaccept::serve([bench::router(Items)], config()).await;
    let client = bench::BenchClient::new(ClientConfig::new(format!("http://{addr}")))
        .expect("client")
        .with_token(token("bench-user"));
    let created = client
        .create_item(bench::CreateItemParams {
            body: bench::NewItem {
                name: "apple".into(),
                price: 1.5,
                tags: Some(vec!["fruit".into()]),
            },
        })
        .await
        .expect("create_item");
    assert_eq!(
        created,
        bench::CreateItemResponse::Ok(bench::Item {
            id: "00000000-0000-4000-8000-000000000005"
                .parse()
                .expect("a UUID"),
            name: "apple".into(),
            price: 1.5,
            tags: Some(vec!["fruit".into()]),
        })
    );
}

#[tokio::test]
async fn the_ping_client_talks_to_any_klue_servers_builtins() {
    use klue_snapshots::ping;
    let (_, addr) = testaccept::serve([hw::router(Hello)], config()).await;
    let client =
        ping::PingClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    assert_eq!(
        client.ping().await.expect("ping"),
        ping::PingResponse::Ok(std::collections::BTreeMap::new())
    );
    let expected = ping::Version {
        name: "helloworld".into(),
        version: "1.0.0".into(),
        container: String::new(),
    };
    assert_eq!(
        client.version().await.expect("version"),
        ping::VersionResponse::Ok(expected.clone())
    );
    let refused = client.auth_version().await.expect_err("no token");
    assert_eq!(refused.code(), Some("AUTHORIZATION_HEADER_MISSING"));
    assert_eq!(
        client
            .with_token(token("jo"))
            .auth_version()
            .await
            .expect("auth_version"),
        ping::AuthVersionResponse::Ok(expected)
    );
}
