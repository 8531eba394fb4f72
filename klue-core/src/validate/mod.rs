//! Validation of requests against the constraints a spec states.
//!
//! Two paths share one set of rules (the static [`Schema`] tree the code generator emits):
//! - the fast path deserializes a body straight into its generated type and then checks the
//!   typed value with [`Validate`];
//! - when deserialization fails, the body is parsed as a `serde_json::Value` and checked by
//!   [`validate_value`], which reports every violation (types, required, constraints) with
//!   its JSON pointer, instead of serde's first error only.

use std::fmt;

use serde::{Deserialize, Serialize};

pub(crate) mod format;
mod integral;
pub mod plain;
mod rule_defaults;
mod rules;
mod schema;
mod shown;
mod typed;
mod union;
mod value;
mod violations;

pub use format::Format;
pub use integral::normalize_integers;
pub use schema::{
    ArrayRules, IntegerFormat, NumberRules, ObjectRules, Pattern, Property, Schema, StringRules,
    Tag, TaggedRules,
};
pub use shown::Shown;
pub use typed::Validate;
pub use union::{any_of, decode, one_of, tagged, Alternative};
pub use value::validate_value;
pub use violations::Violations;

use schema::resolve;

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

#[cfg(test)]
mod tests;
