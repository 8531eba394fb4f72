//! Security schemes beyond bearer JWTs, served over real HTTP: API keys in a header, the query
//! or a cookie reach the handler (a missing one is a 401), alternatives need one of them,
//! OAuth2 and OpenID Connect are bearer JWTs, and basic auth hands over the decoded
//! credentials.

use klue_core::ClientConfig;
use klue_core::{ApiError, Authenticator, JwtConfig, ServerConfig};
use klue_snapshots::security as api;
use serde_json::json;

fn jwt() -> JwtConfig {
    JwtConfig {
        secret: Some("security-secret-security-secret!".to_owned()),
        ..JwtConfig::default()
    }
}

fn token(user: &str) -> String {
    Authenticator::new(jwt())
        .expect("authenticator")
        .mint(user, serde_json::Map::new())
        .expect("token")
}

struct Keys;

impl api::SecurityApi for Keys {
    async fn get_keyed(
        &self,
        request: api::GetKeyedRequest,
    ) -> Result<api::GetKeyedResponse, ApiError> {
        Ok(api::Seen {
            key: Some(request.x_api_key),
            user: None,
        }
        .into())
    }

    async fn get_either(
        &self,
        request: api::GetEitherRequest,
    ) -> Result<api::GetEitherResponse, ApiError> {
        Ok(api::Seen {
            key: request.api_key.or(request.session_key),
            user: None,
        }
        .into())
    }

    async fn get_oauth(
        &self,
        request: api::GetOauthRequest,
    ) -> Result<api::GetOauthResponse, ApiError> {
        Ok(api::Seen {
            key: None,
            user: Some(request.claims.sub),
        }
        .into())
    }

    async fn get_oidc_or_anonymous(
        &self,
        _request: api::GetOidcOrAnonymousRequest,
    ) -> Result<api::GetOidcOrAnonymousResponse, ApiError> {
        Ok(api::GetOidcOrAnonymousResponse::NoContent)
    }

    async fn get_basic(
        &self,
        request: api::GetBasicRequest,
    ) -> Result<api::GetBasicResponse, ApiError> {
        Ok(api::Seen {
            key: Some(request.authorization.password),
            user: Some(request.authorization.user),
        }
        .into())
    }
}

async fn serve() -> (testaccept::TestClient, std::net::SocketAddr) {
    let config = ServerConfig {
        jwt: jwt(),
        ..ServerConfig::default()
    };
    testaccept::serve([api::router(Keys)], config).await
}

#[tokio::test]
async fn api_keys_reach_the_handler_and_missing_ones_are_401() {
    let (client, _) = serve().await;
    let seen = client
        .send(http::Method::GET, "/keyed", &[("x-api-key", "k-1")], None)
        .await
        .assert_json(200);
    assert_eq!(seen, json!({"key": "k-1"}));
    let missing = client
        .get("/keyed")
        .await
        .assert_error(401, "CREDENTIAL_MISSING");
    assert!(
        missing.error_description.contains("X-API-Key"),
        "{}",
        missing.error_description
    );

    // Alternatives: a query key or a cookie key, and neither is a 401.
    let by_query = client.get("/either?api_key=q-1").await.assert_json(200);
    assert_eq!(by_query, json!({"key": "q-1"}));
    let by_cookie = client
        .send(
            http::Method::GET,
            "/either",
            &[("cookie", "session_key=c-1")],
            None,
        )
        .await
        .assert_json(200);
    assert_eq!(by_cookie, json!({"key": "c-1"}));
    client
        .get("/either")
        .await
        .assert_error(401, "CREDENTIAL_MISSING");

    // Basic auth: the handler gets the decoded credentials (tests/auth_schemes.rs has more).
    let basic = client
        .send(
            http::Method::GET,
            "/basic",
            &[("authorization", "Basic dTpw")],
            None,
        )
        .await
        .assert_json(200);
    assert_eq!(basic, json!({"key": "p", "user": "u"}));
    client
        .get("/basic")
        .await
        .assert_error(401, "CREDENTIAL_MISSING");
}

#[tokio::test]
async fn oauth2_and_openid_connect_are_bearer_jwts() {
    let (client, _) = serve().await;
    let seen = client
        .get_auth("/oauth", &token("olga"))
        .await
        .assert_json(200);
    assert_eq!(seen, json!({"user": "olga"}));
    client
        .get("/oauth")
        .await
        .assert_error(401, "AUTHORIZATION_HEADER_MISSING");
    client
        .get_auth("/oauth", "not-a-jwt")
        .await
        .assert_error(401, "TOKEN_INVALID");

    // `- oidc: []` or `- {}`: anonymous callers are welcome, a bad token is not.
    assert_eq!(client.get("/oidc-or-anonymous").await.status.as_u16(), 204);
    assert_eq!(
        client
            .get_auth("/oidc-or-anonymous", &token("olga"))
            .await
            .status
            .as_u16(),
        204
    );
    client
        .get_auth("/oidc-or-anonymous", "not-a-jwt")
        .await
        .assert_error(401, "TOKEN_INVALID");
}

#[tokio::test]
async fn the_client_sends_credentials() {
    let (_, addr) = serve().await;
    let typed =
        api::SecurityClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let keyed = typed
        .get_keyed(api::GetKeyedParams {
            x_api_key: "k-2".into(),
        })
        .await
        .expect("get_keyed");
    assert_eq!(
        keyed,
        api::GetKeyedResponse::Ok(api::Seen {
            key: Some("k-2".into()),
            user: None
        })
    );
    let either = typed
        .get_either(api::GetEitherParams {
            api_key: None,
            session_key: Some("c-2".into()),
        })
        .await
        .expect("get_either");
    assert_eq!(
        either,
        api::GetEitherResponse::Ok(api::Seen {
            key: Some("c-2".into()),
            user: None
        })
    );
    let oauth = typed
        .with_token(token("pia"))
        .get_oauth()
        .await
        .expect("get_oauth");
    assert_eq!(
        oauth,
        api::GetOauthResponse::Ok(api::Seen {
            key: None,
            user: Some("pia".into())
        })
    );
}
