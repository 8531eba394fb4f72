//! `http` security schemes beyond klue's JWTs and errors in the spec's own shape, served over
//! real HTTP: opaque bearer tokens reach the handler (or a registered verifier first), a JWT
//! bearer scheme is verified as before, basic credentials are decoded and every malformed
//! header is a 401 with a challenge, and an error mapper answers svix-like 422 and 401 bodies
//! that the served spec documents as the spec declares them.

use std::sync::{Arc, Mutex};

use http::{Method, StatusCode};
use klue_core::{ApiError, ApiRouter, Authenticator, Claims, JwtConfig, ServerConfig};
use klue_snapshots::auth_schemes as api;
use serde_json::{json, Value};
use testaccept::{TestClient, TestResponse};

fn jwt() -> JwtConfig {
    JwtConfig {
        secret: Some("auth-schemes-secret-auth-schemes!".to_owned()),
        ..JwtConfig::default()
    }
}

struct Service;

fn seen() -> api::Seen {
    api::Seen {
        token: None,
        user: None,
        password: None,
        key: None,
    }
}

impl api::AuthSchemesApi for Service {
    async fn get_opaque(
        &self,
        request: api::GetOpaqueRequest,
    ) -> Result<api::GetOpaqueResponse, ApiError> {
        let token = request.authorization;
        Ok(api::Seen {
            token: Some(token.token),
            user: token.claims.map(|claims| claims.sub),
            ..seen()
        }
        .into())
    }

    async fn get_verified(
        &self,
        request: api::GetVerifiedRequest,
    ) -> Result<api::GetVerifiedResponse, ApiError> {
        let token = request.authorization;
        Ok(api::Seen {
            token: Some(token.token),
            user: token.claims.map(|claims| claims.sub),
            ..seen()
        }
        .into())
    }

    async fn get_jwt(&self, request: api::GetJwtRequest) -> Result<api::GetJwtResponse, ApiError> {
        Ok(api::Seen {
            user: Some(request.claims.sub),
            ..seen()
        }
        .into())
    }

    async fn get_basic(
        &self,
        request: api::GetBasicRequest,
    ) -> Result<api::GetBasicResponse, ApiError> {
        let credentials = request.authorization;
        Ok(api::Seen {
            user: Some(credentials.user),
            password: Some(credentials.password),
            ..seen()
        }
        .into())
    }

    async fn get_basic_or_key(
        &self,
        request: api::GetBasicOrKeyRequest,
    ) -> Result<api::GetBasicOrKeyResponse, ApiError> {
        Ok(api::Seen {
            user: request.authorization.map(|c| c.user),
            key: request.x_api_key,
            ..seen()
        }
        .into())
    }

    async fn get_basic_or_anonymous(
        &self,
        request: api::GetBasicOrAnonymousRequest,
    ) -> Result<api::GetBasicOrAnonymousResponse, ApiError> {
        Ok(api::Seen {
            user: request.authorization.map(|c| c.user),
            ..seen()
        }
        .into())
    }

    async fn create_message(
        &self,
        request: api::CreateMessageRequest,
    ) -> Result<api::CreateMessageResponse, ApiError> {
        Ok(api::CreateMessageResponse::Created(request.body))
    }
}

/// A verifier for `verified_token`: `sk_good` is account `acct_1`, anything else unknown.
fn with_verifier(router: ApiRouter) -> ApiRouter {
    router.bearer_verifier("verified_token", |token: String| async move {
        if token == "sk_good" {
            Ok(Claims::new("acct_1", serde_json::Map::new()))
        } else {
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "KEY_UNKNOWN",
                "no such API key",
            ))
        }
    })
}

async fn serve(router: ApiRouter) -> TestClient {
    let config = ServerConfig {
        jwt: jwt(),
        ..ServerConfig::default()
    };
    testaccept::serve([router], config).await.0
}

