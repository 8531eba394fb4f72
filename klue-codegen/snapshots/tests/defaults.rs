//! Parameter defaults and struct constructors, over real HTTP: an absent optional parameter
//! with a `default` reaches the handler as that value (a given one is validated as any
//! other); structs with optional fields have `Default` or `new(required...)`.

use klue_core::ClientConfig;
use klue_core::{ApiError, ServerConfig};
use klue_snapshots::defaults as api;

struct Echo;

impl api::DefaultsApi for Echo {
    async fn list_items(
        &self,
        request: api::ListItemsRequest,
    ) -> Result<api::ListItemsResponse, ApiError> {
        // Plain values: no `Option` for a parameter with a default.
        let verbose: bool = request.verbose;
        let limit: i32 = request.limit;
        Ok(api::Echo {
            verbose,
            limit,
            order: request.order.as_str().to_owned(),
            mode: request.x_mode,
            unit: request.unit.as_str().to_owned(),
            page: request.page,
        }
        .into())
    }

    async fn create_item(
        &self,
        request: api::CreateItemRequest,
    ) -> Result<api::CreateItemResponse, ApiError> {
        Ok(request.body.into())
    }
}

#[tokio::test]
async fn absent_parameters_with_a_default_reach_the_handler_as_the_default() {
    let (client, addr) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let defaults = client.get("/items").await.assert_json(200);
    assert_eq!(
        defaults,
        serde_json::json!({
            "verbose": false, "limit": 20, "order": "desc", "mode": "fast", "unit": "kg"
        })
    );
    let given = client
        .send(
            http::Method::GET,
            "/items?verbose=true&limit=5&order=asc&page=2",
            &[("x-mode", "slow"), ("cookie", "unit=lb")],
            None,
        )
        .await
        .assert_json(200);
    assert_eq!(
        given,
        serde_json::json!({
            "verbose": true, "limit": 5, "order": "asc", "mode": "slow", "unit": "lb", "page": 2
        })
    );
    // A given value is validated: the default does not stand in for a bad one.
    let bad = client
        .send(
            http::Method::GET,
            "/items?verbose=maybe&limit=0&order=up",
            &[("x-mode", "s"), ("cookie", "unit=st")],
            None,
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let mut pointers: Vec<&str> = bad.errors.iter().map(|v| v.pointer.as_str()).collect();
    pointers.sort_unstable();
    assert_eq!(
        pointers,
        ["/limit", "/order", "/unit", "/verbose", "/x-mode"]
    );

    // The client: a parameter with a default stays optional for the caller.
    let typed =
        api::DefaultsClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let answer = typed
        .list_items(api::ListItemsParams::default())
        .await
        .expect("list_items");
    assert_eq!(
        answer,
        api::ListItemsResponse::Ok(api::Echo {
            verbose: false,
            limit: 20,
            order: "desc".into(),
            mode: "fast".into(),
            unit: "kg".into(),
            page: None,
        })
    );
    let answer = typed
        .list_items(api::ListItemsParams {
            limit: Some(7),
            order: Some(api::Order::Asc),
            ..Default::default()
        })
        .await
        .expect("list_items");
    let api::ListItemsResponse::Ok(echo) = answer;
    assert_eq!((echo.limit, echo.order.as_str()), (7, "asc"));
}

#[test]
fn a_request_struct_defaults_to_the_parameter_defaults() {
    let request = api::ListItemsRequest::default();
    assert!(!request.verbose);
    assert_eq!(request.limit, 20);
    assert_eq!(request.order, api::Order::Desc);
    assert_eq!(request.x_mode, "fast");
    assert_eq!(request.unit, api::ListItemsUnit::Kg);
    assert_eq!(request.page, None);
}

#[test]
fn structs_with_optional_fields_have_default_or_new() {
    // Every field optional: `..Default::default()`.
    let options = api::Options {
        flag: Some(true),
        ..Default::default()
    };
    assert_eq!(options.labels, None);
    // A property's `default` is the `Default` value.
    let settings = api::Settings::default();
    assert_eq!((settings.retries, settings.name), (3, None));
    // A required array without `minItems` starts empty.
    assert!(api::Batch::default().items.is_empty());
    // Required fields: `new` takes them, the others start at their defaults.
    let item = api::Item {
        note: Some("fragile".into()),
        ..api::Item::new("box".into())
    };
    assert_eq!(
        (item.name.as_str(), item.tags.as_deref(), item.count),
        ("box", None, 1)
    );
    let request = api::CreateItemRequest { body: item.clone() };
    assert_eq!(request.body, item);
}

#[tokio::test]
async fn a_constructed_body_travels_as_json() {
    let (_client, addr) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let typed =
        api::DefaultsClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let item = api::Item {
        tags: Some(vec!["a".into()]),
        ..api::Item::new("crate".into())
    };
    let answer = typed
        .create_item(api::CreateItemParams { body: item.clone() })
        .await
        .expect("create_item");
    assert_eq!(answer, api::CreateItemResponse::Created(item));
}
