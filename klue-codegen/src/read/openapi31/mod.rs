//! OpenAPI 3.1 input: the document is converted into an equivalent OpenAPI 3.0 document, which
//! the 3.0 reader ([`super::openapi3`]) turns into the model. Diagnostics point into the
//! original file: the conversion is in place except where it restructures (hoisted `$defs`,
//! `$ref` with constraint siblings, renamed keywords), and for those it keeps a pointer map.
//!
//! What is converted (JSON Schema 2020-12 -> OpenAPI 3.0 schema):
//!
//! - `type: [T, "null"]` -> `type: T, nullable: true` (the model's `nullable`: `null` is a value
//!   distinct from absence), in properties, items, parameters and union alternatives alike;
//! - `type: [A, B, ...]` of scalar types (`string`, `integer`, `number`, `boolean`) ->
//!   `anyOf: [{type: A, ...}, {type: B, ...}]`, each with the keywords of its type (lengths and
//!   `pattern` for strings, bounds for numbers, `format` where it fits), read as a union;
//! - `type: "null"`, `type: ["null"]` and other unions of several non-null types (of objects,
//!   arrays, or with `enum`) -> no `type`: any JSON value (`serde_json::Value`), klue's
//!   documented fallback;
//! - `const: v` -> `enum: [v]` (string consts become one-variant enums and are enforced; other
//!   consts are kept in the 3.0 document but the model does not enforce non-string enums);
//! - `examples: [a, ...]` -> `example: a`;
//! - numeric `exclusiveMinimum: n` -> `minimum: n, exclusiveMinimum: true` (the stricter of the
//!   two when `minimum` is given too); the same for `exclusiveMaximum`;
//! - `$defs` (and `definitions`) inside schemas -> hoisted to `components/schemas` as
//!   `<Parent>_<Def>` (`<Def>` outside `components/schemas`; `_2`, `_3`... on clashes); `$ref`s
//!   to them (`#/components/schemas/P/$defs/D`, or `#/$defs/D` resolved in the enclosing
//!   schemas) are rewritten;
//! - `$ref` with sibling keywords: `allOf: [{$ref}]` carrying the annotations the model keeps
//!   (`description`, `title`, `deprecated`, `readOnly`, `writeOnly`, `default`, the first of
//!   `examples`); constraints give `allOf: [{$ref}, {constraints}]`;
//! - `prefixItems` -> `items` when every item (and `items`, if given) has the same schema, else
//!   no `items` (any JSON value per item);
//! - `contentEncoding: base64`/`base64url` -> `format: byte`; `contentMediaType` of non-text
//!   content without an encoding -> `format: binary`;
//! - boolean schemas: `true` -> `{}`, `false` -> `{not: {}}`;
//! - `webhooks` (noted in the API's documentation), `components/pathItems`,
//!   `jsonSchemaDialect`, `info.summary`, `license.identifier`, `$schema`, `$id`, `$anchor`,
//!   `$dynamicAnchor`, `$comment` -> dropped; a missing `paths` is an empty one;
//! - `openapi: 3.1.x` -> `3.0.3`.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde_json::{Map, Value};

use crate::diagnostics::{join, Collector, Diagnostic};
use crate::locate::SourceMap;
use crate::model::Api;

mod schemas;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Keywords beside a `$ref` that only annotate: dropped, as 3.0 ignores siblings of `$ref`.
const ANNOTATIONS: [&str; 14] = [
    "description",
    "title",
    "summary",
    "examples",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "default",
    "externalDocs",
    "xml",
    "$comment",
    "discriminator",
    "contentSchema",
];

/// The annotations beside a `$ref` that the model keeps: carried by the `allOf` wrapping it.
const KEPT_ANNOTATIONS: [&str; 7] = [
    "description",
    "title",
    "deprecated",
    "readOnly",
    "writeOnly",
    "default",
    "example",
];