async fn get_with(client: &TestClient, path: &str, authorization: &str) -> TestResponse {
    client
        .send(Method::GET, path, &[("authorization", authorization)], None)
        .await
}

#[track_caller]
fn challenge(response: &TestResponse) -> &str {
    response
        .headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no WWW-Authenticate: {response:?}"))
}

#[tokio::test]
async fn opaque_bearer_tokens_reach_the_handler() {
    let client = serve(api::router(Service)).await;
    let seen = get_with(&client, "/opaque", "Bearer sk_test_1")
        .await
        .assert_json(200);
    assert_eq!(seen, json!({"token": "sk_test_1"}));
    // Not a JWT, and not verified as one.
    let seen = get_with(&client, "/opaque", "bearer a.b.c")
        .await
        .assert_json(200);
    assert_eq!(seen, json!({"token": "a.b.c"}));

    let missing = client.get("/opaque").await;
    missing.assert_error(401, "CREDENTIAL_MISSING");
    assert_eq!(challenge(&missing), "Bearer");
    for bad in ["Basic dTpw", "Bearer", "Bearer a b", "sk_test_1"] {
        let refused = get_with(&client, "/opaque", bad).await;
        refused.assert_error(401, "CREDENTIAL_INVALID");
        assert_eq!(challenge(&refused), "Bearer", "{bad}");
    }
}

#[tokio::test]
async fn a_registered_verifier_accepts_or_refuses_tokens() {
    let client = serve(with_verifier(api::router(Service))).await;
    let seen = get_with(&client, "/verified", "Bearer sk_good")
        .await
        .assert_json(200);
    assert_eq!(seen, json!({"token": "sk_good", "user": "acct_1"}));
    let refused = get_with(&client, "/verified", "Bearer sk_bad").await;
    refused.assert_error(401, "KEY_UNKNOWN");
    assert_eq!(challenge(&refused), "Bearer error=\"invalid_token\"");
    // The verifier is the scheme's: another opaque scheme still hands any token over.
    let seen = get_with(&client, "/opaque", "Bearer sk_bad")
        .await
        .assert_json(200);
    assert_eq!(seen, json!({"token": "sk_bad"}));
    // Without a verifier registered, the handler gets the token alone.
    let client = serve(api::router(Service)).await;
    let seen = get_with(&client, "/verified", "Bearer sk_bad")
        .await
        .assert_json(200);
    assert_eq!(seen, json!({"token": "sk_bad"}));
}

#[test]
fn a_verifier_for_a_scheme_that_is_not_opaque_bearer_fails_the_build() {
    for scheme in ["jwt", "basic", "verified_tokn"] {
        let router = api::router(Service).bearer_verifier(scheme, |_token: String| async {
            Ok(Claims::new("anyone", serde_json::Map::new()))
        });
        let err = klue_core::Server::new(ServerConfig::default())
            .api(router)
            .build()
            .expect_err(scheme);
        assert!(
            matches!(&err, klue_core::BuildError::UnknownBearerScheme { scheme: s, .. } if s == scheme),
            "{err}"
        );
    }
    let opaque = with_verifier(api::router(Service));
    assert!(klue_core::Server::new(ServerConfig::default())
        .api(opaque)
        .build()
        .is_ok());
}

#[tokio::test]
async fn a_jwt_bearer_scheme_is_verified_as_before() {
    let client = serve(api::router(Service)).await;
    let token = Authenticator::new(jwt())
        .expect("authenticator")
        .mint("olga", serde_json::Map::new())
        .expect("token");
    let seen = client.get_auth("/jwt", &token).await.assert_json(200);
    assert_eq!(seen, json!({"user": "olga"}));
    client
        .get_auth("/jwt", "sk_test_1")
        .await
        .assert_error(401, "TOKEN_INVALID");
    client
        .get("/jwt")
        .await
        .assert_error(401, "AUTHORIZATION_HEADER_MISSING");
}

