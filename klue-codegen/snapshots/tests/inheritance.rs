//! Swagger 2.0 polymorphism by `allOf` inheritance, served
//! (`apis/fixtures/swagger2/inheritance.yaml`): wherever the base `Pet` is used, a `Cat` or a
//! `Dog` is accepted with its own fields and rules, picked by `petType`; the base itself is
//! `Pet::PetBase`; an unknown tag is a 400 at `/petType`, also inside arrays.

use klue_core::ClientConfig;
use klue_core::{ApiError, ServerConfig};
use klue_snapshots::inheritance as api;
use serde_json::{json, Value};

struct Echo;

impl api::InheritanceApi for Echo {
    async fn add_pet(&self, request: api::AddPetRequest) -> Result<api::AddPetResponse, ApiError> {
        // The handler sees the subtype the tag names, with its own fields.
        let pet = match request.body {
            api::Pet::Dog(mut dog) => {
                dog.pack_size += 1;
                api::Pet::Dog(dog)
            }
            api::Pet::Cat(mut cat) => {
                cat.hunting_skill = api::CatHuntingSkill::Adventurous;
                api::Pet::Cat(cat)
            }
            other @ (api::Pet::PetBase(_) | api::Pet::Fish(_) | api::Pet::Lion(_)) => other,
        };
        Ok(api::AddPetResponse::Ok(pet))
    }

    async fn add_owner(
        &self,
        request: api::AddOwnerRequest,
    ) -> Result<api::AddOwnerResponse, ApiError> {
        Ok(api::AddOwnerResponse::Ok(request.body))
    }
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
    envelope
        .errors
        .iter()
        .map(|v| (v.pointer.clone(), v.message.clone()))
        .collect()
}

#[tokio::test]
async fn the_tag_picks_the_subtype() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let dog = json!({"petType": "Dog", "name": "rex", "packSize": 2});
    let echoed = client.post_json("/pets", &dog, None).await.assert_json(200);
    assert_eq!(
        echoed,
        json!({"petType": "Dog", "name": "rex", "packSize": 3})
    );
    let cat = json!({"petType": "Cat", "name": "tom", "huntingSkill": "lazy"});
    let echoed = client.post_json("/pets", &cat, None).await.assert_json(200);
    assert_eq!(
        echoed,
        json!({"petType": "Cat", "name": "tom", "huntingSkill": "adventurous"})
    );
    let fish = json!({"petType": "fish", "name": "nemo", "water": "salt"});
    let echoed = client
        .post_json("/pets", &fish, None)
        .await
        .assert_json(200);
    assert_eq!(echoed, fish);
    let found = rejected(&client, "/pets", json!({"petType": "Fish", "name": "nemo"})).await;
    assert_eq!(found[0].0, "/petType", "{found:?}");
    // A subtype of a subtype is a pet too, with the rules of all three.
    let lion = json!({"petType": "Lion", "name": "leo", "huntingSkill": "lazy", "mane": true});
    let echoed = client
        .post_json("/pets", &lion, None)
        .await
        .assert_json(200);
    assert_eq!(echoed, lion);
    let found = rejected(&client, "/pets", json!({"petType": "Lion", "name": "leo"})).await;
    let mut pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    pointers.sort();
    assert_eq!(pointers, ["/huntingSkill", "/mane"], "{found:?}");
    let base = json!({"petType": "Pet", "name": "generic"});
    let echoed = client
        .post_json("/pets", &base, None)
        .await
        .assert_json(200);
    assert_eq!(echoed, base);
}

#[tokio::test]
async fn the_subtype_rules_apply_with_pointers() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    // A dog without its own required field; then also breaking the base's rule on `name`.
    let found = rejected(&client, "/pets", json!({"petType": "Dog", "name": "rex"})).await;
    let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(pointers, ["/packSize"], "{found:?}");
    let found = rejected(
        &client,
        "/pets",
        json!({"petType": "Dog", "name": "", "packSize": -1}),
    )
    .await;
    let mut pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    pointers.sort();
    assert_eq!(pointers, ["/name", "/packSize"], "{found:?}");
    let found = rejected(
        &client,
        "/pets",
        json!({"petType": "Cat", "name": "tom", "huntingSkill": "fierce"}),
    )
    .await;
    assert_eq!(found[0].0, "/huntingSkill", "{found:?}");
}

#[tokio::test]
async fn an_unknown_tag_is_refused_at_the_tag_even_in_an_array() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let found = rejected(
        &client,
        "/pets",
        json!({"petType": "Bird", "name": "tweety"}),
    )
    .await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/petType");
    assert!(
        found[0]
            .1
            .contains("'Bird' is not one of ['Pet', 'fish', 'Cat', 'Dog', 'Lion']"),
        "{found:?}"
    );
    let owner = json!({"pets": [
        {"petType": "Cat", "name": "tom", "huntingSkill": "lazy"},
        {"petType": "Dog", "name": "rex", "packSize": 1}
    ]});
    let echoed = client
        .post_json("/owners", &owner, None)
        .await
        .assert_json(200);
    assert_eq!(echoed, owner);
    let found = rejected(
        &client,
        "/owners",
        json!({"pets": [{"petType": "Dog", "name": "rex", "packSize": 1}, {"name": "x"}]}),
    )
    .await;
    assert_eq!(found[0].0, "/pets/1/petType", "{found:?}");
}

#[tokio::test]
async fn the_client_sends_and_reads_subtypes() {
    let (_, addr) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let typed =
        api::InheritanceClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let sent = api::Pet::Dog(api::Dog {
        name: "rex".to_owned(),
        pet_type: "Dog".to_owned(),
        pack_size: 4,
    });
    let api::AddPetResponse::Ok(answer) = typed
        .add_pet(api::AddPetParams { body: sent })
        .await
        .expect("add_pet");
    assert_eq!(
        answer,
        api::Pet::Dog(api::Dog {
            name: "rex".to_owned(),
            pet_type: "Dog".to_owned(),
            pack_size: 5,
        })
    );
}
