//! Validation of untyped JSON values, reporting every violation with its pointer.

use serde_json::Value;

use super::integral::check_integer;
use super::rules::{check_array_len, check_number_rules, check_property_count, check_string_rules};
use super::shown::{type_name, Shown};
use super::union::{check_tagged, check_union};
use super::{resolve, Schema, Violations};

fn admits_null(mut schema: &'static Schema) -> bool {
    loop {
        match schema {
            Schema::Nullable(_) | Schema::Any => return true,
            Schema::Ref(target) => schema = target,
            _ => return false,
        }
    }
}

/// Checks an untyped JSON value against `schema`, recording every violation.
pub fn validate_value(value: &Value, schema: &'static Schema, v: &mut Violations) {
    if value.is_null() && admits_null(schema) {
        return;
    }
    match (resolve(schema), value) {
        (Schema::Any, _) => {}
        (Schema::Never, _) => v.push("no value is allowed here"),
        (Schema::OneOf(alternatives), _) => check_union(value, alternatives, true, v),
        (Schema::AnyOf(alternatives), _) => check_union(value, alternatives, false, v),
        (Schema::Tagged(rules), _) => check_tagged(value, rules, v),
        (Schema::Boolean, Value::Bool(_)) => {}
        (Schema::Integer(format, rules), Value::Number(n)) => {
            check_integer(n, *format, rules, v);
        }
        (Schema::Number(rules), Value::Number(n)) => {
            check_number_rules(n.as_f64().unwrap_or(f64::NAN), rules, v);
        }
        (Schema::String(rules), Value::String(s)) => check_string_rules(s, rules, v),
        (Schema::Array(rules), Value::Array(items)) => {
            check_array_len(items.len(), rules, v);
            if rules.unique_items {
                let mut seen = std::collections::HashSet::new();
                if items.iter().any(|item| !seen.insert(item.to_string())) {
                    v.push("items are not unique (uniqueItems)");
                }
            }
            for (i, item) in items.iter().enumerate() {
                let before = v.listed();
                validate_value(item, rules.items, v);
                if v.listed() > before {
                    v.prefix_since(before, &i.to_string());
                }
            }
        }
        (Schema::Object(rules), Value::Object(map)) => {
            check_property_count(map.len(), rules, v);
            for property in rules.properties {
                match map.get(property.name) {
                    Some(item) => v.value_at(property.name, item, property.schema),
                    None if property.required => {
                        v.push_at(property.name, "required property is missing");
                    }
                    None => {}
                }
            }
            if let Some(additional) = rules.additional {
                let forbidden = matches!(resolve(additional), Schema::Never);
                for (key, item) in map {
                    if rules.properties.iter().any(|p| p.name == key) {
                        continue;
                    }
                    if forbidden {
                        v.push_at(
                            key,
                            format_args!(
                                "unknown property '{}' is not allowed (additionalProperties: false)",
                                Shown(key)
                            ),
                        );
                    } else {
                        v.value_at(key, item, additional);
                    }
                }
            }
        }
        (expected, _) => {
            let expected = match expected {
                Schema::Boolean => "boolean",
                Schema::Integer(..) => "integer",
                Schema::Number(_) => "number",
                Schema::String(_) => "string",
                Schema::Array(_) => "array",
                Schema::Object(_) => "object",
                Schema::Any
                | Schema::Never
                | Schema::OneOf(_)
                | Schema::AnyOf(_)
                | Schema::Tagged(_)
                | Schema::Ref(_)
                | Schema::Nullable(_) => "any",
            };
            v.push(format_args!(
                "expected {expected}, got {}",
                type_name(value)
            ));
        }
    }
}