#[tokio::test]
async fn basic_credentials_are_decoded_and_malformed_ones_refused() {
    let client = serve(api::router(Service)).await;
    // u:p:ass: the password is everything after the first colon.
    let seen = get_with(&client, "/basic", "Basic dTpwOmFzcw==")
        .await
        .assert_json(200);
    assert_eq!(seen, json!({"user": "u", "password": "p:ass"}));
    let seen = get_with(&client, "/basic", "basic dTpw")
        .await
        .assert_json(200);
    assert_eq!(seen, json!({"user": "u", "password": "p"}));

    let missing = client.get("/basic").await;
    missing.assert_error(401, "CREDENTIAL_MISSING");
    assert_eq!(
        challenge(&missing),
        "Basic realm=\"basic\", charset=\"UTF-8\""
    );
    let too_long = format!("Basic {}", "QUFB".repeat(2300));
    let malformed = [
        ("nonsense", "must start with Basic"),
        ("Bearer dTpw", "must start with Basic"),
        ("Basic", "base64(user:password)"),
        ("Basic not*base64", "not valid base64"),
        ("Basic dXNlcg==", "no colon"),
        ("Basic /w==", "not UTF-8"),
        ("Basic dTpw\u{e9}", "not valid text"),
        (too_long.as_str(), "longer than the server reads"),
    ];
    for (header, reason) in malformed {
        let refused = get_with(&client, "/basic", header).await;
        let envelope = refused.assert_error(401, "CREDENTIAL_INVALID");
        assert!(
            envelope.error_description.contains(reason),
            "{header}: {}",
            envelope.error_description
        );
        assert!(challenge(&refused).starts_with("Basic realm="), "{header}");
    }
    let twice = client
        .send(
            Method::GET,
            "/basic",
            &[
                ("authorization", "Basic dTpw"),
                ("authorization", "Basic dTpw"),
            ],
            None,
        )
        .await;
    twice.assert_error(401, "CREDENTIAL_INVALID");
}

#[tokio::test]
async fn alternatives_and_optional_basic_auth_keep_working() {
    let client = serve(api::router(Service)).await;
    let by_basic = get_with(&client, "/basic-or-key", "Basic dTpw")
        .await
        .assert_json(200);
    assert_eq!(by_basic, json!({"user": "u"}));
    let by_key = client
        .send(Method::GET, "/basic-or-key", &[("x-api-key", "k-1")], None)
        .await
        .assert_json(200);
    assert_eq!(by_key, json!({"key": "k-1"}));
    client
        .get("/basic-or-key")
        .await
        .assert_error(401, "CREDENTIAL_MISSING");
    // Broken credentials are refused even beside a good alternative.
    client
        .send(
            Method::GET,
            "/basic-or-key",
            &[("x-api-key", "k-1"), ("authorization", "Basic ***")],
            None,
        )
        .await
        .assert_error(401, "CREDENTIAL_INVALID");

    let anonymous = client.get("/basic-or-anonymous").await.assert_json(200);
    assert_eq!(anonymous, json!({}));
    let named = get_with(&client, "/basic-or-anonymous", "Basic dTpw")
        .await
        .assert_json(200);
    assert_eq!(named, json!({"user": "u"}));
    get_with(&client, "/basic-or-anonymous", "Basic dXNlcg==")
        .await
        .assert_error(401, "CREDENTIAL_INVALID");
}

