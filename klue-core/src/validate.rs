//! Validation of requests against the constraints a spec states.
//!
//! Two paths share one set of rules (the static [`Schema`] tree the code generator emits):
//! - the fast path deserializes a body straight into its generated type and then checks the
//!   typed value with [`Validate`];
//! - when deserialization fails, the body is parsed as a `serde_json::Value` and checked by
//!   [`validate_value`], which reports every violation (types, required, constraints) with
//!   its JSON pointer, instead of serde's first error only.

use std::fmt;
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where in the request a violation was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// The request body; the pointer is a JSON pointer into it.
    Body,
    /// A query parameter; the pointer starts with the parameter's name.
    Query,
    /// A path parameter.
    Path,
    /// A header parameter.
    Header,
    /// A cookie parameter.
    Cookie,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Location::Body => "body",
            Location::Query => "query",
            Location::Path => "path",
            Location::Header => "header",
            Location::Cookie => "cookie",
        })
    }
}

/// One broken constraint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// Which part of the request.
    #[serde(rename = "in")]
    pub location: Location,
    /// JSON pointer (RFC 6901) to the offending value; `""` is the whole body.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(f, "{} {}: {}", self.location, pointer, self.message)
    }
}

/// A regular expression from a spec's `pattern`, compiled on first use.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    /// A pattern for `source` (ECMA-262 patterns that the `regex` crate understands).
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as written in the spec.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether `text` matches. A pattern that does not compile matches nothing; the code
    /// generator rejects such patterns, so this only guards hand-written schemas.
    pub fn is_match(&self, text: &str) -> bool {
        self.compiled
            .get_or_init(|| Regex::new(self.source).ok())
            .as_ref()
            .is_some_and(|re| re.is_match(text))
    }
}

/// Constraints on a string.
#[derive(Debug)]
pub struct StringRules {
    /// `minLength`, in characters.
    pub min_length: Option<usize>,
    /// `maxLength`, in characters.
    pub max_length: Option<usize>,
    /// `pattern`.
    pub pattern: Option<&'static Pattern>,
    /// `enum`; empty means any value.
    pub enum_values: &'static [&'static str],
}

/// Constraints on a number or an integer.
#[derive(Debug)]
pub struct NumberRules {
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `exclusiveMinimum` (as a bound; OpenAPI 3.0's boolean form is converted).
    pub exclusive_minimum: Option<f64>,
    /// `exclusiveMaximum`.
    pub exclusive_maximum: Option<f64>,
    /// `multipleOf`.
    pub multiple_of: Option<f64>,
}

/// The integer formats, each with the range it admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegerFormat {
    /// `int32`.
    Int32,
    /// `int64` or no format.
    Int64,
}

/// Constraints on an array.
#[derive(Debug)]
pub struct ArrayRules {
    /// Schema of every item.
    pub items: &'static Schema,
    /// `minItems`.
    pub min_items: Option<usize>,
    /// `maxItems`.
    pub max_items: Option<usize>,
    /// `uniqueItems`.
    pub unique_items: bool,
}

/// One property of an object.
#[derive(Debug)]
pub struct Property {
    /// The JSON name.
    pub name: &'static str,
    /// Whether it must be present.
    pub required: bool,
    /// Its schema.
    pub schema: &'static Schema,
}

/// Constraints on an object.
#[derive(Debug)]
pub struct ObjectRules {
    /// Declared properties.
    pub properties: &'static [Property],
    /// Schema of undeclared properties; `None` admits anything.
    pub additional: Option<&'static Schema>,
}

