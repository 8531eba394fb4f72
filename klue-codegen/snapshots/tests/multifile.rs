//! Specs split over several files (`apis/fixtures/*/multifile/`), served over real HTTP: the
//! schemas, parameters and responses another file defines validate as if written in the root
//! spec, nested through files (a pet's tags come from `common.yaml`, whose tags hold pets), and
//! violations carry their pointers. Swagger 2.0, OpenAPI 3.0 and 3.1.

use klue_core::ClientConfig;
use klue_core::{ApiError, ServerConfig};
use klue_snapshots::{multifile, oas31_multifile, swagger2_multifile};
use serde_json::json;

struct Pets;

impl multifile::MultifileApi for Pets {
    async fn add_pet(
        &self,
        request: multifile::AddPetRequest,
    ) -> Result<multifile::AddPetResponse, ApiError> {
        if request.x_trace_id.as_deref() == Some("fail") {
            return Ok(multifile::AddPetResponse::BadRequest(multifile::Error {
                code: 7,
                message: "refused".into(),
            }));
        }
        Ok(request.body.into())
    }

    async fn put_owner(
        &self,
        request: multifile::PutOwnerRequest,
    ) -> Result<multifile::PutOwnerResponse, ApiError> {
        let mut owner = request.body;
        owner.name = format!("{} ({})", owner.name, request.id);
        Ok(owner.into())
    }
}

fn pointers(envelope: &klue_core::ErrorEnvelope) -> Vec<&str> {
    let mut pointers: Vec<&str> = envelope.errors.iter().map(|v| v.pointer.as_str()).collect();
    pointers.sort_unstable();
    pointers
}

#[tokio::test]
async fn openapi30_schemas_from_other_files_validate_nested() {
    let (client, addr) =
        testaccept::serve([multifile::router(Pets)], ServerConfig::default()).await;
    let pet = json!({
        "id": "rex-1",
        "name": "Rex",
        "tags": [{
            "label": "good",
            "pets": [{"id": "tom", "name": "Tom"}],
            "owner": {"name": "Ann", "pets": []}
        }],
        "last_error": {"reason": "lost"}
    });
    let echoed = client.post_json("/pets", &pet, None).await.assert_json(201);
    assert_eq!(echoed, pet);

    // Rules of models/pet.yaml, of common.yaml's PetId and Tag, and of a pet inside a tag.
    let bad = json!({
        "id": "REX!",
        "name": "",
        "tags": [{"label": "", "pets": [{"id": "ok", "name": ""}], "owner": {"name": "", "pets": []}}]
    });
    let refused = client
        .post_json("/pets", &bad, None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(
        pointers(&refused),
        [
            "/id",
            "/name",
            "/tags/0/label",
            "/tags/0/owner/name",
            "/tags/0/pets/0/name"
        ]
    );
    // models/errors.yaml's enum, apart from common.yaml's Error.
    let unknown = json!({"id": "a", "name": "A", "last_error": {"reason": "bored"}});
    client
        .post_json("/pets", &unknown, None)
        .await
        .assert_error(400, "INVALID_PARAMETER");

    // The header parameter defined in common.yaml.
    let long = client
        .send(
            http::Method::POST,
            "/pets",
            &[("x-trace-id", "0123456789abcdefXYZ")],
            Some(("application/json", pet.to_string().into_bytes())),
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(long.errors.len(), 1, "{long:?}");
    // The response defined in common.yaml, with the root alias `Error`.
    let failed = client
        .send(
            http::Method::POST,
            "/pets",
            &[("x-trace-id", "fail")],
            Some(("application/json", pet.to_string().into_bytes())),
        )
        .await
        .assert_json(400);
    assert_eq!(failed, json!({"code": 7, "message": "refused"}));

    // The path parameter's schema comes from common.yaml.
    let owner = json!({"name": "Ann", "pets": [{"id": "rex", "name": "Rex"}]});
    let answer = client
        .put_json("/owners/ann-1", &owner, None)
        .await
        .assert_json(200);
    assert_eq!(answer["name"], "Ann (ann-1)");
    let bad_id = client
        .put_json("/owners/ANN", &owner, None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(bad_id.errors.len(), 1, "{bad_id:?}");

    // The typed client round-trips the types of the other files.
    let typed = multifile::MultifileClient::new(ClientConfig::new(format!("http://{addr}")))
        .expect("client");
    let sent = multifile::Pet {
        id: "kit".into(),
        name: "Kit".into(),
        tags: Some(vec![multifile::Tag {
            label: "cat".into(),
            pets: None,
            owner: None,
        }]),
        last_error: Some(multifile::ErrorsError {
            reason: multifile::ErrorsErrorReason::Sick,
        }),
    };
    let created = typed
        .add_pet(multifile::AddPetParams {
            x_trace_id: None,
            body: sent.clone(),
        })
        .await
        .expect("add_pet");
    assert_eq!(created, multifile::AddPetResponse::Created(sent));
}

struct Pets2;

impl swagger2_multifile::Swagger2MultifileApi for Pets2 {
    async fn add_pet(
        &self,
        request: swagger2_multifile::AddPetRequest,
    ) -> Result<swagger2_multifile::AddPetResponse, ApiError> {
        Ok(request.body.into())
    }

    async fn get_pet(
        &self,
        request: swagger2_multifile::GetPetRequest,
    ) -> Result<swagger2_multifile::GetPetResponse, ApiError> {
        Ok(swagger2_multifile::Pet {
            id: request.id,
            name: "Found".into(),
            tags: None,
        }
        .into())
    }
}

#[tokio::test]
async fn swagger2_definitions_and_parameters_from_other_files() {
    let (client, _) =
        testaccept::serve([swagger2_multifile::router(Pets2)], ServerConfig::default()).await;
    let pet = json!({"id": "rex", "name": "Rex", "tags": [{"label": "a", "pets": [{"id": "b", "name": "B"}]}]});
    let echoed = client.post_json("/pets", &pet, None).await.assert_json(201);
    assert_eq!(echoed, pet);
    let bad = json!({"id": "R!", "name": "", "tags": [{"label": "much-too-long-label"}]});
    let refused = client
        .post_json("/pets", &bad, None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(pointers(&refused), ["/id", "/name", "/tags/0/label"]);
    let found = client.get("/pets/rex").await.assert_json(200);
    assert_eq!(found, json!({"id": "rex", "name": "Found"}));
    // The path parameter `$ref`ed from common.yaml keeps its pattern.
    client
        .get("/pets/REX")
        .await
        .assert_error(400, "INVALID_PARAMETER");
}

struct Pets31;

impl oas31_multifile::Oas31MultifileApi for Pets31 {
    async fn add_pet(
        &self,
        request: oas31_multifile::AddPetRequest,
    ) -> Result<oas31_multifile::AddPetResponse, ApiError> {
        Ok(request.body.into())
    }
}

#[tokio::test]
async fn openapi31_json_schema_file_with_its_own_defs() {
    let (client, _) =
        testaccept::serve([oas31_multifile::router(Pets31)], ServerConfig::default()).await;
    let pet = json!({"name": "Rex", "kind": "pet", "nickname": null, "tag": {"label": "a"}});
    let echoed = client.post_json("/pets", &pet, None).await.assert_json(201);
    assert_eq!(echoed["tag"], json!({"label": "a"}));
    let bad = json!({"name": "", "kind": "pet", "nickname": "far-too-long", "tag": {"label": ""}});
    let refused = client
        .post_json("/pets", &bad, None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(pointers(&refused), ["/name", "/nickname", "/tag/label"]);
    client
        .post_json("/pets", &json!({"name": "Rex", "kind": "cat"}), None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
}