/// svix's shapes: a request that breaks the spec is a 422 `HTTPValidationError`, an auth
/// failure a 401 `HttpError`. Records the operation each report named.
fn svix_errors(router: ApiRouter, operations: Arc<Mutex<Vec<String>>>) -> ApiRouter {
    router
        .map_error(
            StatusCode::BAD_REQUEST,
            StatusCode::UNPROCESSABLE_ENTITY,
            move |report| {
                let operation = report.operation_id.unwrap_or("-").to_owned();
                operations.lock().expect("lock").push(operation);
                let detail = report
                    .violations
                    .iter()
                    .map(|violation| api::ValidationError {
                        loc: std::iter::once(violation.location.to_string())
                            .chain(violation.pointer.split('/').skip(1).map(str::to_owned))
                            .collect(),
                        msg: violation.message.clone(),
                        r#type: "value_error".to_owned(),
                    })
                    .collect();
                Some(api::HttpValidationError { detail })
            },
        )
        .map_error(
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            |report| {
                Some(api::HttpError {
                    code: report.code.to_ascii_lowercase(),
                    detail: report.description.to_owned(),
                })
            },
        )
}

#[tokio::test]
async fn an_error_mapper_answers_the_spec_s_error_shapes() {
    let operations = Arc::new(Mutex::new(Vec::new()));
    let client = serve(svix_errors(api::router(Service), operations.clone())).await;
    let auth = [("authorization", "Bearer sk_test_1")];
    let body = |value: &Value| Some(("application/json", serde_json::to_vec(value).unwrap()));

    let created = client
        .send(
            Method::POST,
            "/messages",
            &auth,
            body(&json!({"eventType": "user.created", "payload": {}})),
        )
        .await
        .assert_json(201);
    assert_eq!(created["eventType"], "user.created");

    let invalid = client
        .send(
            Method::POST,
            "/messages",
            &auth,
            body(&json!({"eventType": "", "payload": {}})),
        )
        .await
        .assert_json(422);
    let detail = invalid["detail"].as_array().expect("detail");
    assert_eq!(detail.len(), 1, "{invalid}");
    assert_eq!(detail[0]["loc"], json!(["body", "eventType"]), "{invalid}");
    assert_eq!(detail[0]["type"], "value_error");
    assert_eq!(*operations.lock().expect("lock"), ["create_message"]);

    let unauthorized = client
        .send(
            Method::POST,
            "/messages",
            &[],
            body(&json!({"eventType": "e", "payload": {}})),
        )
        .await;
    assert_eq!(challenge(&unauthorized), "Bearer");
    let unauthorized = unauthorized.assert_json(401);
    assert_eq!(unauthorized["code"], "credential_missing", "{unauthorized}");
    assert!(unauthorized.get("error_id").is_none(), "{unauthorized}");

    // Statuses without a mapper keep klue's envelope.
    client
        .get("/nowhere")
        .await
        .assert_error(404, "ROUTE_NOT_FOUND");
}

#[tokio::test]
async fn the_served_spec_documents_the_mapped_answers() {
    let operations = Arc::new(Mutex::new(Vec::new()));
    let mapped = serve(svix_errors(api::router(Service), operations)).await;
    let spec = mapped.get("/openapi.json").await.assert_json(200);
    let responses = &spec["paths"]["/messages"]["post"]["responses"];
    assert_eq!(
        responses["422"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/HTTPValidationError",
        "{responses}"
    );
    assert_eq!(
        responses["401"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/HttpError",
        "{responses}"
    );
    assert!(responses.get("400").is_none(), "{responses}");
    // An operation that declares no 401 gets the service's 401, not klue's envelope.
    let opaque = &spec["paths"]["/opaque"]["get"]["responses"];
    assert!(opaque["401"].get("$ref").is_none(), "{opaque}");
    assert!(
        opaque["401"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("service's own shape")),
        "{opaque}"
    );

    // Without a mapper: klue's 400 beside the spec's 422.
    let plain = serve(api::router(Service)).await;
    let spec = plain.get("/openapi.json").await.assert_json(200);
    let responses = &spec["paths"]["/messages"]["post"]["responses"];
    assert_eq!(
        responses["400"]["$ref"], "#/components/responses/KlueBadRequest",
        "{responses}"
    );
    assert_eq!(
        spec["paths"]["/basic"]["get"]["responses"]["401"]["$ref"],
        "#/components/responses/KlueUnauthorized"
    );
}