/// A schema node, as the code generator emits it (one `static` per node).
#[derive(Debug)]
pub enum Schema {
    /// Any JSON value.
    Any,
    /// `type: boolean`.
    Boolean,
    /// `type: integer`.
    Integer(IntegerFormat, NumberRules),
    /// `type: number`.
    Number(NumberRules),
    /// `type: string`.
    String(StringRules),
    /// `type: array`.
    Array(ArrayRules),
    /// `type: object`.
    Object(ObjectRules),
    /// A named schema (`$ref`).
    Ref(&'static Schema),
    /// `null`, or a value of the inner schema (`nullable: true`, or a 3.1 `null` type).
    Nullable(&'static Schema),
}

/// Collects violations. Pointers are built only when something is wrong: a check records a
/// violation relative to the value it checks, and each enclosing level prefixes its key on the
/// way out ([`Violations::field`]), so a valid request costs no pointer bookkeeping at all.
#[derive(Debug)]
pub struct Violations {
    location: Location,
    list: Vec<Violation>,
}

impl Default for Violations {
    fn default() -> Self {
        Self::new(Location::Body)
    }
}

impl Violations {
    /// An empty collector for values found at `location`.
    pub fn new(location: Location) -> Self {
        Violations {
            location,
            list: Vec::new(),
        }
    }

    /// Switches the location for the violations recorded from now on.
    pub fn set_location(&mut self, location: Location) {
        self.location = location;
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many violations were recorded.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The violations recorded, in order.
    pub fn into_vec(self) -> Vec<Violation> {
        self.list
    }

    /// The violations as the 400 `INVALID_PARAMETER` error.
    pub fn into_error(self) -> crate::ApiError {
        crate::ApiError::invalid(self.list)
    }

    /// Records a violation of the value being checked.
    pub fn push(&mut self, message: impl Into<String>) {
        self.push_pointer(String::new(), message);
    }

    /// Records a violation of the member `key` of the value being checked.
    pub fn push_at(&mut self, key: &str, message: impl Into<String>) {
        let mut pointer = String::with_capacity(key.len() + 1);
        pointer.push('/');
        escape_into(&mut pointer, key);
        self.push_pointer(pointer, message);
    }

    /// Records a violation at `pointer`, relative to the value being checked.
    pub fn push_pointer(&mut self, pointer: String, message: impl Into<String>) {
        self.list.push(Violation {
            location: self.location,
            pointer,
            message: message.into(),
        });
    }

    /// Checks `value` against `schema` as the member `key` of the value being checked.
    pub fn field<T: Validate + ?Sized>(&mut self, key: &str, value: &T, schema: &'static Schema) {
        let before = self.list.len();
        value.validate(schema, self);
        self.prefix_since(before, key);
    }

    fn item<T: Validate + ?Sized>(&mut self, index: usize, value: &T, schema: &'static Schema) {
        let before = self.list.len();
        value.validate(schema, self);
        if self.list.len() > before {
            self.prefix_since(before, &index.to_string());
        }
    }

    fn value_at(&mut self, key: &str, value: &Value, schema: &'static Schema) {
        let before = self.list.len();
        validate_value(value, schema, self);
        self.prefix_since(before, key);
    }

    /// Prefixes `/key` to the pointers of the violations recorded since `before`.
    fn prefix_since(&mut self, before: usize, key: &str) {
        for violation in self.list.iter_mut().skip(before) {
            let mut pointer = String::with_capacity(key.len() + 1 + violation.pointer.len());
            pointer.push('/');
            escape_into(&mut pointer, key);
            pointer.push_str(&violation.pointer);
            violation.pointer = pointer;
        }
    }

    /// Checks a string against the string rules of `schema`.
    pub fn check_str(&mut self, value: &str, schema: &'static Schema) {
        if let Schema::String(rules) = resolve(schema) {
            check_string_rules(value, rules, self);
        }
    }

    /// Checks a number against the numeric rules of `schema` (integer or number).
    pub fn check_number(&mut self, value: f64, schema: &'static Schema) {
        match resolve(schema) {
            Schema::Number(rules) | Schema::Integer(_, rules) => {
                check_number_rules(value, rules, self)
            }
            _ => {}
        }
    }
}

fn escape_into(out: &mut String, key: &str) {
    for c in key.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// The schema that constrains a present, non-null value: references and nullability unwrapped.
fn resolve(mut schema: &'static Schema) -> &'static Schema {
    while let Schema::Ref(target) | Schema::Nullable(target) = schema {
        schema = target;
    }
    schema
}

/// A typed value that can be checked against the constraints of its schema.
///
/// Implemented for the scalar types, `Vec`, `Option`, maps, and every generated type.
pub trait Validate {
    /// Records every violation of `schema`'s constraints by `self` into `v`.
    fn validate(&self, schema: &'static Schema, v: &mut Violations);
}

impl Validate for str {
    fn validate(&self, schema: &'static Schema, v: &mut Violations) {
        v.check_str(self, schema);
    }
}

impl Validate for String {
    fn validate(&self, schema: &'static Schema, v: &mut Violations) {
        v.check_str(self, schema);
    }
}

impl Validate for bool {
    fn validate(&self, _schema: &'static Schema, _v: &mut Violations) {}
}

impl Validate for Value {
    fn validate(&self, schema: &'static Schema, v: &mut Violations) {
        validate_value(self, schema, v);
    }
}

macro_rules! validate_numbers {
    ($($t:ty),*) => {$(
        impl Validate for $t {
            fn validate(&self, schema: &'static Schema, v: &mut Violations) {
                #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
                v.check_number(*self as f64, schema);
            }
        }
    )*};
}
validate_numbers!(i32, i64, u32, u64, f32, f64);

impl<T: Validate> Validate for Option<T> {
    fn validate(&self, schema: &'static Schema, v: &mut Violations) {
        if let Some(value) = self {
            value.validate(schema, v);
        }
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self, schema: &'static Schema, v: &mut Violations) {
        (**self).validate(schema, v);
    }
}

impl<T: Validate + Serialize> Validate for Vec<T> {
    fn validate(&self, schema: &'static Schema, v: &mut Violations) {
        if let Schema::Array(rules) = resolve(schema) {
            check_array_len(self.len(), rules, v);
            if rules.unique_items && has_duplicates(self) {
                v.push("items are not unique (uniqueItems)");
            }
            for (i, item) in self.iter().enumerate() {
                v.item(i, item, rules.items);
            }
        }
    }
}

impl<T: Validate> Validate for std::collections::BTreeMap<String, T> {
    fn validate(&self, schema: &'static Schema, v: &mut Violations) {
        if let Schema::Object(ObjectRules {
            additional: Some(items),
            ..
        }) = resolve(schema)
        {
            for (key, item) in self {
                v.field(key, item, items);
            }
        }
    }
}

fn has_duplicates<T: Serialize>(items: &[T]) -> bool {
    let encoded: Vec<String> = items
        .iter()
        .map(|item| serde_json::to_string(item).unwrap_or_default())
        .collect();
    let mut seen = std::collections::HashSet::new();
    encoded.iter().any(|e| !seen.insert(e))
}

fn check_string_rules(value: &str, rules: &StringRules, v: &mut Violations) {
    if rules.min_length.is_some() || rules.max_length.is_some() {
        let length = value.chars().count();
        if let Some(min) = rules.min_length {
            if length < min {
                v.push(format!("length {length} is shorter than minLength {min}"));
            }
        }
        if let Some(max) = rules.max_length {
            if length > max {
                v.push(format!("length {length} is longer than maxLength {max}"));
            }
        }
    }
    if let Some(pattern) = rules.pattern {
        if !pattern.is_match(value) {
            v.push(format!("does not match pattern '{}'", pattern.source()));
        }
    }
    if !rules.enum_values.is_empty() && !rules.enum_values.contains(&value) {
        v.push(format!(
            "'{value}' is not one of {}",
            quoted_list(rules.enum_values)
        ));
    }
}

fn quoted_list(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|s| format!("'{s}'")).collect();
    format!("[{}]", quoted.join(", "))
}

fn check_number_rules(value: f64, rules: &NumberRules, v: &mut Violations) {
    if let Some(min) = rules.minimum {
        if value < min {
            v.push(format!("{value} is less than minimum {min}"));
        }
    }
    if let Some(max) = rules.maximum {
        if value > max {
            v.push(format!("{value} is greater than maximum {max}"));
        }
    }
    if let Some(min) = rules.exclusive_minimum {
        if value <= min {
            v.push(format!(
                "{value} is not greater than exclusiveMinimum {min}"
            ));
        }
    }
    if let Some(max) = rules.exclusive_maximum {
        if value >= max {
            v.push(format!("{value} is not less than exclusiveMaximum {max}"));
        }
    }
    if let Some(step) = rules.multiple_of {
        let quotient = value / step;
        if step > 0.0 && (quotient - quotient.round()).abs() > 1e-9 {
            v.push(format!("{value} is not a multiple of {step}"));
        }
    }
}

fn check_array_len(len: usize, rules: &ArrayRules, v: &mut Violations) {
    if let Some(min) = rules.min_items {
        if len < min {
            v.push(format!("{len} items, fewer than minItems {min}"));
        }
    }
    if let Some(max) = rules.max_items {
        if len > max {
            v.push(format!("{len} items, more than maxItems {max}"));
        }
    }
}

fn admits_null(mut schema: &'static Schema) -> bool {
    loop {
        match schema {
            Schema::Nullable(_) | Schema::Any => return true,
            Schema::Ref(target) => schema = target,
            _ => return false,
        }
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Checks an untyped JSON value against `schema`, recording every violation.
pub fn validate_value(value: &Value, schema: &'static Schema, v: &mut Violations) {
    if value.is_null() && admits_null(schema) {
        return;
    }
    match (resolve(schema), value) {
        (Schema::Any, _) => {}
        (Schema::Boolean, Value::Bool(_)) => {}
        (Schema::Integer(format, rules), Value::Number(n)) => match n.as_i64() {
            Some(i) => {
                if *format == IntegerFormat::Int32 && i32::try_from(i).is_err() {
                    v.push(format!("{i} does not fit format int32"));
                }
                #[allow(clippy::cast_precision_loss)]
                check_number_rules(i as f64, rules, v);
            }
            None => v.push(format!("expected integer, got {}", type_name(value))),
        },
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
                let before = v.len();
                validate_value(item, rules.items, v);
                if v.len() > before {
                    v.prefix_since(before, &i.to_string());
                }
            }
        }
        (Schema::Object(rules), Value::Object(map)) => {
            for property in rules.properties {
                match map.get(property.name) {
                    Some(Value::Null) if !property.required => {}
                    Some(item) => v.value_at(property.name, item, property.schema),
                    None if property.required => {
                        v.push_at(property.name, "required property is missing");
                    }
                    None => {}
                }
            }
            if let Some(additional) = rules.additional {
                for (key, item) in map {
                    if rules.properties.iter().all(|p| p.name != key) {
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
                Schema::Any | Schema::Ref(_) | Schema::Nullable(_) => "any",
            };
            v.push(format!("expected {expected}, got {}", type_name(value)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static NAME: Schema = Schema::String(StringRules {
        min_length: Some(2),
        max_length: Some(4),
        pattern: None,
        enum_values: &[],
    });
    static SCORE: Schema = Schema::Number(NumberRules {
        minimum: None,
        maximum: None,
        exclusive_minimum: Some(0.0),
        exclusive_maximum: None,
        multiple_of: Some(0.5),
    });
    static TAGS: Schema = Schema::Array(ArrayRules {
        items: &NAME,
        min_items: None,
        max_items: Some(2),
        unique_items: true,
    });
    static COUNTS: Schema = Schema::Object(ObjectRules {
        properties: &[],
        additional: Some(&Schema::Integer(
            IntegerFormat::Int32,
            NumberRules {
                minimum: Some(0.0),
                maximum: None,
                exclusive_minimum: None,
                exclusive_maximum: None,
                multiple_of: None,
            },
        )),
    });
    static THING: Schema = Schema::Object(ObjectRules {
        properties: &[
            Property {
                name: "a/b~c",
                required: true,
                schema: &NAME,
            },
            Property {
                name: "score",
                required: false,
                schema: &SCORE,
            },
            Property {
                name: "tags",
                required: false,
                schema: &TAGS,
            },
            Property {
                name: "counts",
                required: false,
                schema: &COUNTS,
            },
            Property {
                name: "child",
                required: false,
                schema: &Schema::Ref(&THING),
            },
        ],
        additional: None,
    });

    fn check(value: serde_json::Value) -> Vec<(String, String)> {
        let mut v = Violations::default();
        validate_value(&value, &THING, &mut v);
        v.into_vec()
            .into_iter()
            .map(|x| (x.pointer, x.message))
            .collect()
    }

    #[test]
    fn valid_values_give_no_violation() {
        assert!(
            check(json!({"a/b~c": "abc", "score": 1.5, "tags": ["xy"], "counts": {"n": 3}}))
                .is_empty()
        );
    }

    #[test]
    fn every_violation_is_reported_with_an_escaped_nested_pointer() {
        let found = check(json!({
            "score": 0.75,
            "tags": ["x", "abcde", "x"],
            "counts": {"n/1": -1, "m": 3000000000_i64},
            "child": {"a/b~c": 7, "child": {}}
        }));
        let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/a~1b~0c",
                "/score",
                "/tags",
                "/tags",
                "/tags/0",
                "/tags/1",
                "/tags/2",
                "/counts/n~11",
                "/counts/m",
                "/child/a~1b~0c",
                "/child/child/a~1b~0c",
            ]
        );
        assert_eq!(found[0].1, "required property is missing");
        assert_eq!(found[1].1, "0.75 is not a multiple of 0.5");
        assert!(found[3].1.contains("uniqueItems"), "{found:?}");
        assert!(found[8].1.contains("int32"), "{found:?}");
        assert_eq!(found[9].1, "expected string, got integer");
    }

    #[test]
    fn typed_validation_uses_the_same_rules_and_pointers() {
        let mut v = Violations::default();
        v.field("tags", &vec!["x".to_owned(), "ok".to_owned()], &TAGS);
        v.field("score", &0.0_f64, &SCORE);
        let found: Vec<(String, String)> = v
            .into_vec()
            .into_iter()
            .map(|x| (x.pointer, x.message))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "/tags/0".to_owned(),
                    "length 1 is shorter than minLength 2".to_owned()
                ),
                (
                    "/score".to_owned(),
                    "0 is not greater than exclusiveMinimum 0".to_owned()
                ),
            ]
        );
    }
}
