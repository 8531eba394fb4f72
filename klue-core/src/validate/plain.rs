//! Schema nodes of unconstrained values, shared so that generated code needs no static of its
//! own for the many plain fields of large APIs.

use crate::validate::{Format, IntegerFormat, NumberRules, Schema, StringRules};

const NO_BOUNDS: NumberRules = NumberRules {
    minimum: None,
    maximum: None,
    exclusive_minimum: None,
    exclusive_maximum: None,
    multiple_of: None,
};

/// Any JSON value.
pub static ANY: Schema = Schema::Any;
/// A boolean.
pub static BOOLEAN: Schema = Schema::Boolean;
/// A string without rules.
pub static STRING: Schema = Schema::String(StringRules {
    min_length: None,
    max_length: None,
    pattern: None,
    enum_values: &[],
    format: None,
});
/// No value (`additionalProperties: false`).
pub static NEVER: Schema = Schema::Never;

const fn formatted(format: Format) -> Schema {
    Schema::String(StringRules {
        min_length: None,
        max_length: None,
        pattern: None,
        enum_values: &[],
        format: Some(format),
    })
}

/// A `uuid` string.
pub static UUID: Schema = formatted(Format::Uuid);
/// A `date-time` string.
pub static DATE_TIME: Schema = formatted(Format::DateTime);
/// A `date` string.
pub static DATE: Schema = formatted(Format::Date);
/// A `time` string.
pub static TIME: Schema = formatted(Format::Time);
/// An `email` string.
pub static EMAIL: Schema = formatted(Format::Email);
/// A `uri` string.
pub static URI: Schema = formatted(Format::Uri);
/// A `byte` (base64) string.
pub static BYTE: Schema = formatted(Format::Byte);
/// An `int32` without bounds.
pub static INT32: Schema = Schema::Integer(IntegerFormat::Int32, NO_BOUNDS);
/// An `int64` without bounds.
pub static INT64: Schema = Schema::Integer(IntegerFormat::Int64, NO_BOUNDS);
/// A number without bounds.
pub static NUMBER: Schema = Schema::Number(NO_BOUNDS);
