//! The spec a server serves at `/openapi.json`, `/openapi.yaml` and `/openapi/<name>.json`:
//! the API's spec completed with what klue itself adds to the contract.
//!
//! A spec states the success answers of its operations; klue answers more than that on its
//! own (a 400 for a request that breaks the spec, a 401 without a valid token, a 404 for a
//! path parameter that routes nowhere, the limits' 413, 414 and 431, a 415, a 500, the
//! timeouts' 408 and 503) and serves built-in endpoints the spec does not name. A
//! client generated from the bare spec in another language cannot type those answers, and a
//! contract tester (schemathesis) rightly calls them undocumented. So the served document
//! adds, once at server start:
//! - `components/schemas/KlueError`, the error envelope every such answer carries, and one
//!   `components/responses` entry per status klue answers on its own;
//! - to each operation, those of these statuses it may answer and does not declare (a status
//!   the spec declares, exactly or by a `4XX`/`5XX` range, is kept as the spec says); a status
//!   the service's error mapper answers in another status and the spec's shape
//!   ([`crate::ApiRouter::map_error`]) is documented as that status: the spec's own response
//!   where the operation declares it, a description of the service's answer otherwise;
//! - the built-in paths switched on (`/ping`, `/version`, `/auth/version`, `/health`,
//!   `/metrics`, under the built-ins' prefix when one is set), except where an operation of a
//!   served API takes the built-in's place (the server does not serve it there);
//! - `servers` saying where the API is served, when the server mounts it elsewhere than the
//!   spec's base path. The docs routes are left out:
//!   they serve this document and a web page, not the API.
//!
//! The embedded spec is OpenAPI 3.x JSON: a Swagger 2.0 spec is embedded already converted to
//! 3.0, so one code path serves both. Names added to `components` and operation ids of the
//! built-ins get a numeric suffix if the spec already uses them, so nothing of the spec is
//! overwritten.

use std::collections::HashSet;

use bytes::Bytes;
use http::Method;
use serde_json::{json, Map, Value};

use crate::api_spec::{base_path_of, ApiInfo, AuthMode, OperationSpec};

mod builtins;

/// What the server adds around one API.
pub(crate) struct ServerContract<'a> {
    /// Where the server mounts the API's paths (`""`: as the spec writes them).
    pub(crate) mount_prefix: &'a str,
    /// The operations bound to the API: the server enforces their auth and body as these say.
    pub(crate) operations: &'a [&'static OperationSpec],
    /// `/health` is served.
    pub(crate) health: bool,
    /// `/metrics` is served.
    pub(crate) metrics: bool,
    /// A request timeout is set (408 while a body arrives, 503 while a handler runs).
    pub(crate) request_timeout: bool,
    /// Where the built-ins are served (`""`: at the root).
    pub(crate) builtins_prefix: &'a str,
    /// The built-ins' paths (with the prefix) an operation of a served API takes: not
    /// served, so not documented.
    pub(crate) shadowed: &'a [String],
    /// The statuses the service's error mappers take over: (klue's status, the status
    /// answered in the spec's shape); see [`crate::ApiRouter::map_error`].
    pub(crate) mapped_statuses: &'a [(u16, u16)],
}

/// The served document, in both formats.
pub(crate) struct ServedSpec {
    pub(crate) json: Bytes,
    pub(crate) yaml: Bytes,
}

/// Builds the served document of `info`. A spec that is not a JSON object (which generated
/// code never embeds) is served as it is.
pub(crate) fn build(info: &ApiInfo, contract: &ServerContract<'_>) -> ServedSpec {
    let Ok(Value::Object(mut document)) = serde_json::from_str::<Value>(info.spec_json) else {
        return ServedSpec {
            json: Bytes::from_static(info.spec_json.as_bytes()),
            yaml: Bytes::new(),
        };
    };
    complete(&mut document, contract);
    let document = Value::Object(document);
    ServedSpec {
        json: Bytes::from(serde_json::to_vec(&document).unwrap_or_default()),
        yaml: Bytes::from(crate::yaml::to_string(&document)),
    }
}

/// One error status klue answers on its own.
struct KlueStatus {
    status: u16,
    /// The base of its `components/responses` name.
    name: &'static str,
    description: &'static str,
}

