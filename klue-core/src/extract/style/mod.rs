//! Parameter styles (OpenAPI `style` / `explode`, Swagger 2.0 `collectionFormat`): one shared
//! implementation, parameterised by [`ParamSpec`], that reads arrays, objects and styled
//! scalars from a request ([`decode`]) and writes them into one ([`encode`]).
//!
//! The wire forms follow the OpenAPI 3 style table. Where a style is ambiguous by nature the
//! rules are:
//!
//! - path, `form` query values and cookies are split on their delimiters *before*
//!   percent-decoding, so an item may contain the delimiter when it is percent-encoded (the
//!   generated client encodes it);
//! - `spaceDelimited`, `pipeDelimited` and `tabDelimited` query values, and headers, are split
//!   after decoding: the client refuses an item containing the delimiter;
//! - an exploded object in `form` query or cookie style takes the pairs named like its declared
//!   properties; a free-form map (no declared properties) takes every pair.

use serde_json::Value;

use crate::validate::{Location, ObjectRules, Schema};

pub(crate) mod decode;
pub(crate) mod encode;
pub(crate) mod headers;

/// How a parameter is serialized (OpenAPI `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `form`: `name=a,b` or `name=a&name=b` (query, cookie).
    Form,
    /// `simple`: `a,b` (path, header).
    Simple,
    /// `label`: `.a,b` or `.a.b` (path).
    Label,
    /// `matrix`: `;name=a,b` or `;name=a;name=b` (path).
    Matrix,
    /// `spaceDelimited`: `name=a%20b` (query; Swagger 2.0 `ssv`).
    SpaceDelimited,
    /// `pipeDelimited`: `name=a|b` (query; Swagger 2.0 `pipes`).
    PipeDelimited,
    /// Tab-separated: Swagger 2.0 `tsv` (query).
    TabDelimited,
    /// `deepObject`: `name[key]=value` (query, objects).
    DeepObject,
}

/// A styled parameter, as generated code describes it.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// The name on the wire (lower case for headers).
    pub name: &'static str,
    /// Where it is.
    pub location: Location,
    /// Its style.
    pub style: Style,
    /// `explode`.
    pub explode: bool,
    /// Whether it must be present.
    pub required: bool,
}

/// What a parameter's schema makes of its text.
#[derive(Clone, Copy)]
pub(crate) enum Shape {
    Scalar,
    Array(&'static Schema),
    Object(&'static ObjectRules),
}

pub(crate) fn resolve(mut schema: &'static Schema) -> &'static Schema {
    while let Schema::Ref(inner) | Schema::Nullable(inner) = schema {
        schema = inner;
    }
    schema
}

pub(crate) fn shape(schema: &'static Schema) -> Shape {
    match resolve(schema) {
        Schema::Array(rules) => Shape::Array(rules.items),
        Schema::Object(rules) => Shape::Object(rules),
        _ => Shape::Scalar,
    }
}

/// The schema of property `key` of an object.
pub(crate) fn property_schema(rules: &'static ObjectRules, key: &str) -> Option<&'static Schema> {
    rules
        .properties
        .iter()
        .find(|p| p.name == key)
        .map(|p| p.schema)
        .or(rules.additional)
}

/// Whether an exploded object takes the pair named `key`.
pub(crate) fn takes_key(rules: &'static ObjectRules, key: &str) -> bool {
    rules.properties.is_empty() || rules.properties.iter().any(|p| p.name == key)
}

/// `text` as the JSON value `schema` asks for; kept as a string when it is not one (validation
/// then names it). Integers follow JSON's grammar strictly: no `+`, no leading zero.
pub(crate) fn typed(text: &str, schema: Option<&'static Schema>) -> Value {
    let parsed = match schema.map(resolve) {
        // A parameter's integer is digits (JSON's integer grammar); `1.0` or `1e3` is not.
        Some(Schema::Integer(..)) if !crate::extract::params::is_json_integer(text) => None,
        Some(Schema::Integer(..) | Schema::Number(_)) => {
            serde_json::from_str::<serde_json::Number>(text)
                .ok()
                .map(Value::Number)
        }
        Some(Schema::Boolean) => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Some(Schema::Object(_) | Schema::Array(_)) => serde_json::from_str(text).ok(),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_owned()))
}

/// The text of a scalar JSON value (`null` is empty).
pub(crate) fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
