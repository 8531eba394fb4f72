//! OpenAPI 3.1 input: the document is converted into an equivalent OpenAPI 3.0 document, which
//! the 3.0 reader ([`super::openapi3`]) turns into the model. Diagnostics point into the
//! original file: the conversion is in place except where it restructures (hoisted `$defs`,
//! `$ref` with constraint siblings, renamed keywords), and for those it keeps a pointer map.
//!
//! What is converted (JSON Schema 2020-12 -> OpenAPI 3.0 schema):
//!
//! - `type: [T, "null"]` -> `type: T, nullable: true` (the model ignores `nullable` for now: an
//!   optional property accepts `null`, a required one does not);
//! - `type: "null"`, `type: ["null"]` and unions of several non-null types -> no `type`: any JSON
//!   value (`serde_json::Value`), klue's documented fallback;
//! - `const: v` -> `enum: [v]` (string consts become one-variant enums and are enforced; other
//!   consts are kept in the 3.0 document but the model does not enforce non-string enums);
//! - `examples: [a, ...]` -> `example: a`;
//! - numeric `exclusiveMinimum: n` -> `minimum: n, exclusiveMinimum: true` (the stricter of the
//!   two when `minimum` is given too); the same for `exclusiveMaximum`;
//! - `$defs` (and `definitions`) inside schemas -> hoisted to `components/schemas` as
//!   `<Parent>_<Def>` (`<Def>` outside `components/schemas`; `_2`, `_3`... on clashes); `$ref`s
//!   to them (`#/components/schemas/P/$defs/D`, or `#/$defs/D` resolved in the enclosing
//!   schemas) are rewritten;
//! - `$ref` with sibling keywords: annotations (`description`, `title`, `examples`,
//!   `deprecated`, `readOnly`, ...) are dropped; constraints give
//!   `allOf: [{$ref}, {constraints}]`, which klue reads as any JSON value for now;
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

    /// Converts the schema found at `original` in the original document, which will be at
    /// `new` in the converted one.
    fn schema(&mut self, schema: Value, original: &str, new: &str) -> Value {
        match schema {
            Value::Bool(true) => Value::Object(Map::new()),
            Value::Bool(false) => {
                let mut not = Map::new();
                not.insert("not".to_owned(), Value::Object(Map::new()));
                Value::Object(not)
            }
            Value::Object(map) => {
                let declares_defs = ["$defs", "definitions"]
                    .iter()
                    .any(|k| map.get(*k).is_some_and(Value::is_object));
                if declares_defs {
                    self.scopes.push(original.to_owned());
                }
                let converted = self.schema_object(map, original, new);
                if declares_defs {
                    self.scopes.pop();
                }
                Value::Object(converted)
            }
            other => other,
        }
    }

    fn schema_object(
        &mut self,
        mut map: Map<String, Value>,
        original: &str,
        new: &str,
    ) -> Map<String, Value> {
        for key in [
            "$schema",
            "$id",
            "$anchor",
            "$dynamicAnchor",
            "$comment",
            "$vocabulary",
        ] {
            map.remove(key);
        }
        for key in ["$defs", "definitions"] {
            if let Some(Value::Object(defs)) = map.remove(key) {
                self.hoist(defs, &join(original, key));
            }
        }
        if map.contains_key("$ref") {
            return self.reference(map, original, new);
        }
        convert_type(&mut map);
        self.nullable_union(&mut map, original, new);
        if let Some(value) = map.remove("const") {
            // A const implies its type: `const: "a"` is a one-variant string enum.
            let implied = match &value {
                Value::String(_) => Some("string"),
                Value::Bool(_) => Some("boolean"),
                Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
                Value::Number(_) => Some("number"),
                _ => None,
            };
            if let (Some(implied), false) = (implied, map.contains_key("type")) {
                map.insert("type".to_owned(), Value::String(implied.to_owned()));
            }
            map.insert("enum".to_owned(), Value::Array(vec![value]));
            self.moved(join(new, "enum"), join(original, "const"));
        }
        if let Some(Value::Array(mut examples)) = map.remove("examples") {
            if !map.contains_key("example") && !examples.is_empty() {
                map.insert("example".to_owned(), examples.swap_remove(0));
                self.moved(join(new, "example"), join(&join(original, "examples"), "0"));
            }
        }
        for (exclusive, inclusive, stricter) in [
            ("exclusiveMinimum", "minimum", std::cmp::Ordering::Greater),
            ("exclusiveMaximum", "maximum", std::cmp::Ordering::Less),
        ] {
            let Some(Value::Number(bound)) = map.get(exclusive).cloned() else {
                continue;
            };
            map.remove(exclusive);
            let replaces = match map.get(inclusive).and_then(Value::as_f64) {
                Some(current) => bound
                    .as_f64()
                    .and_then(|b| b.partial_cmp(&current))
                    .is_some_and(|o| o == stricter || o == std::cmp::Ordering::Equal),
                None => true,
            };
            if replaces {
                map.insert(inclusive.to_owned(), Value::Number(bound));
                map.insert(exclusive.to_owned(), Value::Bool(true));
                self.moved(join(new, inclusive), join(original, exclusive));
            }
        }
        content_format(&mut map);
        self.prefix_items(&mut map, original, new);

        for key in ["properties", "patternProperties", "dependentSchemas"] {
            if let Some(props) = map.remove(key) {
                let (o, n) = (join(original, key), join(new, key));
                let props = match props {
                    Value::Object(props) => Value::Object(
                        props
                            .into_iter()
                            .map(|(name, s)| {
                                let s = self.schema(s, &join(&o, &name), &join(&n, &name));
                                (name, s)
                            })
                            .collect(),
                    ),
                    other => other,
                };
                map.insert(key.to_owned(), props);
            }
        }
        for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
            if let Some(Value::Array(items)) = map.remove(key) {
                let (o, n) = (join(original, key), join(new, key));
                let items = items
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let i = i.to_string();
                        let at = join(&n, &i);
                        let from = self.origin(&at, join(&o, &i));
                        self.schema(s, &from, &at)
                    })
                    .collect();
                map.insert(key.to_owned(), Value::Array(items));
            }
        }
        for key in [
            "items",
            "not",
            "contains",
            "propertyNames",
            "if",
            "then",
            "else",
            "unevaluatedItems",
            "unevaluatedProperties",
        ] {
            if let Some(s) = map.remove(key) {
                // `items` may come from `prefixItems[0]`: it is converted in place there.
                let o = self.origin(&join(new, key), join(original, key));
                let converted = self.schema(s, &o, &join(new, key));
                map.insert(key.to_owned(), converted);
            }
        }
        if let Some(additional) = map.remove("additionalProperties") {
            // 3.0 allows booleans here: keep them.
            let converted = match additional {
                Value::Bool(b) => Value::Bool(b),
                other => self.schema(
                    other,
                    &join(original, "additionalProperties"),
                    &join(new, "additionalProperties"),
                ),
            };
            map.insert("additionalProperties".to_owned(), converted);
        }
        map
    }

    /// A schema with `$ref`: annotations beside it are dropped, constraints are kept in an
    /// `allOf` with the reference.
    fn reference(
        &mut self,
        mut map: Map<String, Value>,
        original: &str,
        new: &str,
    ) -> Map<String, Value> {
        let reference = map.remove("$ref").unwrap_or(Value::Null);
        let constraints: Map<String, Value> = map
            .iter()
            .filter(|(key, _)| !ANNOTATIONS.contains(&key.as_str()) && !key.starts_with("x-"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut only_ref = Map::new();
        only_ref.insert("$ref".to_owned(), reference);
        if constraints.is_empty() {
            self.refs.push(PendingRef {
                at: join(new, "$ref"),
                scopes: self.scopes.clone(),
                wrapped: false,
            });
            return only_ref;
        }
        // Constraints beside the reference: `allOf: [{$ref}, {constraints}]`.
        let first = join(&join(new, "allOf"), "0");
        let second = join(&join(new, "allOf"), "1");
        self.moved(first.clone(), original.to_owned());
        self.moved(second.clone(), original.to_owned());
        self.refs.push(PendingRef {
            at: join(&first, "$ref"),
            scopes: self.scopes.clone(),
            wrapped: true,
        });
        let rest = self.schema(Value::Object(constraints), original, &second);
        let mut wrapped = Map::new();
        for key in [
            "description",
            "title",
            "deprecated",
            "readOnly",
            "writeOnly",
        ] {
            if let Some(value) = map.get(key) {
                wrapped.insert(key.to_owned(), value.clone());
            }
        }
        wrapped.insert(
            "allOf".to_owned(),
            Value::Array(vec![Value::Object(only_ref), rest]),
        );
        wrapped
    }

    /// Hoists the definitions `defs` (at `pointer` in the original document) into
    /// `components/schemas`.
    fn hoist(&mut self, defs: Map<String, Value>, pointer: &str) {
        // Name them all first: they may refer to one another.
        let named: Vec<(String, String, Value)> = defs
            .into_iter()
            .map(|(key, def)| {
                let base = match self.parents.last() {
                    Some(parent) => format!("{parent}_{key}"),
                    None => key.clone(),
                };
                let mut name = base.clone();
                let mut n = 2;
                while self.taken.contains(&name) {
                    name = format!("{base}_{n}");
                    n += 1;
                }
                self.taken.insert(name.clone());
                let original = join(pointer, &key);
                self.hoisted_names.insert(original.clone(), name.clone());
                (name, original, def)
            })
            .collect();
        for (name, original, def) in named {
            let new = join("/components/schemas", &name);
            self.moved(new.clone(), original.clone());
            self.parents.push(name.clone());
            let converted = self.schema(def, &original, &new);
            self.parents.pop();
            self.hoisted.push((name, converted));
        }
    }

    /// `anyOf`/`oneOf: [S, {type: "null"}]` (the 3.1 idiom for a nullable reference) ->
    /// `allOf: [S], nullable: true`, which klue reads as `S`.
    fn nullable_union(&mut self, map: &mut Map<String, Value>, original: &str, new: &str) {
        if map.contains_key("allOf") {
            return;
        }
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(items)) = map.get(key) else {
                continue;
            };
            let is_null = |s: &Value| {
                s.as_object().is_some_and(|o| {
                    o.len() == 1 && matches!(o.get("type"), Some(Value::String(t)) if t == "null")
                })
            };
            let (2, Some(null_at)) = (items.len(), items.iter().position(is_null)) else {
                continue;
            };
            let other_at = 1 - null_at;
            let Some(Value::Array(mut items)) = map.remove(key) else {
                continue;
            };
            let other = items.swap_remove(other_at);
            map.insert("allOf".to_owned(), Value::Array(vec![other]));
            map.insert("nullable".to_owned(), Value::Bool(true));
            self.moved(
                join(&join(new, "allOf"), "0"),
                join(&join(original, key), &other_at.to_string()),
            );
            return;
        }
    }

    /// `prefixItems` (tuples) -> `items` when every position has the same schema.
    fn prefix_items(&mut self, map: &mut Map<String, Value>, original: &str, new: &str) {
        let Some(Value::Array(prefix)) = map.remove("prefixItems") else {
            return;
        };
        let rest = match map.remove("items") {
            Some(Value::Bool(false)) | None => None,
            Some(items) => Some(items),
        };
        let mut all = prefix.iter().chain(rest.as_ref());
        let first = all.next().cloned();
        let same = first
            .as_ref()
            .is_some_and(|first| all.all(|other| other == first));
        match first {
            Some(first) if same => {
                map.insert("items".to_owned(), first);
                if !prefix.is_empty() {
                    self.moved(
                        join(new, "items"),
                        join(&join(original, "prefixItems"), "0"),
                    );
                }
            }
            // Positions of different schemas: the items are any JSON value.
            _ => {}
        }
    }

    /// Reports the `$ref`s wrapped in `allOf` (with constraint siblings) that do not resolve.
    fn check_wrapped_refs(&self, doc: &Value, collector: &mut Collector<'_>) {
        for pending in self.refs.iter().filter(|r| r.wrapped) {
            let Some(Value::String(reference)) = doc.pointer(&pending.at) else {
                continue;
            };
            let resolves = reference
                .strip_prefix('#')
                .is_some_and(|pointer| doc.pointer(pointer).is_some());
            if !resolves && reference.starts_with('#') {
                collector.error(&pending.at, format!("unresolved reference '{reference}'"));
            }
        }
    }

    /// Rewrites the `$ref`s that point to hoisted definitions.
    fn rewrite_refs(&self, doc: &mut Value) {
        for PendingRef { at, scopes, .. } in &self.refs {
            let Some(Value::String(reference)) = doc.pointer_mut(at) else {
                continue;
            };
            let Some(pointer) = reference.strip_prefix('#') else {
                continue;
            };
            let pointer = pointer.replace("%24", "$");
            let mut target = self.hoisted_names.get(&pointer);
            if target.is_none() {
                // `#/$defs/D`: the definitions of an enclosing schema.
                for key in ["/$defs/", "/definitions/"] {
                    if let Some(def) = pointer.strip_prefix(key) {
                        target = scopes.iter().rev().find_map(|scope| {
                            self.hoisted_names
                                .get(&join(&join(scope, &key[1..key.len() - 1]), def))
                        });
                    }
                }
            }
            if let Some(name) = target {
                *reference = format!("#/components/schemas/{name}");
            }
        }
    }
}

/// `type` lists: `[T, "null"]` -> `T` + `nullable: true`; other unions -> no `type` (any JSON
/// value, klue's documented fallback until unions land).
fn convert_type(map: &mut Map<String, Value>) {
    let types: Vec<String> = match map.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => return,
    };
    let nullable = types.iter().any(|t| t == "null");
    let rest: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
    match rest.as_slice() {
        [one] => {
            let one = Value::String((*one).clone());
            map.insert("type".to_owned(), one);
        }
        // `null` alone, or several types: any JSON value.
        _ => {
            map.remove("type");
        }
    }
    if nullable {
        map.insert("nullable".to_owned(), Value::Bool(true));
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
