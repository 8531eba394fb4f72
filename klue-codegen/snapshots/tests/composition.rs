//! `allOf` merged into one struct and `oneOf` / `anyOf` as untagged enums, served: each
//! alternative is decoded into its own type and validated with its own rules.

use klue_core::{ApiError, ServerConfig};
use klue_snapshots::composition as api;
use serde_json::json;

struct Pets;

impl api::CompositionApi for Pets {
    async fn add_pet(&self, request: api::AddPetRequest) -> Result<api::AddPetResponse, ApiError> {
        let (kind, name, tag) = match request.body {
            api::Pet::Dog(dog) => (
                "dog",
                dog.name,
                Some(api::SummaryTag::String("good".into())),
            ),
            api::Pet::Cat(cat) => ("cat", cat.name, Some(api::SummaryTag::Integer(cat.lives))),
        };
        Ok(api::Summary {
            kind: kind.into(),
            name,
            tag: Some(tag),
        }
        .into())
    }
}

#[tokio::test]
async fn alternatives_are_decoded_into_their_own_types() {
    let (client, _) = testaccept::serve([api::router(Pets)], ServerConfig::default()).await;
    let dog = client
        .post_json("/pets", &json!({"name": "rex", "barks": true}), None)
        .await
        .assert_json(200);
    assert_eq!(dog, json!({"kind": "dog", "name": "rex", "tag": "good"}));
    let cat = client
        .post_json("/pets", &json!({"name": "tom", "lives": 9}), None)
        .await
        .assert_json(200);
    assert_eq!(cat, json!({"kind": "cat", "name": "tom", "tag": 9}));

    // The chosen alternative's rules apply: a cat has at most 9 lives, a name is not empty.
    let bad = client
        .post_json("/pets", &json!({"name": "", "lives": 10}), None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let mut pointers: Vec<&str> = bad.errors.iter().map(|v| v.pointer.as_str()).collect();
    pointers.sort_unstable();
    assert_eq!(pointers, ["/lives", "/name"]);
    // `allOf: [{$ref}, {description}]` is the reference, typed and checked.
    let cat = api::Cat {
        indoor: Some(true),
        nickname: Some("tom".to_owned()),
        ..api::Cat::new("tom".to_owned(), 3)
    };
    let sent = serde_json::to_value(&cat).unwrap();
    assert_eq!(sent["indoor"], true);
    client
        .post_json("/pets", &sent, None)
        .await
        .assert_json(200);
    // Refused (by the union, at the root: neither alternative fits once the cat's rule fails).
    for bad in [
        json!({"name": "tom", "lives": 3, "indoor": {}}),
        json!({"name": "tom", "lives": 3, "nickname": "much too long"}),
    ] {
        client
            .post_json("/pets", &bad, None)
            .await
            .assert_error(400, "INVALID_PARAMETER");
    }
    // Neither alternative fits.
    client
        .post_json("/pets", &json!({"name": "nemo"}), None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
}
