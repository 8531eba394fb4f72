//! `oneOf`/`anyOf` served (`apis/fixtures/openapi30/unions.yaml`): a discriminator picks the
//! alternative by its tag (`mapping` values and schema names), an unknown or missing tag is a
//! 400 at the tag's pointer, and a `oneOf` without one follows the exactly-one rule.

use klue_core::{ApiError, ServerConfig};
use klue_snapshots::unions as api;
use serde_json::{json, Value};

struct Echo;

impl api::UnionsApi for Echo {
    async fn add_pet(&self, request: api::AddPetRequest) -> Result<api::AddPetResponse, ApiError> {
        // The variant is the one the tag names.
        let pet = match request.body {
            api::Pet::Dog(mut dog) => {
                dog.name = format!("dog {}", dog.name);
                api::Pet::Dog(dog)
            }
            cat @ api::Pet::Cat(_) => cat,
        };
        Ok(pet.into())
    }

    async fn add_shape(
        &self,
        request: api::AddShapeRequest,
    ) -> Result<api::AddShapeResponse, ApiError> {
        Ok(request.body.into())
    }

    async fn add_code(
        &self,
        request: api::AddCodeRequest,
    ) -> Result<api::AddCodeResponse, ApiError> {
        let kind = match &request.body.code {
            api::Code::String(_) => "short",
            api::Code::String2(_) => "word",
            api::Code::Integer(_) => "number",
        };
        Ok(api::Labelled {
            code: api::Code::String(kind.to_owned()),
        }
        .into())
    }
}

fn errors(envelope: &klue_core::ErrorEnvelope) -> Vec<(String, String)> {
    envelope
        .errors
        .iter()
        .map(|v| (v.pointer.clone(), v.message.clone()))
        .collect()
}

async fn rejected(
    client: &testaccept::TestClient,
    path: &str,
    body: Value,
) -> Vec<(String, String)> {
    let envelope = client
        .post_json(path, &body, None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    errors(&envelope)
}

#[tokio::test]
async fn a_discriminator_with_mapping_picks_the_alternative() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    // Both mapping values of Dog select Dog; the Cat mapping names a schema without `#/...`.
    for tag in ["dog", "puppy"] {
        let echoed = client
            .post_json("/pets", &json!({"petType": tag, "name": "rex"}), None)
            .await
            .assert_json(200);
        assert_eq!(echoed, json!({"petType": tag, "name": "dog rex"}));
    }
    let cat = json!({"petType": "cat", "lives": 9});
    let echoed = client.post_json("/pets", &cat, None).await.assert_json(200);
    assert_eq!(echoed, cat);
    // A cat-shaped body tagged as a dog is decoded as a dog: the tag decides.
    let found = rejected(&client, "/pets", json!({"petType": "dog", "lives": 3})).await;
    assert_eq!(
        found,
        [(
            "/name".to_owned(),
            "required property is missing".to_owned()
        )]
    );
    // The chosen alternative's rules apply, with pointers.
    let found = rejected(&client, "/pets", json!({"petType": "cat", "lives": 10})).await;
    assert_eq!(found[0].0, "/lives");
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn an_unknown_or_missing_tag_is_reported_at_the_tag() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let found = rejected(&client, "/pets", json!({"petType": "Dog", "name": "rex"})).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/petType");
    assert!(
        found[0]
            .1
            .contains("'Dog' is not one of ['dog', 'puppy', 'cat']"),
        "{found:?}"
    );
    let found = rejected(&client, "/pets", json!({"name": "rex"})).await;
    assert_eq!(
        found,
        [(
            "/petType".to_owned(),
            "required discriminator property is missing".to_owned()
        )]
    );
    let found = rejected(&client, "/pets", json!({"petType": 1})).await;
    assert_eq!(found[0].0, "/petType");
    assert!(found[0].1.contains("expected string"), "{found:?}");
}

#[tokio::test]
async fn without_mapping_the_tags_are_the_schema_names() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let square = json!({"kind": "Square", "side": 2.0});
    assert_eq!(
        client
            .post_json("/shapes", &square, None)
            .await
            .assert_json(200),
        square
    );
    let circle = json!({"kind": "Circle", "radius": 1.5});
    assert_eq!(
        client
            .post_json("/shapes", &circle, None)
            .await
            .assert_json(200),
        circle
    );
    let found = rejected(&client, "/shapes", json!({"kind": "Circle", "radius": 0})).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/radius");
    let found = rejected(&client, "/shapes", json!({"kind": "circle", "radius": 1})).await;
    assert_eq!(found[0].0, "/kind");
}

#[tokio::test]
async fn one_of_without_discriminator_requires_exactly_one_match() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    // Only the first alternative (maxLength 3) fits "AB1"; only the second fits "abcdef".
    for (code, kind) in [
        (json!("AB1"), "short"),
        (json!("abcdef"), "word"),
        (json!(42), "number"),
    ] {
        let echoed = client
            .post_json("/codes", &json!({"code": code}), None)
            .await
            .assert_json(200);
        assert_eq!(echoed, json!({"code": kind}), "{code}");
    }
    // "abc" fits both string alternatives: not exactly one.
    let found = rejected(&client, "/codes", json!({"code": "abc"})).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/code");
    assert!(
        found[0]
            .1
            .contains("matches 2 alternatives of oneOf (#0, #1)"),
        "{found:?}"
    );
    // "ABCDEF" fits none.
    let found = rejected(&client, "/codes", json!({"code": "ABCDEF"})).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/code");
    assert!(
        found[0].1.contains("none of the 3 alternatives"),
        "{found:?}"
    );
    // true fits none either.
    let found = rejected(&client, "/codes", json!({"code": true})).await;
    assert_eq!(found[0].0, "/code");
}
