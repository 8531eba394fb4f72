//! `nullable` over real HTTP: absent, null and a value reach the handler as three different
//! things where the spec makes them differ, and constraints still apply to present values.

use klue_core::ClientConfig;
use klue_core::{ApiError, ServerConfig};
use klue_snapshots::nullable as api;
use serde_json::json;

struct Echo;

fn describe<T: std::fmt::Debug>(value: Option<Option<T>>) -> String {
    match value {
        None => "absent".into(),
        Some(None) => "null".into(),
        Some(Some(v)) => format!("value:{v:?}"),
    }
}

impl api::NullableApi for Echo {
    async fn put_profile(
        &self,
        request: api::PutProfileRequest,
    ) -> Result<api::PutProfileResponse, ApiError> {
        let p = request.body;
        Ok(api::Understood {
            // Required and nullable: present as null or as a value.
            nickname: describe(Some(p.nickname)),
            age: describe(p.age),
            bio: describe(p.bio.map(Some)),
            home: describe(Some(p.home.map(|a| a.city))),
        }
        .into())
    }
}

#[tokio::test]
async fn absent_null_and_value_stay_distinct() {
    let (client, addr) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let understood = |body: serde_json::Value| {
        let client = client.clone();
        async move {
            client
                .put_json("/profiles", &body, None)
                .await
                .assert_json(200)
        }
    };
    assert_eq!(
        understood(json!({"nickname": null, "home": null})).await,
        json!({"nickname": "null", "age": "absent", "bio": "absent", "home": "null"})
    );
    assert_eq!(
        understood(json!({"nickname": "ab", "age": null, "home": {"city": "Oslo"}})).await,
        json!({"nickname": "value:\"ab\"", "age": "null", "bio": "absent", "home": "value:\"Oslo\""})
    );
    assert_eq!(
        understood(json!({"nickname": "ab", "age": 7, "bio": "hi", "home": null})).await,
        json!({"nickname": "value:\"ab\"", "age": "value:7", "bio": "value:\"hi\"", "home": "null"})
    );

    // The generated client sends what the types say: Some(None) is null, None is absent.
    let typed =
        api::NullableClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let answer = typed
        .put_profile(api::PutProfileParams {
            body: api::Profile {
                nickname: None,
                age: Some(None),
                bio: None,
                home: None,
            },
        })
        .await
        .expect("put_profile");
    assert_eq!(
        answer,
        api::PutProfileResponse::Ok(api::Understood {
            nickname: "null".into(),
            age: "null".into(),
            bio: "absent".into(),
            home: "null".into(),
        })
    );
}

#[tokio::test]
async fn required_nullable_fields_must_be_present_and_values_are_checked() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let pointers = |envelope: klue_core::ErrorEnvelope| -> Vec<(String, String)> {
        envelope
            .errors
            .into_iter()
            .map(|v| (v.pointer, v.message))
            .collect()
    };

    let missing = client
        .put_json("/profiles", &json!({"home": null}), None)
        .await;
    assert_eq!(
        pointers(missing.assert_error(400, "INVALID_PARAMETER")),
        [(
            "/nickname".to_owned(),
            "required property is missing".to_owned()
        )]
    );

    let bad_values = json!({"nickname": "a", "age": 200, "home": {"city": ""}});
    let response = client.put_json("/profiles", &bad_values, None).await;
    let found: Vec<String> = pointers(response.assert_error(400, "INVALID_PARAMETER"))
        .into_iter()
        .map(|(pointer, _)| pointer)
        .collect();
    assert_eq!(found, ["/nickname", "/age", "/home/city"]);

    let wrong_type = json!({"nickname": 5, "age": "old", "home": null});
    let response = client.put_json("/profiles", &wrong_type, None).await;
    assert_eq!(
        pointers(response.assert_error(400, "INVALID_PARAMETER")),
        [
            (
                "/nickname".to_owned(),
                "expected string, got integer".to_owned()
            ),
            ("/age".to_owned(), "expected integer, got string".to_owned()),
        ]
    );
}

#[tokio::test]
async fn null_is_refused_where_the_property_is_not_nullable() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    // `bio` is optional but not nullable: absent is fine, null is not a string.
    let response = client
        .put_json(
            "/profiles",
            &json!({"nickname": null, "home": null, "bio": null}),
            None,
        )
        .await;
    let envelope = response.assert_error(400, "INVALID_PARAMETER");
    let found: Vec<(String, String)> = envelope
        .errors
        .into_iter()
        .map(|v| (v.pointer, v.message))
        .collect();
    assert_eq!(
        found,
        [("/bio".to_owned(), "expected string, got null".to_owned())]
    );
    // Nested in a nullable property's value, the same rule holds.
    let response = client
        .put_json(
            "/profiles",
            &json!({"nickname": null, "home": {"city": null}}),
            None,
        )
        .await;
    let envelope = response.assert_error(400, "INVALID_PARAMETER");
    assert_eq!(envelope.errors[0].pointer, "/home/city");
}