/// Reads the OpenAPI 3.1 `document` of file `file` (whose text `source` locates pointers in).
pub(super) fn read(
    file: &Path,
    name: &str,
    document: Value,
    source: &SourceMap,
) -> Result<Api, Vec<Diagnostic>> {
    let original_json = document.to_string();
    let mut converter = Converter::default();
    let converted = converter.document(document);
    let mut collector = Collector::new(file.to_path_buf(), source);
    converter.check_wrapped_refs(&converted, &mut collector);
    let converted_document = converted.clone();
    let mut api = match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(converted) {
        Ok(spec) => Some(
            super::openapi3::Reader::new(&spec, &converted_document, &mut collector)
                .read(name, original_json),
        ),
        Err(err) => {
            let pointer = super::pointer_of(err.path());
            collector.error(&pointer, format!("invalid OpenAPI 3.1: {}", err.inner()));
            None
        }
    };
    if let Some(api) = &mut api {
        for warning in &mut api.warnings {
            let original = converter.original_pointer(&warning.pointer);
            warning.position = source.locate(&original);
            warning.pointer = original;
        }
    }
    let mut found: Vec<Diagnostic> = Vec::new();
    for mut diagnostic in collector.finish() {
        let original = converter.original_pointer(&diagnostic.pointer);
        if original != diagnostic.pointer {
            diagnostic.position = source.locate(&original);
            diagnostic.pointer = original;
        }
        if !found.contains(&diagnostic) {
            found.push(diagnostic);
        }
    }
    match api {
        Some(mut api) if found.is_empty() => {
            if !converter.webhooks.is_empty() {
                let note = format!(
                    "Note: the spec's webhooks ({}) are not generated: klue serves and calls \
                     `paths` only.",
                    converter.webhooks.join(", ")
                );
                api.description = Some(match api.description.take() {
                    Some(text) if !text.trim().is_empty() => format!("{text}\n\n{note}"),
                    _ => note,
                });
            }
            Ok(api)
        }
        _ => Err(found),
    }
}

/// A `$ref` to rewrite once every definition is named.
#[derive(Debug)]
struct PendingRef {
    /// Where the `$ref` string is in the converted document.
    at: String,
    /// Original pointers of the enclosing schemas with `$defs`, innermost last.
    scopes: Vec<String>,
    /// Whether it was wrapped in a two-element `allOf`, which the 3.0 reader does not descend
    /// into: the converter checks that it resolves.
    wrapped: bool,
}

/// Converts a 3.1 document into 3.0, remembering where restructured nodes came from.
#[derive(Debug, Default)]
struct Converter {
    /// `(pointer in the converted document, pointer in the original)` for restructured nodes.
    moved: super::pointer_map::PointerMap,
    /// Hoisted `$defs`: name in `components/schemas` and converted schema, in discovery order.
    hoisted: Vec<(String, Value)>,
    /// Name given to each hoisted definition, by its pointer in the original document.
    hoisted_names: HashMap<String, String>,
    /// Names taken in `components/schemas`.
    taken: BTreeSet<String>,
    /// `$ref`s to rewrite once every definition is named: where the `$ref` string is in the
    /// converted document, and the original pointers of the enclosing schemas with `$defs`
    /// (innermost last).
    refs: Vec<PendingRef>,
    /// Names of schemas being converted that hoisted definitions are named after.
    parents: Vec<String>,
    /// Original pointers of the enclosing schemas that declare `$defs`.
    scopes: Vec<String>,
    /// Names of the dropped webhooks.
    webhooks: Vec<String>,
}

impl Converter {
    /// The pointer in the original document of the node at `pointer` in the converted one.
    fn original_pointer(&self, pointer: &str) -> String {
        self.moved.original(pointer)
    }

    /// Where the node put at `new` came from: `default` unless it was moved there.
    fn origin(&self, new: &str, default: String) -> String {
        self.moved.exact(new).map_or(default, str::to_owned)
    }

    fn moved(&mut self, new: String, original: String) {
        self.moved.record(new, original);
    }

