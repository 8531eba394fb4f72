//! Constants and const constructors for the rules generated code writes: a schema states only
//! the constraints the spec gives (`StringRules { max_length: Some(20), ..StringRules::ANY }`)
//! and a property is one call, so each struct is described once and briefly.

use super::schema::{NumberRules, ObjectRules, Property, Schema, StringRules};

impl StringRules {
    /// No constraint: any string.
    pub const ANY: StringRules = StringRules {
        min_length: None,
        max_length: None,
        pattern: None,
        enum_values: &[],
        format: None,
    };
}

impl NumberRules {
    /// No constraint: any number.
    pub const ANY: NumberRules = NumberRules {
        minimum: None,
        maximum: None,
        exclusive_minimum: None,
        exclusive_maximum: None,
        multiple_of: None,
    };
}

impl ObjectRules {
    /// No property declared, no other allowed beyond what `additional` says, no count limit.
    pub const EMPTY: ObjectRules = ObjectRules {
        properties: &[],
        additional: None,
        min_properties: None,
        max_properties: None,
    };
}

impl Property {
    /// A property the object must have.
    pub const fn required(name: &'static str, schema: &'static Schema) -> Property {
        Property {
            name,
            required: true,
            schema,
        }
    }

    /// A property the object may have.
    pub const fn optional(name: &'static str, schema: &'static Schema) -> Property {
        Property {
            name,
            required: false,
            schema,
        }
    }
}
