//! The bench snapshot served over HTTP: what the benchmark measures is accepted, and what the
//! spec forbids is refused with every violation's pointer.

use klue_core::{ApiError, Authenticator, JwtConfig, ServerConfig};
use klue_snapshots::bench::{self, BenchApi, CreateItemRequest, CreateItemResponse, Item};
use serde_json::json;

struct Items;

impl BenchApi for Items {
    async fn create_item(
        &self,
        request: CreateItemRequest,
    ) -> Result<CreateItemResponse, ApiError> {
        Ok(Item {
            id: "00000000-0000-4000-8000-000000000000"
                .parse()
                .expect("a UUID"),
            name: request.body.name,
            price: request.body.price,
            tags: request.body.tags,
        }
        .into())
    }
}

fn jwt() -> JwtConfig {
    JwtConfig {
        secret: Some("benchsecretbenchsecretbenchsecret".to_owned()),
        audience: Some("bench".to_owned()),
        ..JwtConfig::default()
    }
}

#[tokio::test]
async fn items_are_created_and_invalid_ones_refused() {
    let config = ServerConfig {
        jwt: jwt(),
        ..ServerConfig::default()
    };
    let client = testaccept::serve([bench::router(Items)], config).await.0;
    let token = Authenticator::new(jwt())
        .expect("authenticator")
        .mint("bench-user", serde_json::Map::new())
        .expect("token");

    let body = json!({"name": "apple", "price": 1.5, "tags": ["fruit", "red"]});
    let created = client
        .post_json("/v1/items", &body, Some(&token))
        .await
        .assert_json(200);
    assert_eq!(created["name"], "apple");
    assert_eq!(created["tags"], json!(["fruit", "red"]));

    client
        .post_json("/v1/items", &body, None)
        .await
        .assert_error(401, "AUTHORIZATION_HEADER_MISSING");

    let tags: Vec<String> = (0..11)
        .map(|i| format!("tag-{i}-{}", "x".repeat(30)))
        .collect();
    let bad = json!({"name": "", "price": -1, "tags": tags});
    let envelope = client
        .post_json("/v1/items", &bad, Some(&token))
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let pointers: Vec<&str> = envelope.errors.iter().map(|v| v.pointer.as_str()).collect();
    let mut expected = vec!["/name", "/price", "/tags"];
    let long: Vec<String> = (0..11).map(|i| format!("/tags/{i}")).collect();
    expected.extend(long.iter().map(String::as_str));
    assert_eq!(pointers, expected);
}
