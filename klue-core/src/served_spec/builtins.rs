//! The built-in endpoints as the served document states them, so a client generated from it
//! can call them and a contract tester checks them with the rest.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use super::{component, component_map, component_names, free_name, object_entry, ServerContract};
use crate::builtin;
use crate::registry::OperationSpec;

/// The built-ins' operations as the server binds them (for their auth when errors are added).
pub(super) static OPERATIONS: [&OperationSpec; 5] = [
    &builtin::PING,
    &builtin::VERSION,
    &builtin::AUTH_VERSION,
    &builtin::HEALTH,
    &builtin::METRICS,
];

/// The names the built-ins' declarations use, free of the spec's own.
struct BuiltinNames {
    version_schema: String,
    health_schema: String,
    /// The spec's own bearer scheme when it has one, else a new one.
    bearer_scheme: String,
    bearer_is_new: bool,
    operation_ids: HashSet<String>,
}

impl BuiltinNames {
    fn of(document: &Map<String, Value>) -> Self {
        let schemas = component_names(document, "schemas");
        let own_bearer = component(document, "securitySchemes")
            .and_then(Value::as_object)
            .and_then(|schemes| {
                schemes.iter().find_map(|(name, scheme)| {
                    let bearer = scheme["type"] == "http"
                        && scheme["scheme"]
                            .as_str()
                            .is_some_and(|s| s.eq_ignore_ascii_case("bearer"));
                    bearer.then(|| name.clone())
                })
            });
        let bearer_is_new = own_bearer.is_none();
        let bearer_scheme = own_bearer.unwrap_or_else(|| {
            free_name(&component_names(document, "securitySchemes"), "KlueBearer")
        });
        BuiltinNames {
            version_schema: free_name(&schemas, "KlueVersion"),
            health_schema: free_name(&schemas, "KlueHealth"),
            bearer_scheme,
            bearer_is_new,
            operation_ids: operation_ids(document),
        }
    }

    /// `base`, renamed if the spec already has an operation with that id.
    fn operation_id(&mut self, base: &str) -> String {
        let id = free_name(&self.operation_ids, base);
        self.operation_ids.insert(id.clone());
        id
    }
}

/// Adds to `document` the built-in paths the server serves: each one where the server mounts
/// it (under the built-ins' prefix), unless an operation of a served API takes its place. A
/// path the spec declares with other methods gets the built-in's `get` beside them when the
/// API is served at the root; elsewhere the path item is the spec's, and the built-in is left
/// out (one path item cannot be at two places).
pub(super) fn add(document: &mut Map<String, Value>, contract: &ServerContract<'_>) {
    let mut names = BuiltinNames::of(document);
    let version = format!("#/components/schemas/{}", names.version_schema);
    let mut items: Vec<(String, Value)> = Vec::new();
    let mut add_item = |path: &'static str, item: fn(&mut BuiltinNames, &str) -> Value| {
        let path = format!("{}{path}", contract.builtins_prefix);
        let declared = document
            .get("paths")
            .and_then(|paths| paths.get(&path))
            .and_then(Value::as_object);
        let free = match declared {
            None => true,
            Some(declared) => contract.mount_prefix.is_empty() && !declared.contains_key("get"),
        };
        if free && !contract.shadowed.contains(&path) {
            items.push((path, item(&mut names, &version)));
        }
    };
    add_item("/ping", ping);
    add_item("/version", version_item);
    add_item("/auth/version", auth_version);
    if contract.health {
        add_item("/health", health);
    }
    if contract.metrics {
        add_item("/metrics", metrics);
    }
    if items.is_empty() {
        return;
    }
    let added: Vec<&str> = items
        .iter()
        .map(|(path, _)| path.strip_prefix(contract.builtins_prefix).unwrap_or(path))
        .collect();
    add_components(document, &names, &added);
    // The built-ins are served at the root, wherever the API is mounted.
    let at_root = !contract.mount_prefix.is_empty();
    let paths = object_entry(document, "paths");
    for (path, mut item) in items {
        if at_root {
            item["servers"] = json!([{"url": "/", "description": "klue's built-ins"}]);
        }
        match paths.get_mut(&path).and_then(Value::as_object_mut) {
            // The spec's item, with other methods: the built-in's `get` joins them.
            Some(declared) => {
                if let Some(operations) = item.as_object_mut().map(std::mem::take) {
                    declared.extend(operations);
                }
            }
            None => {
                paths.insert(path, item);
            }
        }
    }
}

