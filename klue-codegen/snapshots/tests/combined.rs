//! `combined` over real HTTP: `type: object` and `properties` beside `allOf`/`oneOf`/`anyOf`
//! are validated as the combinators say, and what cannot be typed still refuses non-objects.

use klue_core::{ApiError, ServerConfig};
use klue_snapshots::combined as api;
use serde_json::json;
use testaccept::TestClient;

struct Echo;

impl api::CombinedApi for Echo {
    async fn add_user(
        &self,
        request: api::AddUserRequest,
    ) -> Result<api::AddUserResponse, ApiError> {
        Ok(request.body.into())
    }

    async fn add_label(
        &self,
        request: api::AddLabelRequest,
    ) -> Result<api::AddLabelResponse, ApiError> {
        Ok(request.body.into())
    }

    async fn add_pet(&self, request: api::AddPetRequest) -> Result<api::AddPetResponse, ApiError> {
        Ok(request.body.into())
    }

    async fn edit_note(
        &self,
        request: api::EditNoteRequest,
    ) -> Result<api::EditNoteResponse, ApiError> {
        Ok(request.body.into())
    }

    async fn add_odd(&self, request: api::AddOddRequest) -> Result<api::AddOddResponse, ApiError> {
        Ok(request.body.into())
    }
}

async fn start() -> TestClient {
    testaccept::serve([api::router(Echo)], ServerConfig::default())
        .await
        .0
}

/// The pointers of the violations of a 400.
async fn refused(client: &TestClient, path: &str, body: serde_json::Value) -> Vec<String> {
    client
        .post_json(path, &body, None)
        .await
        .assert_error(400, "INVALID_PARAMETER")
        .errors
        .into_iter()
        .map(|v| v.pointer)
        .collect()
}

#[tokio::test]
async fn type_object_beside_all_of_is_the_merged_object() {
    let client = start().await;
    let user = json!({"name": "ada", "email": "a@b.c"});
    assert_eq!(
        client
            .post_json("/users", &user, None)
            .await
            .assert_json(200),
        user
    );
    // Airflow's `POST /users` accepted these.
    assert_eq!(refused(&client, "/users", json!("AAA")).await, vec![""]);
    assert_eq!(
        refused(&client, "/users", json!({"email": "x"})).await,
        vec!["/name"]
    );
    assert_eq!(
        refused(&client, "/users", json!({"name": ""})).await,
        vec!["/name"]
    );
    // Properties beside `allOf` (no `type`) are merged in too, with their `required`.
    let labelled = json!({"name": "ada", "label": "admin"});
    assert_eq!(
        client
            .post_json("/labels", &labelled, None)
            .await
            .assert_json(200),
        labelled
    );
    assert_eq!(
        refused(&client, "/labels", json!({"name": "ada"})).await,
        vec!["/label"]
    );
    assert_eq!(
        refused(&client, "/labels", json!({"label": "x"})).await,
        vec!["/name"]
    );
}

#[tokio::test]
async fn type_object_beside_one_of_is_the_union() {
    let client = start().await;
    for pet in [json!({"barks": true}), json!({"lives": 9})] {
        assert_eq!(
            client.post_json("/pets", &pet, None).await.assert_json(200),
            pet
        );
    }
    client
        .post_json("/pets", &json!({"lives": 10}), None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    client
        .post_json("/pets", &json!("AAA"), None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
}

#[tokio::test]
async fn what_cannot_be_typed_still_checks_the_json_type() {
    let client = start().await;
    // Properties beside `anyOf`: the properties are typed (the `anyOf` is a warning).
    let edit = json!({"title": "t"});
    assert_eq!(
        client
            .post_json("/notes", &edit, None)
            .await
            .assert_json(200),
        edit
    );
    assert_eq!(
        refused(&client, "/notes", json!({"title": 1})).await,
        vec!["/title"]
    );
    assert_eq!(refused(&client, "/notes", json!([])).await, vec![""]);
    // An `allOf` of strings beside `type: object`: any object, but only an object.
    let odd = json!({"anything": [1, "two"]});
    assert_eq!(
        client.post_json("/odd", &odd, None).await.assert_json(200),
        odd
    );
    assert_eq!(refused(&client, "/odd", json!("abc")).await, vec![""]);
}
