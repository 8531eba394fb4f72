use http::Method;
use serde_json::{json, Value};

use super::{build, ServerContract};
use crate::registry::{ApiInfo, AuthMode, BodySpec, OperationSpec};

static CREATE: OperationSpec = OperationSpec {
    id: "create_item",
    method: Method::POST,
    path: "/items",
    auth: AuthMode::Required,
    body: Some(BodySpec {
        content_types: &["application/json"],
        required: true,
        stream_types: &[],
    }),
};

static GET: OperationSpec = OperationSpec {
    id: "get_item",
    method: Method::GET,
    path: "/items/{id}",
    auth: AuthMode::Optional,
    body: None,
};

static LIST: OperationSpec = OperationSpec {
    id: "list_items",
    method: Method::GET,
    path: "/items",
    auth: AuthMode::None,
    body: None,
};

const SPEC: &str = r##"{
  "openapi": "3.0.3",
  "info": {"title": "items", "version": "1"},
  "paths": {
    "/items": {
      "get": {"operationId": "list_items", "responses": {"200": {"description": "ok"}}},
      "post": {
        "operationId": "create_item",
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {
          "201": {"description": "made"},
          "400": {"description": "the spec's own 400",
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KlueError"}}}}
        }
      }
    },
    "/items/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"operationId": "get_item", "responses": {"200": {"description": "ok"}, "5XX": {"description": "ours"}}}
    }
  },
  "components": {"schemas": {"KlueError": {"type": "string"}}}
}"##;

fn served(spec_json: &'static str, contract: &ServerContract<'_>) -> Value {
    let info: &'static ApiInfo = Box::leak(Box::new(ApiInfo {
        name: "items",
        title: "items",
        version: "1",
        spec_json,
    }));
    let served = build(info, contract);
    let yaml: Value = crate::yaml::parse(std::str::from_utf8(&served.yaml).unwrap()).expect("YAML");
    let json: Value = serde_json::from_slice(&served.json).expect("JSON");
    assert_eq!(yaml, json, "both formats hold the same document");
    json
}