/// The schemas and the security scheme the added items refer to.
fn add_components(document: &mut Map<String, Value>, names: &BuiltinNames, items: &[&str]) {
    let added = |path: &str| items.contains(&path);
    let components = component_map(document);
    if added("/auth/version") && names.bearer_is_new {
        object_entry(components, "securitySchemes").insert(
            names.bearer_scheme.clone(),
            json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}),
        );
    }
    let schemas = object_entry(components, "schemas");
    if added("/version") || added("/auth/version") {
        schemas.insert(names.version_schema.clone(), version_schema());
    }
    if added("/health") {
        schemas.insert(names.health_schema.clone(), health_schema());
    }
}

fn ping(names: &mut BuiltinNames, _: &str) -> Value {
    json!({"get": {
        "operationId": names.operation_id("klue_ping"),
        "summary": "Liveness: answers `{}` while the server runs (klue built-in).",
        "security": [],
        "responses": {"200": {
            "description": "The server runs.",
            "content": {"application/json": {"schema": {"type": "object"}}}
        }}
    }})
}

fn version_item(names: &mut BuiltinNames, version: &str) -> Value {
    json!({"get": {
        "operationId": names.operation_id("klue_version"),
        "summary": "The served API's name and version, and the container's (klue built-in).",
        "security": [],
        "responses": {"200": {
            "description": "What runs.",
            "content": {"application/json": {"schema": {"$ref": version}}}
        }}
    }})
}

fn auth_version(names: &mut BuiltinNames, version: &str) -> Value {
    let mut requirement = Map::new();
    requirement.insert(names.bearer_scheme.clone(), json!([]));
    json!({"get": {
        "operationId": names.operation_id("klue_auth_version"),
        "summary": "As `/version`, for a caller with a valid token: checks a token end to end \
                    (klue built-in).",
        "security": [requirement],
        "responses": {"200": {
            "description": "What runs.",
            "content": {"application/json": {"schema": {"$ref": version}}}
        }}
    }})
}

fn health(names: &mut BuiltinNames, _: &str) -> Value {
    let report = json!({"$ref": format!("#/components/schemas/{}", names.health_schema)});
    json!({"get": {
        "operationId": names.operation_id("klue_health"),
        "summary": "Readiness: runs the server's health checks (klue built-in).",
        "security": [],
        "responses": {
            "200": {
                "description": "Every check passed.",
                "content": {"application/json": {"schema": report.clone()}}
            },
            "503": {
                "description": "A check failed or timed out.",
                "content": {"application/json": {"schema": report}}
            }
        }
    }})
}

fn metrics(names: &mut BuiltinNames, _: &str) -> Value {
    json!({"get": {
        "operationId": names.operation_id("klue_metrics"),
        "summary": "Prometheus metrics, text exposition format 0.0.4 (klue built-in).",
        "security": [],
        "responses": {"200": {
            "description": "The metrics.",
            "content": {"text/plain": {"schema": {"type": "string"}}}
        }}
    }})
}

/// The wire form of [`crate::VersionInfo`].
fn version_schema() -> Value {
    json!({
        "type": "object",
        "required": ["name", "version", "container"],
        "properties": {
            "name": {"type": "string", "description": "The served API's name."},
            "version": {"type": "string", "description": "The served API's `info.version`."},
            "container": {
                "type": "string",
                "description": "The version of the image the server runs in, or \"\"."
            }
        }
    })
}

/// What `/health` answers: the overall status and each check's.
fn health_schema() -> Value {
    let status = json!({"type": "string", "enum": ["pass", "fail"]});
    json!({
        "type": "object",
        "required": ["status", "checks"],
        "properties": {
            "status": status,
            "checks": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["status", "duration_ms"],
                    "properties": {
                        "status": status,
                        "duration_ms": {"type": "number"},
                        "error": {"type": "string"}
                    }
                }
            }
        }
    })
}

/// Every `operationId` of `document`.
fn operation_ids(document: &Map<String, Value>) -> HashSet<String> {
    let Some(Value::Object(paths)) = document.get("paths") else {
        return HashSet::new();
    };
    paths
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .filter_map(|operation| operation.get("operationId")?.as_str())
        .map(str::to_owned)
        .collect()
}