const BAD_REQUEST: KlueStatus = KlueStatus {
    status: 400,
    name: "KlueBadRequest",
    description: "The request breaks the spec: a parameter or the body is missing, malformed \
                  or out of its constraints (INVALID_PARAMETER; `errors` lists every violation).",
};
const UNAUTHORIZED: KlueStatus = KlueStatus {
    status: 401,
    name: "KlueUnauthorized",
    description: "No valid bearer token: none sent (AUTHORIZATION_HEADER_MISSING), or one that \
                  is malformed, badly signed or not yet valid (TOKEN_INVALID), or expired \
                  (TOKEN_EXPIRED); or a security scheme's credential not sent \
                  (CREDENTIAL_MISSING) or malformed (CREDENTIAL_INVALID).",
};
const NOT_FOUND: KlueStatus = KlueStatus {
    status: 404,
    name: "KlueNotFound",
    description: "No route matches the path (ROUTE_NOT_FOUND): a path parameter that is empty \
                  or holds a `/` names no operation.",
};
const REQUEST_TIMEOUT: KlueStatus = KlueStatus {
    status: 408,
    name: "KlueRequestTimeout",
    description: "The request body did not arrive within the request timeout (REQUEST_TIMEOUT).",
};
const PAYLOAD_TOO_LARGE: KlueStatus = KlueStatus {
    status: 413,
    name: "KluePayloadTooLarge",
    description: "The request body exceeds the server's body limit (PAYLOAD_TOO_LARGE).",
};
const UNSUPPORTED_MEDIA_TYPE: KlueStatus = KlueStatus {
    status: 415,
    name: "KlueUnsupportedMediaType",
    description: "The body's Content-Type is not one the operation accepts \
                  (UNSUPPORTED_MEDIA_TYPE).",
};
const URI_TOO_LONG: KlueStatus = KlueStatus {
    status: 414,
    name: "KlueUriTooLong",
    description: "The request's URI is longer than the server reads (about 64 KB): parameters \
                  too long to be sent in it.",
};
const HEADERS_TOO_LARGE: KlueStatus = KlueStatus {
    status: 431,
    name: "KlueHeadersTooLarge",
    description: "The request's headers are larger, or more, than the server reads.",
};
const SERVER_ERROR: KlueStatus = KlueStatus {
    status: 500,
    name: "KlueServerError",
    description: "The server failed to handle the request (SERVER_ERROR); the error_id is in \
                  its log.",
};
const SERVER_TIMEOUT: KlueStatus = KlueStatus {
    status: 503,
    name: "KlueServerTimeout",
    description: "The server did not answer within the request timeout (SERVER_TIMEOUT).",
};

const KLUE_STATUSES: [KlueStatus; 10] = [
    BAD_REQUEST,
    UNAUTHORIZED,
    NOT_FOUND,
    REQUEST_TIMEOUT,
    PAYLOAD_TOO_LARGE,
    URI_TOO_LONG,
    UNSUPPORTED_MEDIA_TYPE,
    HEADERS_TOO_LARGE,
    SERVER_ERROR,
    SERVER_TIMEOUT,
];

/// The methods a path item may hold operations for.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The names this document gives to what it adds, free of the spec's own.
struct AddedNames {
    error: String,
    /// The `components/responses` name of each of [`KLUE_STATUSES`], in order.
    responses: Vec<String>,
}

