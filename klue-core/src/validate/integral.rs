//! Integers as JSON Schema defines them: a number with no fractional part, whatever its
//! spelling (`19802.0` and `1e3` are integers), within the range its format admits.

use serde_json::{Number, Value};

use super::rules::check_number_rules;
use super::union::first_valid;
use super::{resolve, IntegerFormat, NumberRules, Schema, Violations};

/// `2^64` as a double.
const TWO_64: f64 = 18_446_744_073_709_551_616.0;

/// `number` as an integer, when it is one in the 64-bit range of `format` (`[-2^63, 2^63)`, or
/// `[0, 2^64)` for `uint64`); `Err(true)` when it is an integer out of that range, `Err(false)`
/// when it is not an integer.
///
/// A double at a bound of the range is out of it: serde_json reads the literals it can hold as
/// `i64`/`u64`, so a double equal to `-2^63` or `2^64` came from a literal it could not (or
/// from a decimal spelling), refused alike.
fn as_integer(number: &Number, format: IntegerFormat) -> Result<i128, bool> {
    let exact = number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from));
    let value = match (exact, number.as_f64()) {
        (Some(i), _) => i,
        #[allow(clippy::cast_possible_truncation)]
        (None, Some(f)) if f.fract() == 0.0 && f > -TWO_64 && f < TWO_64 => f as i128,
        (None, Some(f)) if f.fract() == 0.0 => return Err(true),
        _ => return Err(false),
    };
    // `-2^63` held as a double is out of range (see above), though it fits an `i64`.
    let in_range = match format {
        IntegerFormat::Uint64 => u64::try_from(value).is_ok(),
        IntegerFormat::Int32 | IntegerFormat::Int64 => {
            i64::try_from(value).is_ok() && (exact.is_some() || value != i128::from(i64::MIN))
        }
    };
    if in_range {
        Ok(value)
    } else {
        Err(true)
    }
}

/// Checks a JSON number against an integer schema.
pub(super) fn check_integer(
    number: &Number,
    format: IntegerFormat,
    rules: &NumberRules,
    v: &mut Violations,
) {
    match as_integer(number, format) {
        Ok(i) => {
            if format == IntegerFormat::Int32 && i32::try_from(i).is_err() {
                v.push(format_args!("{i} does not fit format int32"));
            }
            #[allow(clippy::cast_precision_loss)]
            check_number_rules(i as f64, rules, v);
        }
        Err(true) if format == IntegerFormat::Uint64 => v.push(format_args!(
            "{number} is out of range for a non-negative 64-bit integer"
        )),
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
        (Schema::Integer(format, _), Value::Number(number)) if number.is_f64() => {
            if let Ok(i) = as_integer(number, *format) {
                if let Ok(u) = u64::try_from(i) {
                    *number = Number::from(u);
                } else if let Ok(i) = i64::try_from(i) {
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
