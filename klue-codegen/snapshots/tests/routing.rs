//! Paths real specs have, served over real HTTP through generated code: same-shaped paths
//! with different parameter names, several parameters in one segment, a suffixed or prefixed
//! parameter beside a bare one and a literal, and the spec's own /health and /version beside
//! klue's other built-ins (with and without a built-ins' prefix).

use std::collections::BTreeMap;

use klue_core::ClientConfig;
use klue_core::{ApiError, BuildError, Server, ServerConfig};
use klue_snapshots::routing as api;
use serde_json::{json, Value};

struct Echo;

fn echo(operation: &str, params: &[(&str, String)]) -> api::Echo {
    api::Echo {
        operation: operation.to_owned(),
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    }
}

impl api::RoutingApi for Echo {
    async fn list_attestations(
        &self,
        r: api::ListAttestationsRequest,
    ) -> Result<api::ListAttestationsResponse, ApiError> {
        let params = [("org", r.org), ("subject_digest", r.subject_digest)];
        Ok(echo("list_attestations", &params).into())
    }
    async fn delete_attestation(
        &self,
        r: api::DeleteAttestationRequest,
    ) -> Result<api::DeleteAttestationResponse, ApiError> {
        let params = [
            ("org", r.org),
            ("attestation_id", r.attestation_id.to_string()),
        ];
        Ok(echo("delete_attestation", &params).into())
    }
    async fn compare(&self, r: api::CompareRequest) -> Result<api::CompareResponse, ApiError> {
        let params = [
            ("owner", r.owner),
            ("repo", r.repo),
            ("base", r.base),
            ("head", r.head),
        ];
        Ok(echo("compare", &params).into())
    }
    async fn file_json(&self, r: api::FileJsonRequest) -> Result<api::FileJsonResponse, ApiError> {
        Ok(echo("file_json", &[("name", r.name)]).into())
    }
    async fn file(&self, r: api::FileRequest) -> Result<api::FileResponse, ApiError> {
        Ok(echo("file", &[("file", r.file)]).into())
    }
    async fn file_latest(
        &self,
        _: api::FileLatestRequest,
    ) -> Result<api::FileLatestResponse, ApiError> {
        Ok(echo("file_latest", &[]).into())
    }
    async fn status(&self, r: api::StatusRequest) -> Result<api::StatusResponse, ApiError> {
        Ok(echo("status", &[("version", r.version.to_string())]).into())
    }
    async fn spec_health(
        &self,
        _: api::SpecHealthRequest,
    ) -> Result<api::SpecHealthResponse, ApiError> {
        Ok(echo("spec_health", &[]).into())
    }
    async fn spec_version(
        &self,
        _: api::SpecVersionRequest,
    ) -> Result<api::SpecVersionResponse, ApiError> {
        Ok(echo("spec_version", &[]).into())
    }
    async fn svc_create(
        &self,
        _: api::SvcCreateRequest,
    ) -> Result<api::SvcCreateResponse, ApiError> {
        Ok(echo("svc_create", &[]).into())
    }
    async fn svc_delete(
        &self,
        _: api::SvcDeleteRequest,
    ) -> Result<api::SvcDeleteResponse, ApiError> {
        Ok(echo("svc_delete", &[]).into())
    }
    async fn request_diff(
        &self,
        r: api::RequestDiffRequest,
    ) -> Result<api::RequestDiffResponse, ApiError> {
        Ok(echo("request_diff", &[("id", r.id.to_string())]).into())
    }
    async fn request_plain(
        &self,
        r: api::RequestPlainRequest,
    ) -> Result<api::RequestPlainResponse, ApiError> {
        Ok(echo("request_plain", &[("id", r.id.to_string())]).into())
    }
    async fn alerts(&self, r: api::AlertsRequest) -> Result<api::AlertsResponse, ApiError> {
        Ok(echo("alerts", &[("lat", r.lat.to_string())]).into())
    }
}

/// `(operation, params)` of what answered `GET path`.
async fn answer(client: &testaccept::TestClient, method: http::Method, path: &str) -> Value {
    let body = client.send(method, path, &[], None).await.assert_json(200);
    json!([body["operation"], body["params"]])
}

#[tokio::test]
async fn same_shaped_paths_each_read_their_own_parameters() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    assert_eq!(
        answer(
            &client,
            http::Method::GET,
            "/orgs/acme/attestations/sha256:ab"
        )
        .await,
        json!(["list_attestations", {"org": "acme", "subject_digest": "sha256:ab"}])
    );
    assert_eq!(
        answer(&client, http::Method::DELETE, "/orgs/acme/attestations/42").await,
        json!(["delete_attestation", {"org": "acme", "attestation_id": "42"}])
    );
    // Each operation validates its own parameter: `attestation_id` is an integer.
    let bad = client
        .send(http::Method::DELETE, "/orgs/acme/attestations/x", &[], None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(bad.errors[0].pointer, "/attestation_id");
    let put = client
        .send(http::Method::PUT, "/orgs/acme/attestations/42", &[], None)
        .await;
    put.assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(put.headers["allow"], "DELETE, GET");
}