/// Adds the built-ins and klue's error answers to `document`.
fn complete(document: &mut Map<String, Value>, contract: &ServerContract<'_>) {
    let names = AddedNames {
        error: free_name(&component_names(document, "schemas"), "KlueError"),
        responses: {
            let taken = component_names(document, "responses");
            KLUE_STATUSES
                .iter()
                .map(|status| free_name(&taken, status.name))
                .collect()
        },
    };
    mount_servers(document, contract.mount_prefix);
    builtins::add(document, contract);
    let mut used = [false; KLUE_STATUSES.len()];
    let security_schemes = component(document, "securitySchemes").cloned();
    let root_security = document.get("security").cloned();
    let Some(Value::Object(paths)) = document.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Value::Object(item) = item else { continue };
        let path_parameters = non_empty(item.get("parameters"));
        for method in METHODS {
            let Some(Value::Object(operation)) = item.get_mut(method) else {
                continue;
            };
            let bound = bound_operation(contract.operations, method, path)
                .or_else(|| bound_operation(&builtins::OPERATIONS, method, path));
            let security = operation.get("security").or(root_security.as_ref());
            let credentials = sends_credentials(security, security_schemes.as_ref());
            let answers = OperationAnswers {
                has_parameters: path_parameters
                    || non_empty(operation.get("parameters"))
                    || credentials,
                has_body: operation.contains_key("requestBody")
                    || bound.is_some_and(|op| op.body.is_some()),
                has_path_parameters: path.contains('{'),
                needs_token: credentials
                    || match bound {
                        Some(op) => op.auth != AuthMode::None,
                        None => false,
                    },
                request_timeout: contract.request_timeout,
            };
            add_error_responses(operation, &answers, &names, &mut used, contract);
        }
    }
    add_components(document, &names, &used);
}

/// Makes `servers` say where this server serves the API when its mount prefix is not the base
/// path of the spec's `servers` (an API added with `Server::api` or `Server::api_at`): a
/// client or tester of the served document then calls the paths the server routes.
fn mount_servers(document: &mut Map<String, Value>, mount_prefix: &str) {
    if base_path_of(document) == mount_prefix {
        return;
    }
    let url = if mount_prefix.is_empty() {
        "/"
    } else {
        mount_prefix
    };
    document.insert(
        "servers".to_owned(),
        json!([{"url": url, "description": "Where this server serves the API."}]),
    );
}

/// What an operation may be answered by klue itself, as its declaration and binding say.
struct OperationAnswers {
    has_parameters: bool,
    has_body: bool,
    has_path_parameters: bool,
    needs_token: bool,
    request_timeout: bool,
}

impl OperationAnswers {
    fn answers(&self, status: u16) -> bool {
        match status {
            400 => self.has_parameters || self.has_body,
            401 => self.needs_token,
            404 => self.has_path_parameters,
            408 => self.has_body && self.request_timeout,
            413 | 415 => self.has_body,
            // Only parameters (or a token) let a client that follows the spec send a URI or
            // headers past hyper's limits.
            414 => self.has_parameters,
            431 => self.has_parameters || self.needs_token,
            503 => self.request_timeout,
            _ => true,
        }
    }
}

/// Adds to `operation` the responses of klue's statuses it may answer and does not declare.
fn add_error_responses(
    operation: &mut Map<String, Value>,
    answers: &OperationAnswers,
    names: &AddedNames,
    used: &mut [bool; KLUE_STATUSES.len()],
    contract: &ServerContract<'_>,
) {
    let responses = operation
        .entry("responses")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(responses) = responses else {
        return;
    };
    for (index, status) in KLUE_STATUSES.iter().enumerate() {
        if !answers.answers(status.status) {
            continue;
        }
        let mapped = contract
            .mapped_statuses
            .iter()
            .find(|(from, _)| *from == status.status);
        if let Some((_, answer)) = mapped {
            if !declares(responses, *answer) {
                let description = format!(
                    "{} Answered in the service's own shape.",
                    status.description
                );
                responses.insert(answer.to_string(), json!({ "description": description }));
            }
            continue;
        }
        if declares(responses, status.status) {
            continue;
        }
        let reference = format!("#/components/responses/{}", names.responses[index]);
        responses.insert(status.status.to_string(), json!({ "$ref": reference }));
        used[index] = true;
    }
}

/// Whether `responses` states `status`, exactly or by its range (`4XX`).
fn declares(responses: &Map<String, Value>, status: u16) -> bool {
    let range = format!("{}XX", status / 100);
    responses
        .keys()
        .any(|key| key == &status.to_string() || key.eq_ignore_ascii_case(&range))
}

