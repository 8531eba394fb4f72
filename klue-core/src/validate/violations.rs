//! The collector of violations, with pointers built only when something is wrong.

use std::fmt;

use serde_json::Value;

use super::rules::{check_number_rules, check_string_rules};
use super::{resolve, validate_value, Location, Schema, Validate, Violation};

/// Collects violations. Pointers are built only when something is wrong: a check records a
/// violation relative to the value it checks, and each enclosing level prefixes its key on the
/// way out ([`Violations::field`]), so a valid request costs no pointer bookkeeping at all.
///
/// At most [`Violations::LISTED`] violations are kept; past that they are only counted (no
/// message, no pointer is built), so a huge invalid request costs bounded memory and answers a
/// bounded error.
#[derive(Debug)]
pub struct Violations {
    location: Location,
    list: Vec<Violation>,
    /// Every violation recorded, listed or not.
    total: usize,
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
            total: 0,
        }
    }

    /// How many violations are kept with their pointer and message; the rest are counted.
    pub const LISTED: usize = 100;

    /// Whether the list is full: what is recorded now is only counted.
    fn is_full(&self) -> bool {
        self.list.len() >= Self::LISTED
    }

    /// Switches the location for the violations recorded from now on.
    pub fn set_location(&mut self, location: Location) {
        self.location = location;
    }

    /// Where the violations recorded now are.
    pub fn location(&self) -> Location {
        self.location
    }

    /// Moves the violations of `other` (recorded relative to the same value) here.
    pub(super) fn append(&mut self, other: Violations) {
        let room = Self::LISTED.saturating_sub(self.list.len());
        self.list.extend(other.list.into_iter().take(room));
        self.total += other.total;
    }

    /// Whether a violation concerns the checked value itself (its type, its format, ...).
    pub(super) fn has_root_violation(&self) -> bool {
        self.list
            .iter()
            .any(|violation| violation.pointer.is_empty())
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// How many violations were recorded, the listed ones and those only counted.
    pub fn len(&self) -> usize {
        self.total
    }

    /// The violations listed (the first [`Violations::LISTED`]), in order.
    pub fn into_vec(self) -> Vec<Violation> {
        self.list
    }

    /// The violations as the 400 `INVALID_PARAMETER` error, with the count of all of them.
    pub fn into_error(self) -> crate::ApiError {
        crate::ApiError::invalid_with_total(self.list, self.total)
    }

    /// Records a violation of the value being checked. The message is formatted only when it
    /// is listed: pass `format_args!(..)` rather than a `String` on paths a large input can
    /// repeat.
    pub fn push(&mut self, message: impl fmt::Display) {
        self.push_pointer(String::new(), message);
    }

    /// Records a violation of the member `key` of the value being checked.
    pub fn push_at(&mut self, key: &str, message: impl fmt::Display) {
        if self.is_full() {
            self.total += 1;
            return;
        }
        let mut pointer = String::with_capacity(key.len() + 1);
        pointer.push('/');
        escape_into(&mut pointer, key);
        self.push_pointer(pointer, message);
    }

    /// Records a violation at `pointer`, relative to the value being checked.
    pub fn push_pointer(&mut self, pointer: String, message: impl fmt::Display) {
        self.total += 1;
        if self.is_full() {
            return;
        }
        self.list.push(Violation {
            location: self.location,
            pointer,
            message: message.to_string(),
        });
    }

    /// Checks `value` against `schema` as the member `key` of the value being checked.
    pub fn field<T: Validate + ?Sized>(&mut self, key: &str, value: &T, schema: &'static Schema) {
        let before = self.list.len();
        value.validate(schema, self);
        if self.list.len() > before {
            self.prefix_since(before, key);
        }
    }

    pub(super) fn item<T: Validate + ?Sized>(
        &mut self,
        index: usize,
        value: &T,
        schema: &'static Schema,
    ) {
        let before = self.list.len();
        value.validate(schema, self);
        if self.list.len() > before {
            self.prefix_since(before, &index.to_string());
        }
    }

    pub(super) fn value_at(&mut self, key: &str, value: &Value, schema: &'static Schema) {
        let before = self.list.len();
        validate_value(value, schema, self);
        if self.list.len() > before {
            self.prefix_since(before, key);
        }
    }

    /// How many violations are listed: a mark for [`Violations::prefix_since`] (a violation
    /// past the list's limit has no pointer to prefix).
    pub(super) fn listed(&self) -> usize {
        self.list.len()
    }

    /// Prefixes `/key` to the pointers of the violations listed since `before` (a
    /// [`Violations::listed`] mark).
    pub(super) fn prefix_since(&mut self, before: usize, key: &str) {
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