    fn document(&mut self, document: Value) -> Value {
        let Value::Object(mut doc) = document else {
            return document;
        };
        doc.insert("openapi".to_owned(), Value::String("3.0.3".to_owned()));
        doc.remove("jsonSchemaDialect");
        if let Some(Value::Object(webhooks)) = doc.remove("webhooks") {
            self.webhooks = webhooks.keys().cloned().collect();
        }
        if let Some(Value::Object(info)) = doc.get_mut("info") {
            info.remove("summary");
            if let Some(Value::Object(license)) = info.get_mut("license") {
                license.remove("identifier");
            }
        }
        if let Some(Value::Object(schemas)) = doc
            .get("components")
            .and_then(|c| c.get("schemas"))
            .cloned()
        {
            self.taken.extend(schemas.keys().cloned());
        }
        let paths = doc
            .remove("paths")
            .unwrap_or_else(|| Value::Object(Map::new()));
        let paths = self.each(paths, "/paths", Self::path_item);
        doc.insert("paths".to_owned(), paths);
        if let Some(components) = doc.remove("components") {
            let components = self.components(components);
            doc.insert("components".to_owned(), components);
        }
        let mut converted = Value::Object(doc);
        if !self.hoisted.is_empty() {
            let components = converted.as_object_mut().map(|doc| {
                doc.entry("components")
                    .or_insert_with(|| Value::Object(Map::new()))
            });
            if let Some(Value::Object(components)) = components {
                let schemas = components
                    .entry("schemas")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(schemas) = schemas {
                    for (name, schema) in std::mem::take(&mut self.hoisted) {
                        schemas.insert(name, schema);
                    }
                }
            }
        }
        self.rewrite_refs(&mut converted);
        converted
    }

    /// Applies `f` to every value of the mapping `value` (at `pointer`, in both documents).
    fn each(
        &mut self,
        value: Value,
        pointer: &str,
        mut f: impl FnMut(&mut Self, Value, &str) -> Value,
    ) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(key, item)| {
                        let item = f(self, item, &join(pointer, &key));
                        (key, item)
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// Applies `f` to every item of the sequence `value`.
    fn each_item(
        &mut self,
        value: Value,
        pointer: &str,
        mut f: impl FnMut(&mut Self, Value, &str) -> Value,
    ) -> Value {
        match value {
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| f(self, item, &join(pointer, &i.to_string())))
                    .collect(),
            ),
            other => other,
        }
    }

    /// Converts the member `key` of `map` (at `pointer`) with `f`, if present.
    fn member(
        &mut self,
        map: &mut Map<String, Value>,
        key: &str,
        pointer: &str,
        f: impl FnOnce(&mut Self, Value, &str) -> Value,
    ) {
        if let Some(value) = map.remove(key) {
            let converted = f(self, value, &join(pointer, key));
            map.insert(key.to_owned(), converted);
        }
    }

    fn components(&mut self, components: Value) -> Value {
        let Value::Object(mut map) = components else {
            return components;
        };
        let at = "/components";
        map.remove("pathItems");
        if let Some(schemas) = map.remove("schemas") {
            let schemas = self.each(schemas, &join(at, "schemas"), |this, schema, pointer| {
                let name = pointer.rsplit('/').next().unwrap_or_default();
                this.parents.push(unescape(name));
                let schema = this.schema(schema, pointer, pointer);
                this.parents.pop();
                schema
            });
            map.insert("schemas".to_owned(), schemas);
        }
        self.member(&mut map, "parameters", at, |this, v, p| {
            this.each(v, p, Self::parameter)
        });
        self.member(&mut map, "headers", at, |this, v, p| {
            this.each(v, p, Self::parameter)
        });
        self.member(&mut map, "requestBodies", at, |this, v, p| {
            this.each(v, p, Self::with_content)
        });
        self.member(&mut map, "responses", at, |this, v, p| {
            this.each(v, p, Self::with_content)
        });
        self.member(&mut map, "callbacks", at, |this, v, p| {
            this.each(v, p, |this, callback, p| {
                this.each(callback, p, Self::path_item)
            })
        });
        Value::Object(map)
    }

    fn path_item(&mut self, item: Value, pointer: &str) -> Value {
        let Value::Object(mut map) = item else {
            return item;
        };
        if map.contains_key("$ref") {
            return Value::Object(map);
        }
        self.member(&mut map, "parameters", pointer, |this, v, p| {
            this.each_item(v, p, Self::parameter)
        });
        for method in METHODS {
            self.member(&mut map, method, pointer, Self::operation);
        }
        Value::Object(map)
    }

    fn operation(&mut self, op: Value, pointer: &str) -> Value {
        let Value::Object(mut map) = op else {
            return op;
        };
        self.member(&mut map, "parameters", pointer, |this, v, p| {
            this.each_item(v, p, Self::parameter)
        });
        self.member(&mut map, "requestBody", pointer, Self::with_content);
        self.member(&mut map, "responses", pointer, |this, v, p| {
            this.each(v, p, Self::with_content)
        });
        self.member(&mut map, "callbacks", pointer, |this, v, p| {
            this.each(v, p, |this, callback, p| {
                this.each(callback, p, Self::path_item)
            })
        });
        Value::Object(map)
    }

    /// A parameter or header: `schema`, or `content`.
    fn parameter(&mut self, param: Value, pointer: &str) -> Value {
        let Value::Object(mut map) = param else {
            return param;
        };
        if map.contains_key("$ref") {
            return reference_only(map);
        }
        self.member(&mut map, "schema", pointer, |this, v, p| {
            this.schema(v, p, p)
        });
        self.member(&mut map, "content", pointer, |this, v, p| {
            this.each(v, p, Self::media_type)
        });
        Value::Object(map)
    }

    /// A request body or a response: `content` (and `headers`).
    fn with_content(&mut self, value: Value, pointer: &str) -> Value {
        let Value::Object(mut map) = value else {
            return value;
        };
        if map.contains_key("$ref") {
            return reference_only(map);
        }
        self.member(&mut map, "headers", pointer, |this, v, p| {
            this.each(v, p, Self::parameter)
        });
        self.member(&mut map, "content", pointer, |this, v, p| {
            this.each(v, p, Self::media_type)
        });
        Value::Object(map)
    }

    fn media_type(&mut self, media: Value, pointer: &str) -> Value {
        let Value::Object(mut map) = media else {
            return media;
        };
        self.member(&mut map, "schema", pointer, |this, v, p| {
            this.schema(v, p, p)
        });
        self.member(&mut map, "encoding", pointer, |this, v, p| {
            this.each(v, p, |this, encoding, p| {
                let Value::Object(mut encoding) = encoding else {
                    return encoding;
                };
                this.member(&mut encoding, "headers", p, |this, v, p| {
                    this.each(v, p, Self::parameter)
                });
                Value::Object(encoding)
            })
        });
        Value::Object(map)
    }
}

