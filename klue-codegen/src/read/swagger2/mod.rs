//! Swagger 2.0 specs, as klue-microservice wrote them, read by converting the document into
//! OpenAPI 3.0 and running the 3.0 reader on the result.
//!
//! Diagnostics keep pointing at the ORIGINAL file: the conversion records, for each node it
//! moves, the converted JSON pointer and the original one; every problem the 3.0 reader finds is
//! translated back (longest recorded prefix wins) and located in the original text.
//!
//! The conversion:
//! - `definitions` -> `components/schemas`, top-level `parameters` (but `in: body` ones) ->
//!   `components/parameters`, `responses` -> `components/responses`, `securityDefinitions` ->
//!   `components/securitySchemes`; every `#/definitions/`, `#/parameters/` and `#/responses/`
//!   reference is rewritten. Messages name the original references.
//! - An `in: body` parameter (inline or by `$ref`) becomes the `requestBody` (required as the
//!   parameter says; one content entry per type of `consumes`, the operation's or the global
//!   one, default `application/json`). `in: formData` is refused ("not supported yet").
//! - Other parameters: `type`, `format`, `enum`, bounds, `pattern`, `items`, `default`... move
//!   into `schema`; `collectionFormat` `csv` (the 2.0 default) -> `explode: false`, `multi` ->
//!   `explode: true`, `ssv`/`pipes` -> `spaceDelimited`/`pipeDelimited` styles, `tsv` ->
//!   klue's tab-delimited style (marked `x-klue-collection-format: tsv`); `ssv`/`tsv`/`pipes`
//!   outside the query are an error.
//! - Responses: `schema` -> `content`, one entry per type of `produces` (default
//!   `application/json`); headers get their type moved into `schema`.
//! - `host`/`basePath`/`schemes` -> `servers`, for documentation only: the routes stay the
//!   literal `paths` keys, as klue-microservice served them (it ignored `basePath`).
//! - klue extensions: `x-no-bind-server: true` drops the operation (it is not served, nor in the
//!   client); the last segment of `x-bind-server: pkg.module.func` is the `operationId` when
//!   there is none; `x-decorate-server: ...requires_auth` means `security: [{bearer: []}]` (a
//!   bearer scheme is defined when missing; an operation's own non-empty `security` is kept); the model has no place for `x-bind-client`'s
//!   client method name, so it is used as the `operationId` only when the operation has neither
//!   `operationId` nor `x-bind-server`. The extensions are kept in the converted document.
//! - Security schemes: `apiKey` named `Authorization` in the header, and any scheme that a
//!   `requires_auth` operation names, become `type: http, scheme: bearer` (klue's JWT).
//! - No `Error` definition is required (klue-microservice required one).
//!
//! The `SPEC_JSON` embedded in the generated code is the converted OpenAPI 3.0 document.

use std::path::Path;

use serde_json::{json, Map, Value};

use crate::diagnostics::{join, Collector, Diagnostic};
use crate::locate::SourceMap;
use crate::model::Api;

mod operations;

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

/// Schema keywords of a 2.0 non-body parameter (or items / header object) that move to `schema`.
const SCHEMA_KEYS: [&str; 17] = [
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
];

/// Reads the Swagger 2.0 `document` of `file` (whose text gave `source`).
pub(crate) fn read(
    file: &Path,
    name: &str,
    document: &Value,
    source: &SourceMap,
) -> Result<Api, Vec<Diagnostic>> {
    let mut converter = Converter::new(document);
    let converted = converter.convert();
    let mut found: Vec<Diagnostic> = Vec::new();
    let mut own = Collector::new(file.to_path_buf(), source);
    for (pointer, message, help) in &converter.problems {
        match help {
            Some(help) => own.error_help(pointer, message.clone(), help.clone()),
            None => own.error(pointer, message.clone()),
        }
    }
    found.extend(own.finish());

    // The 3.0 reader reports converted pointers; they are translated below.
    let mut collector = Collector::new(file.to_path_buf(), source);
    // Documented: the embedded spec is the converted OpenAPI 3.0 document.
    let spec_json = converted.to_string();
    let document = converted.clone();
    let mut api = match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(converted) {
        Ok(spec) => Some(
            super::openapi3::Reader::new(&spec, &document, &mut collector).read(name, spec_json),
        ),
        Err(err) => {
            let pointer = super::pointer_of(err.path());
            collector.error(
                &pointer,
                format!("invalid Swagger 2.0 (as OpenAPI 3.0): {}", err.inner()),
            );
            None
        }
    };
    if let Some(api) = &mut api {
        for warning in &mut api.warnings {
            warning.pointer = converter.original_pointer(&warning.pointer);
            warning.position = source.locate(&warning.pointer);
        }
    }
    for mut diagnostic in collector.finish() {
        diagnostic.pointer = converter.original_pointer(&diagnostic.pointer);
        diagnostic.position = source.locate(&diagnostic.pointer);
        diagnostic.message = original_refs(&diagnostic.message);
        diagnostic.help = diagnostic.help.as_deref().map(original_refs);
        found.push(diagnostic);
    }
    match api {
        Some(api) if found.is_empty() => Ok(api),
        _ => Err(found),
    }
}

