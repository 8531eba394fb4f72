//! Default stubs (`generate_default_stubs(true)`): an empty implementation of the trait
//! compiles and answers every operation with 501 `NOT_IMPLEMENTED`, after validation; an
//! implemented method replaces its stub.

use klue_core::{ApiError, ServerConfig};
use klue_snapshots::stubs as api;

/// Nothing implemented.
struct Empty;

impl api::StubsApi for Empty {}

/// One operation implemented, the others left to their stubs.
struct OneDone;

impl api::StubsApi for OneDone {
    async fn get_pet(&self, request: api::GetPetRequest) -> Result<api::GetPetResponse, ApiError> {
        Ok(api::Pet {
            name: format!("pet {}", request.id),
            tag: None,
        }
        .into())
    }
}

#[tokio::test]
async fn an_empty_impl_answers_501_not_implemented_for_every_operation() {
    let (client, _addr) = testaccept::serve([api::router(Empty)], ServerConfig::default()).await;
    let listed = client
        .get("/pets")
        .await
        .assert_error(501, "NOT_IMPLEMENTED");
    assert!(
        listed.error_description.contains("list_pets"),
        "{}",
        listed.error_description
    );
    client
        .post_json("/pets", &serde_json::json!({"name": "Rex"}), None)
        .await
        .assert_error(501, "NOT_IMPLEMENTED");
    client
        .get("/pets/7")
        .await
        .assert_error(501, "NOT_IMPLEMENTED");
    // The request is still decoded and validated before the stub.
    client
        .post_json("/pets", &serde_json::json!({"name": ""}), None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    client
        .get("/pets?limit=0")
        .await
        .assert_error(400, "INVALID_PARAMETER");
    // The built-ins work.
    testaccept::assert_has_ping(&client).await;
    testaccept::assert_has_version(&client, "stubs", "1.0.0").await;
}

#[tokio::test]
async fn an_implemented_method_replaces_its_stub() {
    let (client, _addr) = testaccept::serve([api::router(OneDone)], ServerConfig::default()).await;
    let pet = client.get("/pets/7").await.assert_json(200);
    assert_eq!(pet, serde_json::json!({"name": "pet 7"}));
    client
        .get("/pets")
        .await
        .assert_error(501, "NOT_IMPLEMENTED");
}