#[tokio::test]
async fn several_parameters_in_one_segment_are_split_on_literal_separators() {
    let (client, addr) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let get = |path: &'static str| answer(&client, http::Method::GET, path);
    let params = json!({"owner": "o", "repo": "r", "base": "v1.2", "head": "v1.3"});
    assert_eq!(
        get("/repos/o/r/compare/v1.2...v1.3").await,
        json!(["compare", params])
    );
    // An encoded separator is part of a value, decoded for the handler.
    assert_eq!(
        get("/repos/o/r/compare/a%2E%2E%2Eb...main").await[1],
        json!({"owner": "o", "repo": "r", "base": "a...b", "head": "main"})
    );
    for unmatched in [
        "/repos/o/r/compare/main",
        "/repos/o/r/compare/a%2E%2E%2Eb",
        "/repos/o/r/compare/...main",
    ] {
        client
            .get(unmatched)
            .await
            .assert_error(404, "ROUTE_NOT_FOUND");
    }
    // The generated client writes the same URL.
    let typed = api::RoutingClient::new(ClientConfig::new(format!("http://{addr}"))).unwrap();
    let answer = typed
        .compare(api::CompareParams {
            owner: "o".into(),
            repo: "r".into(),
            base: "release-1.0".into(),
            head: "feature.x".into(),
        })
        .await
        .expect("compare");
    let api::CompareResponse::Ok(answer) = answer;
    assert_eq!(answer.params["base"], "release-1.0");
    assert_eq!(answer.params["head"], "feature.x");
}

#[tokio::test]
async fn the_more_literal_template_wins() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let get = |path: &'static str| answer(&client, http::Method::GET, path);
    assert_eq!(
        get("/files/report.json").await,
        json!(["file_json", {"name": "report"}])
    );
    assert_eq!(
        get("/files/report").await,
        json!(["file", {"file": "report"}])
    );
    assert_eq!(
        get("/files/report%2Ejson").await,
        json!(["file", {"file": "report.json"}])
    );
    assert_eq!(get("/files/latest.json").await, json!(["file_latest", {}]));
    assert_eq!(
        get("/api/v2/status").await,
        json!(["status", {"version": "2"}])
    );
    client
        .get("/api/2/status")
        .await
        .assert_error(404, "ROUTE_NOT_FOUND");
}

#[tokio::test]
async fn the_specs_own_health_and_version_are_served_and_the_other_builtins_stay_klues() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let get = |path: &'static str| answer(&client, http::Method::GET, path);
    assert_eq!(get("/health").await, json!(["spec_health", {}]));
    assert_eq!(get("/version").await, json!(["spec_version", {}]));
    let metrics = client.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    let text = String::from_utf8_lossy(&metrics.body).into_owned();
    assert!(text.contains("operation=\"spec_health\""), "{text}");
    let version = client.get("/auth/version").await;
    version.assert_error(401, "AUTHORIZATION_HEADER_MISSING");

    // The served spec documents the spec's operations there, not the built-ins.
    let served = client.get("/openapi.json").await.assert_json(200);
    assert_eq!(
        served["paths"]["/health"]["get"]["operationId"],
        "spec_health"
    );
    assert_eq!(
        served["paths"]["/version"]["get"]["operationId"],
        "spec_version"
    );
    assert_eq!(
        served["paths"]["/metrics"]["get"]["operationId"],
        "klue_metrics"
    );
    assert!(served["components"]["schemas"].get("KlueHealth").is_none());
}

#[tokio::test]
async fn a_builtins_prefix_keeps_both() {
    let config = ServerConfig {
        builtins_prefix: "/_klue".to_owned(),
        ..ServerConfig::default()
    };
    let (client, _) = testaccept::serve([api::router(Echo)], config).await;
    assert_eq!(
        answer(&client, http::Method::GET, "/health").await,
        json!(["spec_health", {}])
    );
    let health = client.get("/_klue/health").await.assert_json(200);
    assert_eq!(health["status"], "pass");
    let version = client.get("/_klue/version").await.assert_json(200);
    assert_eq!(version["name"], "routing");
    assert_eq!(client.get("/_klue/metrics").await.status, 200);
    for moved in ["/metrics", "/ping", "/openapi.json", "/docs"] {
        client.get(moved).await.assert_error(404, "ROUTE_NOT_FOUND");
    }
    let page = client.get("/_klue/docs").await;
    let page = String::from_utf8_lossy(&page.body).into_owned();
    assert!(page.contains("/_klue/docs/swagger-ui-bundle.js"), "{page}");

    let served = client.get("/_klue/openapi.json").await.assert_json(200);
    assert_eq!(
        served["paths"]["/health"]["get"]["operationId"],
        "spec_health"
    );
    assert_eq!(
        served["paths"]["/_klue/health"]["get"]["operationId"],
        "klue_health"
    );
    assert!(served["paths"].get("/metrics").is_none());
}

