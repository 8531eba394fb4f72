//! `oneOf` / `anyOf` (with or without a discriminator): decoding into the generated enums and
//! checking untyped values. Generated enums list their alternatives in a table and call these
//! functions, so that a union costs one small `Deserialize` impl, not serde's untagged code.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::rules::quoted_list;
use super::{validate_value, Location, Schema, Tag, TaggedRules, Violations};

/// How a generated enum decodes one alternative from a JSON value.
pub type Alternative<T> = fn(&Value) -> Result<T, serde_json::Error>;

/// Decodes `value` into `T` (what every [`Alternative`] does before wrapping the variant).
pub fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, serde_json::Error> {
    T::deserialize(value)
}

fn is_valid(value: &Value, schema: &'static Schema) -> bool {
    let mut scratch = Violations::new(Location::Body);
    validate_value(value, schema, &mut scratch);
    scratch.is_empty()
}

/// The first of `alternatives` that `value` satisfies.
pub(super) fn first_valid(
    value: &Value,
    alternatives: &'static [&'static Schema],
) -> Option<&'static Schema> {
    alternatives
        .iter()
        .copied()
        .find(|schema| is_valid(value, schema))
}

/// Decodes a `oneOf`: the alternative that decodes and satisfies its schema, which must be the
/// only one. When none satisfies its schema but exactly one decodes, that one is taken so that
/// its validation reports what is wrong with pointers; a value that fits several is an error.
pub fn one_of<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    alternatives: &[(&'static Schema, Alternative<T>)],
) -> Result<T, D::Error> {
    union(deserializer, alternatives, true)
}

/// Decodes an `anyOf`: the first alternative that decodes and satisfies its schema, else the
/// only one that decodes (its validation then reports the violations).
pub fn any_of<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    alternatives: &[(&'static Schema, Alternative<T>)],
) -> Result<T, D::Error> {
    union(deserializer, alternatives, false)
}

fn union<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    alternatives: &[(&'static Schema, Alternative<T>)],
    exactly_one: bool,
) -> Result<T, D::Error> {
    let value = Value::deserialize(deserializer)?;
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    for (index, (schema, decode)) in alternatives.iter().enumerate() {
        let Ok(decoded) = decode(&value) else {
            continue;
        };
        if is_valid(&value, schema) {
            valid.push((index, decoded));
            if !exactly_one {
                break;
            }
        } else {
            invalid.push(decoded);
        }
    }
    let only_decoded = if invalid.len() == 1 {
        invalid.pop()
    } else {
        None
    };
    if valid.len() > 1 {
        return Err(D::Error::custom(ambiguous(valid.iter().map(|(i, _)| *i))));
    }
    match valid.pop().map(|(_, decoded)| decoded).or(only_decoded) {
        Some(decoded) => Ok(decoded),
        None => Err(D::Error::custom(none_matches(
            alternatives.len(),
            exactly_one,
        ))),
    }
}

fn ambiguous(indexes: impl Iterator<Item = usize>) -> String {
    let list: Vec<String> = indexes.map(|i| format!("#{i}")).collect();
    format!(
        "matches {} alternatives of oneOf ({}); exactly one must match",
        list.len(),
        list.join(", ")
    )
}

fn none_matches(count: usize, exactly_one: bool) -> String {
    let keyword = if exactly_one { "oneOf" } else { "anyOf" };
    format!("matches none of the {count} alternatives of {keyword}")
}

/// Decodes a union with a discriminator: the value of `property` names the alternative.
pub fn tagged<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    property: &str,
    tags: &[(&str, Alternative<T>)],
) -> Result<T, D::Error> {
    let value = Value::deserialize(deserializer)?;
    let tag = match value.get(property) {
        Some(Value::String(tag)) => tag,
        Some(_) => {
            return Err(D::Error::custom(format!(
                "discriminator '{property}' is not a string"
            )))
        }
        None => {
            return Err(D::Error::custom(format!(
                "discriminator '{property}' is missing"
            )))
        }
    };
    match tags.iter().find(|(name, _)| name == tag) {
        Some((_, decode)) => decode(&value).map_err(D::Error::custom),
        None => {
            let names: Vec<&str> = tags.iter().map(|(name, _)| *name).collect();
            Err(D::Error::custom(format!(
                "'{tag}' is not one of {} (discriminator '{property}')",
                quoted_list(&names)
            )))
        }
    }
}

/// Checks an untyped value against `oneOf` (`exactly_one`) or `anyOf` alternatives.
pub(super) fn check_union(
    value: &Value,
    alternatives: &'static [&'static Schema],
    exactly_one: bool,
    v: &mut Violations,
) {
    let mut results = Vec::with_capacity(alternatives.len());
    for schema in alternatives {
        let mut scratch = Violations::new(v.location());
        validate_value(value, schema, &mut scratch);
        results.push(scratch);
    }
    let valid: Vec<usize> = (0..results.len())
        .filter(|i| results[*i].is_empty())
        .collect();
    if valid.len() > 1 && exactly_one {
        v.push(ambiguous(valid.into_iter()));
        return;
    }
    if !valid.is_empty() {
        return;
    }
    // When only one alternative has the value's shape (no violation of the value itself, such
    // as a wrong type), its violations say best what is wrong.
    let mut shaped = results
        .into_iter()
        .filter(|r| !r.has_root_violation())
        .collect::<Vec<_>>();
    if shaped.len() == 1 {
        v.append(shaped.remove(0));
    } else {
        v.push(none_matches(alternatives.len(), exactly_one));
    }
}

/// Checks an untyped value against a union with a discriminator.
pub(super) fn check_tagged(value: &Value, rules: &'static TaggedRules, v: &mut Violations) {
    let Value::Object(map) = value else {
        v.push(format_args!(
            "expected object, got {}",
            super::shown::type_name(value)
        ));
        return;
    };
    let property = rules.property;
    match map.get(property) {
        None => v.push_at(property, "required discriminator property is missing"),
        Some(Value::String(tag)) => match rules.tags.iter().find(|t| t.value == tag) {
            Some(Tag { schema, .. }) => validate_value(value, schema, v),
            None => {
                let names: Vec<&str> = rules.tags.iter().map(|t| t.value).collect();
                v.push_at(
                    property,
                    format_args!(
                        "'{}' is not one of {} (discriminator)",
                        super::shown::Shown(tag),
                        quoted_list(&names)
                    ),
                );
            }
        },
        Some(other) => v.push_at(
            property,
            format_args!(
                "expected string, got {} (discriminator)",
                super::shown::type_name(other)
            ),
        ),
    }
}