/// Adds the envelope schema and the responses some operation refers to.
fn add_components(
    document: &mut Map<String, Value>,
    names: &AddedNames,
    used: &[bool; KLUE_STATUSES.len()],
) {
    let components = component_map(document);
    let schemas = object_entry(components, "schemas");
    schemas.insert(names.error.clone(), error_envelope_schema());
    let envelope = format!("#/components/schemas/{}", names.error);
    let responses = object_entry(components, "responses");
    for (index, status) in KLUE_STATUSES.iter().enumerate() {
        if !used[index] {
            continue;
        }
        responses.insert(
            names.responses[index].clone(),
            json!({
                "description": status.description,
                "content": {"application/json": {"schema": {"$ref": envelope}}}
            }),
        );
    }
}

/// `components/schemas/KlueError`: the wire form of [`crate::ErrorEnvelope`].
fn error_envelope_schema() -> Value {
    json!({
        "type": "object",
        "description": "klue's error envelope: every error the server answers carries one.",
        "required": ["status", "error", "error_description", "error_id"],
        "properties": {
            "status": {"type": "integer", "description": "Equals the HTTP status."},
            "error": {"type": "string", "description": "UPPER_SNAKE error code."},
            "error_description": {
                "type": "string",
                "description": "What went wrong, for developers."
            },
            "error_id": {
                "type": "string",
                "format": "uuid",
                "description": "Identifies this occurrence; also written to the server log."
            },
            "user_message": {"type": "string", "description": "Text safe to show to an end user."},
            "errors": {
                "type": "array",
                "description": "Every violation of the spec found in the request (400).",
                "items": {
                    "type": "object",
                    "required": ["in", "pointer", "message"],
                    "properties": {
                        "in": {
                            "type": "string",
                            "enum": ["body", "query", "path", "header", "cookie"]
                        },
                        "pointer": {
                            "type": "string",
                            "description": "JSON pointer to the offending value; \"\" is the \
                                            whole body, a parameter's starts with its name."
                        },
                        "message": {"type": "string"}
                    }
                }
            },
            "errors_total": {
                "type": "integer",
                "description": "How many violations the request had, when `errors` lists only \
                                the first ones."
            }
        }
    })
}

/// The operation bound for `method` and `path`, when the router has one.
fn bound_operation(
    operations: &[&'static OperationSpec],
    method: &str,
    path: &str,
) -> Option<&'static OperationSpec> {
    let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).ok()?;
    operations
        .iter()
        .copied()
        .find(|op| op.method == method && op.path == path)
}

/// Whether a security requirement asks for a credential the handler receives (an API key, or
/// an `http` scheme other than bearer): missing or malformed, it is a 401.
fn sends_credentials(security: Option<&Value>, schemes: Option<&Value>) -> bool {
    let Some(Value::Array(requirements)) = security else {
        return false;
    };
    requirements
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|requirement| requirement.keys())
        .filter_map(|name| schemes.and_then(|schemes| schemes.get(name)))
        .any(|scheme| match scheme["type"].as_str() {
            Some("apiKey") => true,
            // A bearer scheme is klue's JWT (needs_token) unless it is opaque.
            _ if crate::auth::is_opaque_bearer(scheme) => true,
            Some("http") => !scheme["scheme"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("bearer")),
            _ => false,
        })
}

fn non_empty(list: Option<&Value>) -> bool {
    list.and_then(Value::as_array)
        .is_some_and(|list| !list.is_empty())
}

/// `components/<kind>` of `document`, if any.
fn component<'a>(document: &'a Map<String, Value>, kind: &str) -> Option<&'a Value> {
    document.get("components").and_then(|c| c.get(kind))
}

/// The names already used under `components/<kind>`.
fn component_names(document: &Map<String, Value>, kind: &str) -> HashSet<String> {
    component(document, kind)
        .and_then(Value::as_object)
        .map(|map| map.keys().cloned().collect())
        .unwrap_or_default()
}

/// `components` of `document`, made an object if it is missing.
fn component_map(document: &mut Map<String, Value>) -> &mut Map<String, Value> {
    object_entry(document, "components")
}

/// `map[key]` as an object, inserted (or replacing a value that is not an object) if needed.
fn object_entry<'a>(map: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let entry = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    match entry {
        Value::Object(map) => map,
        _ => unreachable!("made an object above"),
    }
}

/// `base`, or `base2`, `base3`, ... : the first not in `taken`.
fn free_name(taken: &HashSet<String>, base: &str) -> String {
    if !taken.contains(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|name| !taken.contains(name))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests;
