//! The constraint checks shared by the typed and the untyped validators.

use std::fmt;

use super::shown::Shown;
use super::{ArrayRules, NumberRules, ObjectRules, StringRules, Violations};

pub(super) fn check_string_rules(value: &str, rules: &StringRules, v: &mut Violations) {
    if rules.min_length.is_some() || rules.max_length.is_some() {
        let length = value.chars().count();
        if let Some(min) = rules.min_length {
            if length < min {
                v.push(format_args!(
                    "length {length} is shorter than minLength {min}"
                ));
            }
        }
        if let Some(max) = rules.max_length {
            if length > max {
                v.push(format_args!(
                    "length {length} is longer than maxLength {max}"
                ));
            }
        }
    }
    if let Some(pattern) = rules.pattern {
        if !pattern.is_match(value) {
            v.push(format_args!(
                "does not match pattern '{}'",
                pattern.source()
            ));
        }
    }
    if !rules.enum_values.is_empty() && !rules.enum_values.contains(&value) {
        v.push(format_args!(
            "'{}' is not one of {}",
            Shown(value),
            QuotedList(rules.enum_values)
        ));
    }
    if let Some(format) = rules.format {
        if !format.admits(value) {
            v.push(format_args!("'{}' is not {format}", Shown(value)));
        }
    }
}

/// A list of values as a message shows it: `['a', 'b']`.
pub(super) struct QuotedList<'a>(pub(super) &'a [&'a str]);

impl fmt::Display for QuotedList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, value) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "'{value}'")?;
        }
        f.write_str("]")
    }
}

pub(super) fn quoted_list(values: &[&str]) -> String {
    QuotedList(values).to_string()
}

pub(super) fn check_number_rules(value: f64, rules: &NumberRules, v: &mut Violations) {
    if let Some(min) = rules.minimum {
        if value < min {
            v.push(format_args!("{value} is less than minimum {min}"));
        }
    }
    if let Some(max) = rules.maximum {
        if value > max {
            v.push(format_args!("{value} is greater than maximum {max}"));
        }
    }
    if let Some(min) = rules.exclusive_minimum {
        if value <= min {
            v.push(format_args!(
                "{value} is not greater than exclusiveMinimum {min}"
            ));
        }
    }
    if let Some(max) = rules.exclusive_maximum {
        if value >= max {
            v.push(format_args!(
                "{value} is not less than exclusiveMaximum {max}"
            ));
        }
    }
    if let Some(step) = rules.multiple_of {
        let quotient = value / step;
        if step > 0.0 && (quotient - quotient.round()).abs() > 1e-9 {
            v.push(format_args!("{value} is not a multiple of {step}"));
        }
    }
}

/// `minProperties`/`maxProperties` of an object with `len` properties.
pub(super) fn check_property_count(len: usize, rules: &ObjectRules, v: &mut Violations) {
    if let Some(min) = rules.min_properties {
        if len < min {
            v.push(format_args!(
                "{len} properties, fewer than minProperties {min}"
            ));
        }
    }
    if let Some(max) = rules.max_properties {
        if len > max {
            v.push(format_args!(
                "{len} properties, more than maxProperties {max}"
            ));
        }
    }
}

pub(super) fn check_array_len(len: usize, rules: &ArrayRules, v: &mut Violations) {
    if let Some(min) = rules.min_items {
        if len < min {
            v.push(format_args!("{len} items, fewer than minItems {min}"));
        }
    }
    if let Some(max) = rules.max_items {
        if len > max {
            v.push(format_args!("{len} items, more than maxItems {max}"));
        }
    }
}