fn all_on<'a>(operations: &'a [&'static OperationSpec]) -> ServerContract<'a> {
    ServerContract {
        mount_prefix: "",
        operations,
        health: true,
        metrics: true,
        request_timeout: true,
        builtins_prefix: "",
        shadowed: &[],
        mapped_statuses: &[],
    }
}

fn statuses(operation: &Value) -> Vec<String> {
    let mut statuses: Vec<String> = operation["responses"]
        .as_object()
        .expect("responses")
        .keys()
        .cloned()
        .collect();
    statuses.sort();
    statuses
}

#[test]
fn each_operation_gets_the_errors_klue_may_answer_for_it() {
    let doc = served(SPEC, &all_on(&[&CREATE, &GET, &LIST]));
    let paths = &doc["paths"];
    // No parameter, no body, no auth: only the server's own failures.
    assert_eq!(statuses(&paths["/items"]["get"]), ["200", "500", "503"]);
    // A body and a token: everything, and the spec's own 400 kept as it was.
    assert_eq!(
        statuses(&paths["/items"]["post"]),
        ["201", "400", "401", "408", "413", "415", "431", "500", "503"]
    );
    assert_eq!(
        paths["/items"]["post"]["responses"]["400"]["description"],
        "the spec's own 400"
    );
    // A path parameter (declared on the path item), an optional token (a bad one is refused),
    // and a 5XX range that covers 500 and 503.
    assert_eq!(
        statuses(&paths["/items/{id}"]["get"]),
        ["200", "400", "401", "404", "414", "431", "5XX"]
    );
    let unauthorized = &paths["/items/{id}"]["get"]["responses"]["401"];
    let name = unauthorized["$ref"]
        .as_str()
        .expect("a reference")
        .rsplit('/')
        .next()
        .expect("a name");
    let response = &doc["components"]["responses"][name];
    assert!(response["description"]
        .as_str()
        .expect("described")
        .contains("TOKEN_EXPIRED"));
    // The spec's own `KlueError` is kept; the envelope takes the next free name.
    assert_eq!(
        doc["components"]["schemas"]["KlueError"],
        json!({"type": "string"})
    );
    assert_eq!(
        response["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/KlueError2"
    );
    let envelope = &doc["components"]["schemas"]["KlueError2"];
    assert_eq!(
        envelope["required"],
        json!(["status", "error", "error_description", "error_id"])
    );
    assert_eq!(
        envelope["properties"]["errors"]["items"]["required"],
        json!(["in", "pointer", "message"])
    );
}

#[test]
fn without_a_request_timeout_there_is_no_408_nor_503() {
    let operations = [&CREATE, &GET, &LIST];
    let contract = ServerContract {
        request_timeout: false,
        ..all_on(&operations)
    };
    let doc = served(SPEC, &contract);
    assert_eq!(
        statuses(&doc["paths"]["/items"]["post"]),
        ["201", "400", "401", "413", "415", "431", "500"]
    );
    // Only the statuses some operation uses are in `components/responses`.
    let responses = doc["components"]["responses"]
        .as_object()
        .expect("responses");
    assert!(!responses.contains_key("KlueServerTimeout"));
    assert!(responses.contains_key("KluePayloadTooLarge"));
}

#[test]
fn the_builtins_switched_on_are_added() {
    let doc = served(SPEC, &all_on(&[&CREATE, &GET, &LIST]));
    let paths = &doc["paths"];
    for (path, id) in [
        ("/ping", "klue_ping"),
        ("/version", "klue_version"),
        ("/auth/version", "klue_auth_version"),
        ("/health", "klue_health"),
        ("/metrics", "klue_metrics"),
    ] {
        assert_eq!(paths[path]["get"]["operationId"], id, "{path}");
        assert!(paths[path].get("servers").is_none(), "no base path: {path}");
    }
    assert_eq!(statuses(&paths["/ping"]["get"]), ["200", "500", "503"]);
    assert_eq!(
        statuses(&paths["/auth/version"]["get"]),
        ["200", "401", "431", "500", "503"]
    );
    // The spec has no bearer scheme: one is added for /auth/version.
    assert_eq!(
        paths["/auth/version"]["get"]["security"],
        json!([{"KlueBearer": []}])
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["KlueBearer"]["scheme"],
        "bearer"
    );
    // /health's 503 is its report, not the timeout's envelope.
    assert_eq!(
        paths["/health"]["get"]["responses"]["503"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/KlueHealth"
    );
    assert!(paths["/metrics"]["get"]["responses"]["200"]["content"]
        .get("text/plain")
        .is_some());
    assert_eq!(
        doc["components"]["schemas"]["KlueVersion"]["required"],
        json!(["name", "version", "container"])
    );

    let off = ServerContract {
        health: false,
        metrics: false,
        ..all_on(&[])
    };
    let doc = served(SPEC, &off);
    assert!(doc["paths"].get("/health").is_none());
    assert!(doc["paths"].get("/metrics").is_none());
    assert!(doc["paths"].get("/ping").is_some());
    assert!(doc["components"]["schemas"].get("KlueHealth").is_none());
}

#[test]
fn a_builtin_path_the_spec_declares_is_kept_and_names_do_not_collide() {
    const OWN: &str = r##"{
      "openapi": "3.0.3",
      "info": {"title": "own", "version": "1"},
      "servers": [{"url": "https://api.example.com/v2"}],
      "paths": {
        "/ping": {"get": {"operationId": "klue_version", "summary": "mine",
                          "responses": {"200": {"description": "pong"}}}}
      },
      "components": {"securitySchemes": {"jwt": {"type": "http", "scheme": "Bearer"}}}
    }"##;
    let at_base_path = ServerContract {
        mount_prefix: "/v2",
        ..all_on(&[])
    };
    let doc = served(OWN, &at_base_path);
    assert_eq!(doc["servers"][0]["url"], "https://api.example.com/v2");
    let paths = &doc["paths"];
    assert_eq!(paths["/ping"]["get"]["summary"], "mine");
    assert_eq!(statuses(&paths["/ping"]["get"]), ["200", "500", "503"]);
    // `klue_version` is the spec's: the built-in takes the next free id.
    assert_eq!(paths["/version"]["get"]["operationId"], "klue_version2");
    // The spec's bearer scheme is reused.
    assert_eq!(
        paths["/auth/version"]["get"]["security"],
        json!([{"jwt": []}])
    );
    assert!(doc["components"]["securitySchemes"]
        .get("KlueBearer")
        .is_none());
    // The API is under /v2; the built-ins are served at the root.
    assert_eq!(paths["/version"]["servers"][0]["url"], "/");
    assert!(paths["/ping"].get("servers").is_none());
}

#[test]
fn a_converted_swagger2_spec_is_completed_too() {
    // What the code generator embeds for a Swagger 2.0 spec: the converted 3.0 document,
    // with an API key credential (a parameter the handler receives).
    const CONVERTED: &str = r##"{
      "openapi": "3.0.3",
      "info": {"title": "petstore", "version": "1"},
      "servers": [{"url": "/api"}],
      "security": [{"key": []}],
      "paths": {"/pets": {"get": {"responses": {"200": {"description": "pets"}}}}},
      "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}}
    }"##;
    let at_base_path = ServerContract {
        mount_prefix: "/api",
        ..all_on(&[])
    };
    let doc = served(CONVERTED, &at_base_path);
    // A missing key is a 401 (CREDENTIAL_MISSING), as a malformed one may be a 400.
    assert_eq!(
        statuses(&doc["paths"]["/pets"]["get"]),
        ["200", "400", "401", "414", "431", "500", "503"]
    );
    assert_eq!(doc["paths"]["/ping"]["servers"][0]["url"], "/");
}

#[test]
fn servers_say_where_the_server_mounts_the_api() {
    const AT_V1: &str = r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com/v1/"}], "paths": {}}"#;
    let mounted_at = |mount_prefix| ServerContract {
        mount_prefix,
        ..all_on(&[])
    };
    // Mounted at the spec's base path: the spec's servers, and the built-ins at the root.
    let doc = served(AT_V1, &mounted_at("/v1"));
    assert_eq!(
        doc["servers"],
        json!([{"url": "https://api.example.com/v1/"}])
    );
    assert_eq!(doc["paths"]["/ping"]["servers"][0]["url"], "/");
    // Mounted elsewhere: the servers say where.
    let doc = served(AT_V1, &mounted_at("/v3"));
    assert_eq!(doc["servers"][0]["url"], "/v3");
    assert_eq!(doc["paths"]["/ping"]["servers"][0]["url"], "/");
    // Paths served as the spec writes them: at the root, and so are the built-ins.
    let doc = served(AT_V1, &mounted_at(""));
    assert_eq!(doc["servers"][0]["url"], "/");
    assert!(doc["paths"]["/ping"].get("servers").is_none());
    // No servers and no prefix: nothing to say.
    let doc = served(SPEC, &mounted_at(""));
    assert!(doc.get("servers").is_none());
}

#[test]
fn a_spec_that_is_not_an_object_is_served_as_it_is() {
    let info = ApiInfo {
        name: "odd",
        title: "odd",
        version: "1",
        spec_json: "[]",
    };
    let served = build(&info, &all_on(&[]));
    assert_eq!(&served.json[..], b"[]");
}
