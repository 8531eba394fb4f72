//! Cookie parameters over real HTTP: decoded and validated on the server, sent by the client.

use klue_core::ClientConfig;
use klue_core::{ApiError, ServerConfig};
use klue_snapshots::cookies as api;

struct Echo;

impl api::CookiesApi for Echo {
    async fn get_session(
        &self,
        request: api::GetSessionRequest,
    ) -> Result<api::GetSessionResponse, ApiError> {
        Ok(api::GetSessionOk {
            session: request.session,
            theme: request.theme.map(|t| t.as_str().to_owned()),
        }
        .into())
    }
}

#[tokio::test]
async fn cookies_are_read_validated_and_sent() {
    let (client, addr) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;

    let ok = client
        .send(
            http::Method::GET,
            "/session",
            &[("cookie", "other=1; session=abcdefgh; theme=dark")],
            None,
        )
        .await
        .assert_json(200);
    assert_eq!(
        ok,
        serde_json::json!({"session": "abcdefgh", "theme": "dark"})
    );

    let missing = client
        .get("/session")
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(
        (
            missing.errors[0].location.to_string(),
            missing.errors[0].pointer.as_str()
        ),
        ("cookie".to_owned(), "/session")
    );
    let bad = client
        .send(
            http::Method::GET,
            "/session",
            &[("cookie", "session=short; theme=neon")],
            None,
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let pointers: Vec<&str> = bad.errors.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(pointers, ["/session", "/theme"]);

    let typed =
        api::CookiesClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let answer = typed
        .get_session(api::GetSessionParams {
            session: "0123456789".into(),
            theme: Some(api::GetSessionTheme::Light),
        })
        .await
        .expect("get_session");
    assert_eq!(
        answer,
        api::GetSessionResponse::Ok(api::GetSessionOk {
            session: "0123456789".into(),
            theme: Some("light".into())
        })
    );
}