/// Words of the 3.0 reader's messages in 2.0 terms.
fn original_refs(message: &str) -> String {
    message
        .replace("#/components/schemas/", "#/definitions/")
        .replace("#/components/parameters/", "#/parameters/")
        .replace("#/components/responses/", "#/responses/")
        .replace("components/securitySchemes", "securityDefinitions")
        .replace("#/components/schemas", "#/definitions")
}

struct Converter<'d> {
    doc: &'d Value,
    /// (converted pointer, original pointer).
    pointers: super::pointer_map::PointerMap,
    /// (original pointer, message, help).
    problems: Vec<(String, String, Option<String>)>,
    /// Name of the http bearer scheme `requires_auth` operations use.
    bearer: String,
    /// Whether `bearer` must be added to the security schemes.
    add_bearer: bool,
}

fn str_of<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

/// Whether an `x-decorate-server` value (a string or a list of them) ends with `requires_auth`.
fn requires_auth(op: &Value) -> bool {
    match op.get("x-decorate-server") {
        Some(Value::String(s)) => s.trim().ends_with("requires_auth"),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .any(|s| s.trim().ends_with("requires_auth")),
        _ => false,
    }
}

fn is_skipped(op: &Value) -> bool {
    matches!(op.get("x-no-bind-server"), Some(Value::Bool(true)))
        || str_of(op, "x-no-bind-server") == Some("true")
}

/// Rewrites 2.0 references to their 3.0 place.
fn rewrite_ref(reference: &str) -> String {
    for (old, new) in [
        ("#/definitions/", "#/components/schemas/"),
        ("#/parameters/", "#/components/parameters/"),
        ("#/responses/", "#/components/responses/"),
    ] {
        if let Some(rest) = reference.strip_prefix(old) {
            return format!("{new}{rest}");
        }
    }
    reference.to_owned()
}