/// `type` lists: `[T, "null"]` -> `T` + `nullable: true`; other unions -> no `type` (any JSON
/// value, unless [`Converter::type_union`] types them). Returns the non-null types of a union.
fn convert_type(map: &mut Map<String, Value>) -> Vec<String> {
    let types: Vec<String> = match map.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => return Vec::new(),
    };
    let nullable = types.iter().any(|t| t == "null");
    let rest: Vec<String> = types.into_iter().filter(|t| t != "null").collect();
    if nullable {
        map.insert("nullable".to_owned(), Value::Bool(true));
    }
    match rest.as_slice() {
        [one] => {
            map.insert("type".to_owned(), Value::String(one.clone()));
            Vec::new()
        }
        // `null` alone, or several types: any JSON value.
        _ => {
            map.remove("type");
            rest
        }
    }
}

/// `contentEncoding`/`contentMediaType` -> `format: byte`/`binary` where obvious.
fn content_format(map: &mut Map<String, Value>) {
    let encoding = map.remove("contentEncoding");
    let media_type = map.remove("contentMediaType");
    map.remove("contentSchema");
    if map.contains_key("format") || map.get("type").and_then(Value::as_str) != Some("string") {
        return;
    }
    let format = match (
        encoding.as_ref().and_then(Value::as_str),
        media_type.as_ref().and_then(Value::as_str),
    ) {
        (Some(e), _) if e.eq_ignore_ascii_case("base64") || e.eq_ignore_ascii_case("base64url") => {
            "byte"
        }
        (None, Some(m)) if !is_text(m) => "binary",
        _ => return,
    };
    map.insert("format".to_owned(), Value::String(format.to_owned()));
}

fn is_text(media_type: &str) -> bool {
    let m = media_type.to_ascii_lowercase();
    m.starts_with("text/") || m.contains("json") || m.contains("xml")
}

/// A Reference Object: 3.1 allows `summary` and `description` beside `$ref`; 3.0 does not.
fn reference_only(mut map: Map<String, Value>) -> Value {
    map.retain(|key, _| key == "$ref");
    Value::Object(map)
}

/// Undoes RFC 6901 escaping of one segment.
fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}
