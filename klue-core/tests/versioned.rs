//! Two versions of an API side by side, each under its spec's base path (`servers[0].url`),
//! the built-ins unversioned.

use std::net::SocketAddr;

use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use klue_core::{ApiInfo, ApiRouter, AuthMode, OperationSpec, Server, ServerConfig};
use serde_json::{json, Value};

static V1: ApiInfo = ApiInfo {
    name: "items_v1",
    title: "items",
    version: "1.4.0",
    spec_json: r#"{"openapi":"3.0.3","servers":[{"url":"/v1"}],"paths":{"/items/{id}":{}}}"#,
};

static V2: ApiInfo = ApiInfo {
    name: "items_v2",
    title: "items",
    version: "2.0.0",
    spec_json: r#"{"openapi":"3.0.3","servers":[{"url":"https://api.example.com/v2/"}],"paths":{"/items/{id}":{}}}"#,
};

static GET_ITEM: OperationSpec = OperationSpec {
    id: "get_item",
    method: Method::GET,
    path: "/items/{id}",
    auth: AuthMode::None,
    body: None,
};

fn router(info: &'static ApiInfo, shape: fn(&str) -> Value) -> ApiRouter {
    let mut router = ApiRouter::new(info);
    router.operation(&GET_ITEM, move |request| async move {
        let id = request.parts().uri.path().rsplit('/').next().unwrap_or("");
        Ok(klue_core::json_response(StatusCode::OK, &shape(id)))
    });
    router
}

async fn get(addr: SocketAddr, path: &str) -> (StatusCode, Value) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let response = client
        .get(format!("http://{addr}{path}").parse().expect("uri"))
        .await
        .expect("answer");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn two_versions_are_served_under_their_base_paths() {
    assert_eq!(V1.base_path(), "/v1");
    assert_eq!(V2.base_path(), "/v2");
    let server = Server::new(ServerConfig::default())
        .api_at_base_path(router(&V1, |id| json!({"id": id})))
        .api_at_base_path(router(&V2, |id| json!({"item": {"id": id}, "version": 2})));
    let bound = server
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("binds");
    let addr = bound.local_addr().expect("address");
    tokio::spawn(bound.serve());

    assert_eq!(
        get(addr, "/v1/items/7").await,
        (StatusCode::OK, json!({"id": "7"}))
    );
    assert_eq!(
        get(addr, "/v2/items/7").await,
        (StatusCode::OK, json!({"item": {"id": "7"}, "version": 2}))
    );
    let (status, envelope) = get(addr, "/items/7").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(envelope["error"], "ROUTE_NOT_FOUND");

    // Built-ins stay unversioned; /version names the first API.
    assert_eq!(get(addr, "/ping").await, (StatusCode::OK, json!({})));
    let (_, version) = get(addr, "/version").await;
    assert_eq!(version["name"], "items_v1");
    let (status, _) = get(addr, "/v2/ping").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Each spec has its own document.
    let (_, v2_spec) = get(addr, "/openapi/items_v2.json").await;
    assert_eq!(v2_spec["servers"][0]["url"], "https://api.example.com/v2/");
}

#[tokio::test]
async fn an_explicit_prefix_and_a_spec_without_servers() {
    static BARE: ApiInfo = ApiInfo {
        name: "bare",
        title: "bare",
        version: "1",
        spec_json: r#"{"swagger":"2.0","basePath":"/api/"}"#,
    };
    assert_eq!(BARE.base_path(), "/api");
    let server = Server::new(ServerConfig::default())
        .api(router(&V1, |id| json!({"v": 1, "id": id})))
        .api_at("/v3/", router(&V2, |id| json!({"v": 3, "id": id})));
    let bound = server
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("binds");
    let addr = bound.local_addr().expect("address");
    tokio::spawn(bound.serve());
    assert_eq!(get(addr, "/items/1").await.1, json!({"v": 1, "id": "1"}));
    assert_eq!(get(addr, "/v3/items/1").await.1, json!({"v": 3, "id": "1"}));
    // The served specs say where this server serves each API, not the specs' base paths.
    let (_, v1_spec) = get(addr, "/openapi/items_v1.json").await;
    assert_eq!(v1_spec["servers"][0]["url"], "/");
    let (_, v3_spec) = get(addr, "/openapi/items_v2.json").await;
    assert_eq!(v3_spec["servers"][0]["url"], "/v3");
}

#[tokio::test]
async fn the_docs_page_links_every_api() {
    let server = Server::new(ServerConfig::default())
        .api_at_base_path(router(&V1, |id| json!({"id": id})))
        .api_at_base_path(router(&V2, |id| json!({"id": id})));
    let bound = server
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("binds");
    let addr = bound.local_addr().expect("address");
    tokio::spawn(bound.serve());
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let response = client
        .get(format!("http://{addr}/docs").parse().expect("uri"))
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::OK);
    let html = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let html = String::from_utf8_lossy(&html);
    assert!(html.contains("/docs?api=items_v1"), "{html}");
    assert!(html.contains("/docs?api=items_v2"), "{html}");
    let (status, v1_spec) = get(addr, "/openapi/items_v1.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v1_spec["servers"][0]["url"], "/v1");
    // /openapi.json is the first API's.
    assert_eq!(get(addr, "/openapi.json").await.1, v1_spec);
}