/// A schema with its references rewritten and the 2.0-only keywords turned into 3.0 ones.
fn schema(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, v) in map {
                match key.as_str() {
                    "$ref" => {
                        let r = v
                            .as_str()
                            .map_or_else(|| v.clone(), |r| rewrite_ref(r).into());
                        out.insert(key.clone(), r);
                    }
                    "x-nullable" => {
                        out.insert("nullable".into(), v.clone());
                    }
                    // 2.0: the property name; 3.0: an object.
                    "discriminator" if v.is_string() => {
                        out.insert(key.clone(), json!({ "propertyName": v }));
                    }
                    "properties" | "definitions" => {
                        let inner = v.as_object().map(|props| {
                            props
                                .iter()
                                .map(|(k, s)| (k.clone(), schema(s)))
                                .collect::<Map<_, _>>()
                        });
                        out.insert(key.clone(), inner.map_or_else(|| v.clone(), Value::Object));
                    }
                    "items" | "additionalProperties" | "not" => {
                        out.insert(key.clone(), schema(v));
                    }
                    "allOf" | "anyOf" | "oneOf" => {
                        let inner = v.as_array().map(|a| a.iter().map(schema).collect());
                        out.insert(key.clone(), inner.map_or_else(|| v.clone(), Value::Array));
                    }
                    _ => {
                        out.insert(key.clone(), v.clone());
                    }
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// The schema of a 2.0 non-body parameter, items or header object: its schema keywords.
fn simple_schema(value: &Value) -> Value {
    let mut out = Map::new();
    for key in SCHEMA_KEYS {
        if let Some(v) = value.get(key) {
            match key {
                "items" => {
                    out.insert(key.into(), simple_schema(v));
                }
                "x-nullable" => {
                    out.insert("nullable".into(), v.clone());
                }
                _ => {
                    out.insert(key.into(), v.clone());
                }
            }
        }
    }
    if let Some(r) = str_of(value, "$ref") {
        out.insert("$ref".into(), rewrite_ref(r).into());
    }
    Value::Object(out)
}

fn media_types(list: Option<&Value>) -> Option<Vec<String>> {
    let list = list?.as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
    .filter(|l: &Vec<String>| !l.is_empty())
}

impl<'d> Converter<'d> {
    fn new(doc: &'d Value) -> Self {
        Converter {
            doc,
            pointers: {
                let mut map = super::pointer_map::PointerMap::default();
                map.record("/openapi", "/swagger");
                map.record("/components/schemas", "/definitions");
                map.record("/components/parameters", "/parameters");
                map.record("/components/responses", "/responses");
                map.record("/components/securitySchemes", "/securityDefinitions");
                map
            },
            problems: Vec::new(),
            bearer: "bearer".into(),
            add_bearer: false,
        }
    }

    fn map(&mut self, converted: impl Into<String>, original: impl Into<String>) {
        self.pointers.record(converted, original);
    }

    fn problem(&mut self, pointer: &str, message: &str, help: Option<&str>) {
        self.problems.push((
            pointer.to_owned(),
            message.to_owned(),
            help.map(str::to_owned),
        ));
    }

    /// The original pointer of a converted one.
    fn original_pointer(&self, pointer: &str) -> String {
        self.pointers.original(pointer)
    }

    fn global(&self, key: &str) -> Option<&'d Value> {
        self.doc.get(key)
    }

    fn convert(&mut self) -> Value {
        let doc = self.doc;
        self.check_shapes();
        let mut out = Map::new();
        out.insert("openapi".into(), "3.0.3".into());
        if let Some(info) = doc.get("info") {
            out.insert("info".into(), info.clone());
        }
        if let Some(servers) = self.servers() {
            out.insert("servers".into(), servers);
        }
        for key in ["tags", "externalDocs", "security"] {
            if let Some(v) = doc.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        let schemes = self.security_schemes();
        let mut components = Map::new();
        if let Some(defs) = doc.get("definitions").and_then(Value::as_object) {
            let schemas: Map<String, Value> =
                defs.iter().map(|(k, v)| (k.clone(), schema(v))).collect();
            components.insert("schemas".into(), Value::Object(schemas));
        }
        if let Some(params) = doc.get("parameters").and_then(Value::as_object) {
            let mut converted = Map::new();
            for (name, param) in params {
                let original = join("/parameters", name);
                match str_of(param, "in") {
                    Some("body") => {} // inlined into each request body that refers to it
                    Some("formData") => self.form_data(&original),
                    _ => {
                        let converted_pointer = join("/components/parameters", name);
                        let p = self.parameter(param, &converted_pointer, &original);
                        converted.insert(name.clone(), p);
                    }
                }
            }
            if !converted.is_empty() {
                components.insert("parameters".into(), Value::Object(converted));
            }
        }
        if let Some(responses) = doc.get("responses").and_then(Value::as_object) {
            let produces = media_types(self.global("produces"));
            let mut converted = Map::new();
            for (name, response) in responses {
                let r = self.response(
                    response,
                    produces.as_deref(),
                    &join("/components/responses", name),
                    &join("/responses", name),
                );
                converted.insert(name.clone(), r);
            }
            components.insert("responses".into(), Value::Object(converted));
        }
        let paths = self.paths();
        let mut schemes = schemes;
        if self.add_bearer {
            schemes.insert(
                self.bearer.clone(),
                json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}),
            );
        }
        if !schemes.is_empty() {
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }
        out.insert("paths".into(), paths);
        if !components.is_empty() {
            out.insert("components".into(), Value::Object(components));
        }
        Value::Object(out)
    }

    /// Reports the mappings and lists that are not (the rest is checked by the 3.0 reader).
    fn check_shapes(&mut self) {
        let doc = self.doc;
        match doc.get("paths") {
            None => self.problem("", "the spec has no `paths`", Some("add `paths: {}`")),
            Some(Value::Object(_)) => {}
            Some(_) => self.problem("/paths", "`paths` is not a mapping", None),
        }
        for key in [
            "definitions",
            "parameters",
            "responses",
            "securityDefinitions",
        ] {
            if doc.get(key).is_some_and(|v| !v.is_object()) {
                self.problem(
                    &format!("/{key}"),
                    &format!("`{key}` is not a mapping"),
                    None,
                );
            }
        }
        let paths = doc.get("paths").and_then(Value::as_object);
        for (path, item) in paths.into_iter().flatten() {
            let pointer = join("/paths", path);
            if !item.is_object() {
                self.problem(&pointer, "a path item is not a mapping", None);
                continue;
            }
            if item.get("parameters").is_some_and(|p| !p.is_array()) {
                let at = join(&pointer, "parameters");
                self.problem(&at, "`parameters` is not a list", None);
            }
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let at = join(&pointer, method);
                if !op.is_object() {
                    self.problem(&at, "an operation is not a mapping", None);
                } else if op.get("parameters").is_some_and(|p| !p.is_array()) {
                    let at = join(&at, "parameters");
                    self.problem(&at, "`parameters` is not a list", None);
                }
            }
        }
    }

    fn servers(&mut self) -> Option<Value> {
        let host = str_of(self.doc, "host");
        let base = str_of(self.doc, "basePath");
        if host.is_none() && base.is_none() {
            return None;
        }
        let base = base.unwrap_or("");
        let urls: Vec<Value> = match host {
            None => vec![json!({ "url": if base.is_empty() { "/" } else { base } })],
            Some(host) => {
                let schemes =
                    media_types(self.doc.get("schemes")).unwrap_or_else(|| vec!["http".to_owned()]);
                schemes
                    .iter()
                    .map(|s| json!({ "url": format!("{s}://{host}{base}") }))
                    .collect()
            }
        };
        let from = if host.is_some() { "/host" } else { "/basePath" };
        self.map("/servers", from);
        Some(Value::Array(urls))
    }

    /// Names of the security schemes that `requires_auth` operations name in their `security`.
    fn schemes_of_auth_ops(&self) -> Vec<String> {
        let mut names = Vec::new();
        let paths = self.doc.get("paths").and_then(Value::as_object);
        for item in paths.into_iter().flat_map(|p| p.values()) {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                if !requires_auth(op) {
                    continue;
                }
                let security = op.get("security").and_then(Value::as_array);
                for requirement in security.into_iter().flatten() {
                    if let Some(r) = requirement.as_object() {
                        names.extend(r.keys().cloned());
                    }
                }
            }
        }
        names
    }

    fn security_schemes(&mut self) -> Map<String, Value> {
        let auth_names = self.schemes_of_auth_ops();
        let mut out = Map::new();
        let mut bearer = None;
        let defs = self
            .doc
            .get("securityDefinitions")
            .and_then(Value::as_object);
        for (name, def) in defs.into_iter().flatten() {
            let description = def.get("description").cloned();
            let mut scheme = match str_of(def, "type") {
                Some("apiKey")
                    if auth_names.contains(name)
                        || (str_of(def, "in") == Some("header")
                            && str_of(def, "name")
                                .is_some_and(|n| n.eq_ignore_ascii_case("authorization"))) =>
                {
                    bearer.get_or_insert_with(|| name.clone());
                    json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
                }
                Some("basic") if auth_names.contains(name) => {
                    bearer.get_or_insert_with(|| name.clone());
                    json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
                }
                Some("apiKey") => {
                    json!({"type": "apiKey", "name": def.get("name"), "in": def.get("in")})
                }
                Some("basic") => json!({"type": "http", "scheme": "basic"}),
                Some("oauth2") => {
                    let flow = match str_of(def, "flow") {
                        Some("implicit") => "implicit",
                        Some("password") => "password",
                        Some("application") => "clientCredentials",
                        _ => "authorizationCode",
                    };
                    let mut f = Map::new();
                    if let Some(url) = def.get("authorizationUrl") {
                        f.insert("authorizationUrl".into(), url.clone());
                    }
                    if let Some(url) = def.get("tokenUrl") {
                        f.insert("tokenUrl".into(), url.clone());
                    }
                    f.insert(
                        "scopes".into(),
                        def.get("scopes").cloned().unwrap_or_else(|| json!({})),
                    );
                    {
                        let mut flows = Map::new();
                        flows.insert(flow.into(), Value::Object(f));
                        json!({"type": "oauth2", "flows": flows})
                    }
                }
                _ => def.clone(),
            };
            if let (Some(d), Some(s)) = (description, scheme.as_object_mut()) {
                s.insert("description".into(), d);
            }
            out.insert(name.clone(), scheme);
        }
        match bearer {
            Some(name) => self.bearer = name,
            None => {
                while out.contains_key(&self.bearer) {
                    self.bearer.insert_str(0, "klue_");
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_translation() {
        let doc = json!({});
        let mut c = Converter::new(&doc);
        c.map("/paths/~1a/get/requestBody", "/paths/~1a/get/parameters/1");
        c.map(
            "/paths/~1a/get/requestBody/content/application~1json/schema",
            "/paths/~1a/get/parameters/1/schema",
        );
        assert_eq!(
            c.original_pointer(
                "/paths/~1a/get/requestBody/content/application~1json/schema/properties/x"
            ),
            "/paths/~1a/get/parameters/1/schema/properties/x"
        );
        assert_eq!(
            c.original_pointer("/paths/~1a/get/requestBody"),
            "/paths/~1a/get/parameters/1"
        );
        assert_eq!(
            c.original_pointer("/components/schemas/X/required"),
            "/definitions/X/required"
        );
        assert_eq!(
            c.original_pointer("/components/schemasX"),
            "/components/schemasX"
        );
        assert_eq!(c.original_pointer("/info/title"), "/info/title");
    }
}
