//! Swagger 2.0 object constructs served (`apis/fixtures/swagger2/accounts.yaml`): defaults,
//! a readOnly required property left out of requests, `additionalProperties: false` and a
//! schema beside properties, and formats, each violation with its pointer.

use klue_core::{ApiError, ServerConfig};
use klue_snapshots::accounts as api;
use serde_json::{json, Value};

struct Echo;

impl api::AccountsApi for Echo {
    async fn create_account(
        &self,
        request: api::CreateAccountRequest,
    ) -> Result<api::CreateAccountResponse, ApiError> {
        let mut account = request.body;
        account.id = Some(
            "123e4567-e89b-12d3-a456-426614174000"
                .parse()
                .expect("a UUID"),
        );
        Ok(account.into())
    }
}

async fn rejected(client: &testaccept::TestClient, body: Value) -> Vec<(String, String)> {
    let envelope = client
        .post_json("/accounts", &body, None)
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
async fn swagger2_objects_validate_over_http() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let echoed = client
        .post_json(
            "/accounts",
            &json!({"email": "a@b.io", "limits": {"daily": 5, "api": 10}}),
            None,
        )
        .await
        .assert_json(200);
    assert_eq!(
        echoed,
        json!({
            "id": "123e4567-e89b-12d3-a456-426614174000", "email": "a@b.io", "active": true,
            "plan": "free", "quota": 100, "limits": {"daily": 5, "api": 10}
        })
    );
    let found = rejected(
        &client,
        json!({"email": "a@", "created": "2024-01-01", "plan": "gold", "nickname": "x",
               "limits": {"api": 5000}}),
    )
    .await;
    let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        ["/created", "/email", "/limits/api", "/nickname", "/plan"],
        "{found:?}"
    );
    assert!(found[0].1.contains("format 'date-time'"), "{found:?}");
    assert!(found[1].1.contains("format 'email'"), "{found:?}");
    assert!(found[3].1.contains("not allowed"), "{found:?}");
}
