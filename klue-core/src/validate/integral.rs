//! Integers as JSON Schema defines them: a number with no fractional part, whatever its
//! spelling (`19802.0` and `1e3` are integers), within the range its format admits.

use serde_json::{Number, Value};

use super::rules::check_number_rules;
use super::union::first_valid;
use super::{resolve, IntegerFormat, NumberRules, Schema, Violations};

/// The bounds of an `i64` as doubles: `[-2^63, 2^63)`.
const I64_LOW: f64 = -9_223_372_036_854_775_808.0;
const I64_HIGH: f64 = 9_223_372_036_854_775_808.0;

/// `number` as an `i64`, when it is an integer in the 64-bit range; `Err(true)` when it is an
/// integer out of that range, `Err(false)` when it is not an integer.
///
/// A double equal to `-2^63` is out of range here: serde_json reads the literal
/// `-9223372036854775808` as an `i64`, so a double with that value came from a literal it could
/// not (`-9223372036854775809` rounds to it), or from a decimal spelling, refused alike.
fn as_integer(number: &Number) -> Result<i64, bool> {
    if let Some(i) = number.as_i64() {
        return Ok(i);
    }
    if number.is_u64() {
        return Err(true);
    }
    match number.as_f64() {
        Some(f) if f.fract() == 0.0 && f > I64_LOW && f < I64_HIGH =>
        {
            #[allow(clippy::cast_possible_truncation)]
            Ok(f as i64)
        }
        Some(f) if f.fract() == 0.0 => Err(true),
        _ => Err(false),
    }
}

/// Checks a JSON number against an integer schema.
pub(super) fn check_integer(
    number: &Number,
    format: IntegerFormat,
    rules: &NumberRules,
    v: &mut Violations,
) {
    match as_integer(number) {
        Ok(i) => {
            if format == IntegerFormat::Int32 && i32::try_from(i).is_err() {
                v.push(format_args!("{i} does not fit format int32"));
            }
            #[allow(clippy::cast_precision_loss)]
            check_number_rules(i as f64, rules, v);
        }
        Err(true) => v.push(format_args!(
            "{number} is out of range for a 64-bit integer"
        )),
        Err(false) => v.push("expected integer, got number"),
    }
}

/// Rewrites the integers of `value` that are spelled as decimals (`19802.0`) where `schema`
/// asks for an integer, so that they decode into the generated integer fields. `value` has
/// been validated against `schema`: every number an integer schema reaches is in range.
pub fn normalize_integers(value: &mut Value, schema: &'static Schema) {
    match (resolve(schema), value) {
        (Schema::Integer(..), Value::Number(number)) => {
            if let Ok(i) = as_integer(number) {
                if number.as_i64().is_none() {
                    *number = Number::from(i);
                }
            }
        }
        (Schema::Array(rules), Value::Array(items)) => {
            for item in items {
                normalize_integers(item, rules.items);
            }
        }
        (Schema::Object(rules), Value::Object(map)) => {
            for (key, item) in map.iter_mut() {
                let property = rules.properties.iter().find(|p| p.name == key);
                if let Some(schema) = property.map(|p| p.schema).or(rules.additional) {
                    normalize_integers(item, schema);
                }
            }
        }
        (Schema::Tagged(rules), value) => {
            let tag = value.get(rules.property).and_then(Value::as_str);
            if let Some(chosen) = tag.and_then(|tag| rules.tags.iter().find(|t| t.value == tag)) {
                normalize_integers(value, chosen.schema);
            }
        }
        (Schema::OneOf(alternatives) | Schema::AnyOf(alternatives), value) => {
            if let Some(chosen) = first_valid(value, alternatives) {
                normalize_integers(value, chosen);
            }
        }
        _ => {}
    }
}
