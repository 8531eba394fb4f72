//! Validation of typed values (the fast path: a body decoded into its generated type).

use serde::Serialize;
use serde_json::Value;

use super::rules::{check_array_len, check_property_count};
use super::{resolve, validate_value, ObjectRules, Schema, Violations};

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
        if let Schema::Object(
            rules @ ObjectRules {
                additional: Some(items),
                ..
            },
        ) = resolve(schema)
        {
            check_property_count(self.len(), rules, v);
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
