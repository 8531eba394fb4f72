//! How a request's values appear in violation messages: shortened ([`Shown`]) and by JSON
//! type name. Every checker uses these, so they sit below all of them.

use std::fmt;

use serde_json::Value;

/// A value from the request shown in a message: at most [`Shown::CHARS`] characters of it, so
/// that a message stays small whatever was sent.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a>(pub &'a str);

impl Shown<'_> {
    /// How many characters of a value a message shows.
    pub const CHARS: usize = 64;
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(Self::CHARS) {
            None => f.write_str(self.0),
            Some((end, _)) => write!(f, "{}...", &self.0[..end]),
        }
    }
}

/// The JSON type of `value`, as messages name it.
pub(super) fn type_name(value: &Value) -> &'static str {
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
