//! `application/x-www-form-urlencoded` bodies as JSON objects, so that they are validated and
//! decoded like JSON ones.

use serde_json::{Map, Value};

use crate::validate::Schema;

/// The pairs of `body` as an object: a repeated name (or one whose schema is an array) is
/// an array; each text is read as the number, boolean or JSON its schema asks for, and
/// kept as a string when it is not one (validation then names it).
pub(crate) fn decode(body: &[u8], schema: &'static Schema) -> Value {
    decode_pairs(form_urlencoded::parse(body), schema)
}

/// Name / text pairs (a form's, a multipart body's text parts) as an object, as
/// [`decode`] reads them.
pub(crate) fn decode_pairs<K, T>(
    pairs: impl IntoIterator<Item = (K, T)>,
    schema: &'static Schema,
) -> Value
where
    K: AsRef<str> + Into<String>,
    T: AsRef<str>,
{
    let mut object = Map::new();
    for (key, text) in pairs {
        let text = text.as_ref();
        let property = property_schema(schema, key.as_ref());
        let is_array = matches!(resolve(property), Some(Schema::Array(_)));
        let item_schema = match resolve(property) {
            Some(Schema::Array(rules)) => Some(rules.items),
            other => other.map(|_| property.unwrap_or(&Schema::Any)),
        };
        let value = typed(text, item_schema);
        match object.get_mut(key.as_ref()) {
            Some(Value::Array(items)) if is_array => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None if is_array => {
                object.insert(key.into(), Value::Array(vec![value]));
            }
            None => {
                object.insert(key.into(), value);
            }
        }
    }
    Value::Object(object)
}

#[cfg(feature = "client")]
/// A JSON object as form pairs: arrays as repeated pairs, nested objects as JSON text,
/// `null` left out.
pub(crate) fn encode(value: &Value) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    if let Value::Object(object) = value {
        for (key, value) in object {
            match value {
                Value::Array(items) => {
                    for item in items {
                        out.append_pair(key, &text_of(item));
                    }
                }
                Value::Null => {}
                other => {
                    out.append_pair(key, &text_of(other));
                }
            }
        }
    }
    out.finish()
}

#[cfg(feature = "client")]
/// A JSON object as name / text pairs, as [`encode`] sends them.
pub(crate) fn flatten(value: &Value, pairs: &mut Vec<(String, String)>) {
    if let Value::Object(object) = value {
        for (key, value) in object {
            match value {
                Value::Array(items) => {
                    pairs.extend(items.iter().map(|item| (key.clone(), text_of(item))));
                }
                Value::Null => {}
                other => pairs.push((key.clone(), text_of(other))),
            }
        }
    }
}

#[cfg(feature = "client")]
fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn resolve(mut schema: Option<&'static Schema>) -> Option<&'static Schema> {
    while let Some(Schema::Ref(inner) | Schema::Nullable(inner)) = schema {
        schema = Some(inner);
    }
    schema
}

fn property_schema(schema: &'static Schema, key: &str) -> Option<&'static Schema> {
    match resolve(Some(schema))? {
        Schema::Object(rules) => rules
            .properties
            .iter()
            .find(|p| p.name == key)
            .map(|p| p.schema)
            .or(rules.additional),
        _ => None,
    }
}

fn typed(text: &str, schema: Option<&'static Schema>) -> Value {
    let parsed = match resolve(schema) {
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