#[test]
fn two_apis_with_the_same_operation_route_are_a_build_error() {
    let server = Server::new(ServerConfig::default())
        .api(api::router(Echo))
        .api(api::router(Echo));
    match server.build() {
        Err(BuildError::DuplicateOperation { method, path, .. }) => {
            assert_eq!(method, http::Method::GET);
            assert_eq!(path, "/orgs/{org}/attestations/{subject_digest}");
        }
        other => panic!("expected a DuplicateOperation, got {other:?}"),
    }
}

static CONFLICT_INFO: klue_core::ApiInfo = klue_core::ApiInfo {
    name: "conflict",
    title: "conflict",
    version: "1.0.0",
    spec_json: r#"{"openapi":"3.0.3","info":{"title":"conflict","version":"1.0.0"},"paths":{}}"#,
};
static GET_ITEM: klue_core::OperationSpec = klue_core::OperationSpec {
    id: "get_item",
    method: http::Method::GET,
    path: "/items/{id}",
    auth: klue_core::AuthMode::None,
    body: None,
};
static GET_ITEM_AGAIN: klue_core::OperationSpec = klue_core::OperationSpec {
    id: "get_item_again",
    method: http::Method::GET,
    path: "/items/{item_id}",
    auth: klue_core::AuthMode::None,
    body: None,
};

/// A spec of its own that declares one method on two same-shaped paths (reverb.com, visma.com
/// do) still starts: the first declared is served, the other cannot be reached (generation and
/// `klue check` warn about it).
#[tokio::test]
async fn one_api_with_two_operations_of_one_shape_serves_the_first() {
    let mut router = klue_core::ApiRouter::new(&CONFLICT_INFO);
    for spec in [&GET_ITEM, &GET_ITEM_AGAIN] {
        router.operation(
            spec,
            move |request: klue_core::OperationRequest| async move {
                let mut v = klue_core::Violations::default();
                let id: Option<String> =
                    request.path_param(&mut v, "id", &klue_core::validate::plain::STRING);
                Ok(klue_core::json_response(
                    http::StatusCode::OK,
                    &json!({"operation": spec.id, "params": {"id": id}}),
                ))
            },
        );
    }
    let (client, _) = testaccept::serve([router], ServerConfig::default()).await;
    assert_eq!(
        answer(&client, http::Method::GET, "/items/7").await,
        json!(["get_item", {"id": "7"}])
    );
}

/// Operations of one path and method told apart by what follows `#` or `?` in their path: the
/// server picks by the header or query value the selector names; the generated client sends
/// it.
#[tokio::test]
async fn a_selector_after_hash_or_question_mark_chooses_the_operation() {
    let (client, addr) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let target = |value: &'static str| [("x-amz-target", value)];
    for (value, operation) in [("Svc.Create", "svc_create"), ("Svc.Delete", "svc_delete")] {
        let body = client
            .send(http::Method::POST, "/", &target(value), None)
            .await
            .assert_json(200);
        assert_eq!(body["operation"], operation);
    }
    let none = client
        .send(http::Method::POST, "/", &[], None)
        .await
        .assert_error(404, "ROUTE_NOT_FOUND");
    assert!(
        none.error_description.contains("X-Amz-Target=Svc.Create"),
        "{}",
        none.error_description
    );
    client
        .send(http::Method::POST, "/", &target("Svc.Other"), None)
        .await
        .assert_error(404, "ROUTE_NOT_FOUND");
    // Selected by the query, the operation still wants its declared header.
    client
        .send(http::Method::POST, "/?X-Amz-Target=Svc.Create", &[], None)
        .await
        .assert_error(400, "INVALID_PARAMETER");

    let post = |path: &'static str| answer(&client, http::Method::POST, path);
    assert_eq!(
        post("/request/5?cmd=diff").await,
        json!(["request_diff", {"id": "5"}])
    );
    assert_eq!(
        post("/request/5").await,
        json!(["request_plain", {"id": "5"}])
    );
    assert_eq!(
        post("/request/5?cmd=other").await,
        json!(["request_plain", {"id": "5"}])
    );
    // `lat={lat}` with `lat` declared in the path: read from the query.
    assert_eq!(
        answer(&client, http::Method::GET, "/alerts?lat=1.5").await,
        json!(["alerts", {"lat": "1.5"}])
    );
    client
        .get("/alerts")
        .await
        .assert_error(404, "ROUTE_NOT_FOUND");

    let typed = api::RoutingClient::new(ClientConfig::new(format!("http://{addr}"))).unwrap();
    let api::SvcDeleteResponse::Ok(answer) = typed
        .svc_delete(api::SvcDeleteParams {
            x_amz_target: api::SvcDeleteXAmzTarget::SvcDelete,
        })
        .await
        .expect("svc_delete");
    assert_eq!(answer.operation, "svc_delete");
    let api::RequestDiffResponse::Ok(answer) = typed
        .request_diff(api::RequestDiffParams {
            id: 5,
            cmd: api::RequestDiffCmd::Diff,
        })
        .await
        .expect("request_diff");
    assert_eq!(answer.operation, "request_diff");
    let api::AlertsResponse::Ok(answer) = typed
        .alerts(api::AlertsParams { lat: 2.25 })
        .await
        .expect("alerts");
    assert_eq!(answer.params["lat"], "2.25");
}
