//! The static schema tree the code generator emits (one `static` per node).

use std::sync::OnceLock;

use regex::Regex;

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
    /// `format`, when it is one klue checks.
    pub format: Option<super::Format>,
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
    /// `uint64` (or non-negative bounds beyond `i64`'s): `[0, 2^64)`.
    Uint64,
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
    /// Schema of undeclared properties; `None` admits anything, [`Schema::Never`] nothing
    /// (`additionalProperties: false`).
    pub additional: Option<&'static Schema>,
    /// `minProperties`: the fewest properties the object may have.
    pub min_properties: Option<usize>,
    /// `maxProperties`: the most properties the object may have.
    pub max_properties: Option<usize>,
}

/// One value of a discriminator and the alternative it selects.
#[derive(Debug)]
pub struct Tag {
    /// The value of the discriminating property.
    pub value: &'static str,
    /// The schema of the alternative.
    pub schema: &'static Schema,
}

/// A `oneOf`/`anyOf` with a `discriminator`: the tag property selects the alternative.
#[derive(Debug)]
pub struct TaggedRules {
    /// The discriminating property.
    pub property: &'static str,
    /// Its values, each with the alternative it selects.
    pub tags: &'static [Tag],
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
    /// No value at all (the `false` schema, `additionalProperties: false`).
    Never,
    /// `oneOf`: exactly one of the alternatives.
    OneOf(&'static [&'static Schema]),
    /// `anyOf`: at least one of the alternatives.
    AnyOf(&'static [&'static Schema]),
    /// `oneOf`/`anyOf` with a `discriminator`.
    Tagged(TaggedRules),
}

/// The schema that constrains a present, non-null value: references and nullability unwrapped.
pub(super) fn resolve(mut schema: &'static Schema) -> &'static Schema {
    while let Schema::Ref(target) | Schema::Nullable(target) = schema {
        schema = target;
    }
    schema
}
