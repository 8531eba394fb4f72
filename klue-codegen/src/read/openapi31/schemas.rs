//! OpenAPI 3.1 / JSON Schema 2020-12 schemas in 3.0 terms: type arrays, `const`,
//! `prefixItems`, `$defs` hoisting and `$ref` rewriting.

use serde_json::{Map, Value};

use super::*;

impl Converter {
    /// Converts the schema found at `original` in the original document, which will be at
    /// `new` in the converted one.
    pub(super) fn schema(&mut self, schema: Value, original: &str, new: &str) -> Value {
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

    pub(super) fn schema_object(
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
        let union = convert_type(&mut map);
        self.nullable_union(&mut map, original, new);
        self.keywords(&mut map, original, new);
        self.type_union(&mut map, &union, original, new);
        content_format(&mut map);
        self.prefix_items(&mut map, original, new);
        self.subschemas(&mut map, original, new);
        map
    }

    /// `const`, `examples` and numeric exclusive bounds in their 3.0 forms.
    fn keywords(&mut self, map: &mut Map<String, Value>, original: &str, new: &str) {
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
    }

    /// `type: [A, B, ...]` (`types`, without `null`) of scalar types -> `anyOf` of one schema
    /// per type with the keywords of that type; other unions stay untyped.
    fn type_union(
        &mut self,
        map: &mut Map<String, Value>,
        types: &[String],
        original: &str,
        new: &str,
    ) {
        const SCALARS: [&str; 4] = ["string", "integer", "number", "boolean"];
        const STRING_KEYS: [&str; 3] = ["minLength", "maxLength", "pattern"];
        const NUMBER_KEYS: [&str; 5] = [
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ];
        let combined = ["enum", "const", "allOf", "anyOf", "oneOf", "not"]
            .iter()
            .any(|k| map.contains_key(*k));
        if types.len() < 2 || combined || !types.iter().all(|t| SCALARS.contains(&t.as_str())) {
            return;
        }
        let format = map.remove("format");
        let mut taken = Map::new();
        for key in STRING_KEYS.iter().chain(&NUMBER_KEYS) {
            if let Some(value) = map.remove(*key) {
                taken.insert((*key).to_owned(), value);
            }
        }
        let mut alternatives = Vec::new();
        for (i, t) in types.iter().enumerate() {
            let mut alternative = Map::new();
            alternative.insert("type".to_owned(), Value::String(t.clone()));
            let keys: &[&str] = match t.as_str() {
                "string" => &STRING_KEYS,
                "integer" | "number" => &NUMBER_KEYS,
                _ => &[],
            };
            for key in keys {
                if let Some(value) = taken.get(*key) {
                    alternative.insert((*key).to_owned(), value.clone());
                }
            }
            if let Some(format) = format.as_ref().filter(|f| format_fits(t, f)) {
                alternative.insert("format".to_owned(), format.clone());
            }
            self.moved(
                join(&join(new, "anyOf"), &i.to_string()),
                original.to_owned(),
            );
            alternatives.push(Value::Object(alternative));
        }
        map.insert("anyOf".to_owned(), Value::Array(alternatives));
    }

    /// The schemas inside a schema: `properties`, `allOf`, `items`, `additionalProperties`...
    fn subschemas(&mut self, map: &mut Map<String, Value>, original: &str, new: &str) {
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
    }

    /// A schema with `$ref` (3.1 allows siblings): a plain reference when alone; with annotations
    /// only (`description`, `readOnly`, `default`, ...), `allOf: [{$ref}]` carrying them, which the
    /// 3.0 reader reads as the reference with those annotations; with constraints,
    /// `allOf: [{$ref}, {constraints}]` carrying the annotations.
    pub(super) fn reference(
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
        let mut wrapped = Map::new();
        for key in KEPT_ANNOTATIONS {
            if let Some(value) = map.get(key) {
                wrapped.insert(key.to_owned(), value.clone());
            }
        }
        if let Some(Value::Array(examples)) = map.get("examples") {
            if let (Some(first), false) = (examples.first(), wrapped.contains_key("example")) {
                wrapped.insert("example".to_owned(), first.clone());
            }
        }
        let mut only_ref = Map::new();
        only_ref.insert("$ref".to_owned(), reference);
        if constraints.is_empty() && wrapped.is_empty() {
            self.refs.push(PendingRef {
                at: join(new, "$ref"),
                scopes: self.scopes.clone(),
                wrapped: false,
            });
            return only_ref;
        }
        let first = join(&join(new, "allOf"), "0");
        self.moved(first.clone(), original.to_owned());
        let mut parts = vec![Value::Object(only_ref)];
        if !constraints.is_empty() {
            // Constraints beside the reference: `allOf: [{$ref}, {constraints}]`.
            let second = join(&join(new, "allOf"), "1");
            self.moved(second.clone(), original.to_owned());
            parts.push(self.schema(Value::Object(constraints), original, &second));
        }
        self.refs.push(PendingRef {
            at: join(&first, "$ref"),
            scopes: self.scopes.clone(),
            // The 3.0 reader reads a one-part `allOf` as the reference, and reports it there.
            wrapped: parts.len() > 1,
        });
        wrapped.insert("allOf".to_owned(), Value::Array(parts));
        wrapped
    }

    /// Hoists the definitions `defs` (at `pointer` in the original document) into
    /// `components/schemas`.
    pub(super) fn hoist(&mut self, defs: Map<String, Value>, pointer: &str) {
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
    pub(super) fn nullable_union(
        &mut self,
        map: &mut Map<String, Value>,
        original: &str,
        new: &str,
    ) {
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
    pub(super) fn prefix_items(&mut self, map: &mut Map<String, Value>, original: &str, new: &str) {
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
    pub(super) fn check_wrapped_refs(&self, doc: &Value, collector: &mut Collector<'_>) {
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
    pub(super) fn rewrite_refs(&self, doc: &mut Value) {
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

/// Whether `format` is one of type `t`'s: `int32`/`int64`/`uint64` for integers,
/// `float`/`double` for numbers, any other for strings.
fn format_fits(t: &str, format: &Value) -> bool {
    let format = format.as_str().unwrap_or_default();
    match format {
        "int32" | "int64" | "uint64" => t == "integer",
        "float" | "double" => t == "number",
        _ => t == "string",
    }
}
