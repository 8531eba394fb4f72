//! OpenAPI 3.0 schemas into model schemas.

use openapiv3 as oa;

use super::{Reader, SCHEMA_PREFIX};
use crate::diagnostics::join;
use crate::model::*;

impl Reader<'_, '_, '_> {
    pub(crate) fn schema(&mut self, schema: &oa::ReferenceOr<oa::Schema>, pointer: &str) -> Schema {
        match schema {
            oa::ReferenceOr::Reference { reference } => self.reference(reference, pointer),
            oa::ReferenceOr::Item(schema) => self.schema_item(schema, pointer),
        }
    }

    fn boxed(&mut self, schema: &oa::ReferenceOr<Box<oa::Schema>>, pointer: &str) -> Schema {
        match schema {
            oa::ReferenceOr::Reference { reference } => self.reference(reference, pointer),
            oa::ReferenceOr::Item(schema) => self.schema_item(schema, pointer),
        }
    }

    fn reference(&mut self, reference: &str, pointer: &str) -> Schema {
        let named = reference
            .strip_prefix(SCHEMA_PREFIX)
            .filter(|name| !name.contains('/') && self.named_schema(name).is_some());
        if let Some(name) = named {
            return Schema {
                kind: SchemaKind::Ref(name.to_owned()),
                description: None,
                pointer: pointer.to_owned(),
                nullable: false,
            };
        }
        if !reference.starts_with('#') {
            self.diag.error_help(
                &join(pointer, "$ref"),
                format!("reference '{reference}' is not supported yet"),
                "refer to schemas in the same file",
            );
            return Schema::any(pointer);
        }
        // Any other local reference (into a schema's properties, a path, ...) is read inline.
        let Some((target, at)) = self.resolve_pointer(reference) else {
            self.diag.error(
                &join(pointer, "$ref"),
                format!("unresolved reference '{reference}'"),
            );
            return Schema::any(pointer);
        };
        if self.following.iter().any(|r| r == reference) {
            self.diag.warn(
                &join(pointer, "$ref"),
                format!("reference '{reference}' refers to itself; it is read as any JSON value"),
            );
            return Schema::any(pointer);
        }
        match serde_json::from_value::<oa::ReferenceOr<oa::Schema>>(target.clone()) {
            Ok(schema) => {
                self.following.push(reference.to_owned());
                let read = self.schema(&schema, &at);
                self.following.pop();
                read
            }
            Err(err) => {
                self.diag.error(
                    &join(pointer, "$ref"),
                    format!("reference '{reference}' is not a schema: {err}"),
                );
                Schema::any(pointer)
            }
        }
    }

    pub(super) fn schema_item(&mut self, schema: &oa::Schema, pointer: &str) -> Schema {
        let kind = match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::Boolean(_)) => SchemaKind::Boolean,
            oa::SchemaKind::Type(oa::Type::String(s)) => self.string(s, pointer),
            oa::SchemaKind::Type(oa::Type::Integer(i)) => self.integer_type(i, pointer),
            // Bounds that are not `i64`s (`maximum: 1e19`, `minimum: 0.5`) make openapiv3 read
            // an integer schema as untyped; it is an integer all the same.
            oa::SchemaKind::Any(any)
                if any.typ.as_deref() == Some("integer")
                    && !super::combined::has_combinator(any) =>
            {
                let rules = bounds(
                    any.minimum,
                    any.exclusive_minimum.unwrap_or(false),
                    any.maximum,
                    any.exclusive_maximum.unwrap_or(false),
                    any.multiple_of,
                );
                self.integer(any.format.as_deref().unwrap_or(""), rules, pointer)
            }
            oa::SchemaKind::Type(oa::Type::Number(n)) => number_type(n),
            oa::SchemaKind::Type(oa::Type::Array(a)) => self.array(a, pointer),
            oa::SchemaKind::Type(oa::Type::Object(o)) => self.object(
                &o.properties,
                &o.required,
                o.additional_properties.as_ref(),
                pointer,
            ),
            oa::SchemaKind::AllOf { all_of } => return self.all_of(schema, all_of, pointer),
            oa::SchemaKind::Any(any) if super::combined::has_combinator(any) => {
                return self.combined(schema, any, pointer);
            }
            oa::SchemaKind::Any(any) if !any.properties.is_empty() => {
                self.diag.note_once(
                    pointer,
                    "a schema with `properties` but no `type` is read as `type: object`: other JSON values (null, numbers, strings, arrays), which JSON Schema lets through, are refused",
                    "add `type: object` to say so, or `oneOf` if other values are meant",
                );
                self.object(
                    &any.properties,
                    &any.required,
                    any.additional_properties.as_ref(),
                    pointer,
                )
            }
            oa::SchemaKind::OneOf { one_of: parts } => {
                return self.alternatives(schema, parts, "oneOf", pointer)
            }
            oa::SchemaKind::AnyOf { any_of: parts } => {
                return self.alternatives(schema, parts, "anyOf", pointer)
            }
            // Documented fallback: any JSON value.
            oa::SchemaKind::Any(_) | oa::SchemaKind::Not { .. } => SchemaKind::Any,
        };
        self.typed(kind, schema, pointer)
    }

    /// The model schema of `kind` read from `schema`: its description, nullability and
    /// property counts.
    pub(super) fn typed(&mut self, kind: SchemaKind, schema: &oa::Schema, pointer: &str) -> Schema {
        Schema {
            kind: self.property_counts(kind, schema, pointer),
            description: schema.schema_data.description.clone(),
            pointer: pointer.to_owned(),
            nullable: schema.schema_data.nullable,
        }
    }

    /// `oneOf`/`anyOf` (`key`) of `parts`: a union; a `null` alternative makes it nullable, and a
    /// single other alternative is that one.
    fn alternatives(
        &mut self,
        schema: &oa::Schema,
        parts: &[oa::ReferenceOr<oa::Schema>],
        key: &str,
        pointer: &str,
    ) -> Schema {
        let description = schema.schema_data.description.clone();
        let mut alternatives: Vec<Schema> = parts
            .iter()
            .enumerate()
            .map(|(i, part)| self.schema(part, &join(&join(pointer, key), &i.to_string())))
            .collect();
        // A `null` alternative (`{nullable: true}`, 3.1's `{type: 'null'}`) makes the
        // whole value nullable instead.
        let is_null = |a: &Schema| a.kind == SchemaKind::Any && a.nullable;
        let nullable = schema.schema_data.nullable || alternatives.iter().any(is_null);
        alternatives.retain(|a| !is_null(a));
        match alternatives.len() {
            0 => self.typed(SchemaKind::Any, schema, pointer),
            1 => {
                let mut only = alternatives.remove(0);
                only.nullable |= nullable;
                only.description = description.or(only.description);
                only
            }
            _ if alternatives.iter().any(|a| a.kind == SchemaKind::Any) => {
                self.typed(SchemaKind::Any, schema, pointer)
            }
            _ => {
                let discriminator = schema.schema_data.discriminator.as_ref().and_then(|d| {
                    self.discriminator(d, &alternatives, &join(pointer, "discriminator"))
                });
                Schema {
                    kind: SchemaKind::Union {
                        alternatives,
                        one_of: key == "oneOf",
                        discriminator,
                    },
                    description,
                    pointer: pointer.to_owned(),
                    nullable,
                }
            }
        }
    }

    /// An `integer` schema of openapiv3's integer type.
    fn integer_type(&mut self, i: &oa::IntegerType, pointer: &str) -> SchemaKind {
        let format = match &i.format {
            oa::VariantOrUnknownOrEmpty::Item(oa::IntegerFormat::Int32) => "int32",
            oa::VariantOrUnknownOrEmpty::Unknown(other) => other.as_str(),
            oa::VariantOrUnknownOrEmpty::Item(oa::IntegerFormat::Int64) => "int64",
            oa::VariantOrUnknownOrEmpty::Empty => "",
        };
        #[allow(clippy::cast_precision_loss)]
        let rules = bounds(
            i.minimum.map(|v| v as f64),
            i.exclusive_minimum,
            i.maximum.map(|v| v as f64),
            i.exclusive_maximum,
            i.multiple_of.map(|v| v as f64),
        );
        self.integer(format, rules, pointer)
    }

    fn array(&mut self, a: &oa::ArrayType, pointer: &str) -> SchemaKind {
        let items = match &a.items {
            Some(items) => self.boxed(items, &join(pointer, "items")),
            None => Schema::any(join(pointer, "items")),
        };
        SchemaKind::Array {
            items: Box::new(items),
            min_items: a.min_items,
            max_items: a.max_items,
            unique_items: a.unique_items,
        }
    }

    /// `minProperties`/`maxProperties` of a map set on it; on an object of declared properties
    /// they are not checked, and said so.
    fn property_counts(
        &mut self,
        kind: SchemaKind,
        schema: &oa::Schema,
        pointer: &str,
    ) -> SchemaKind {
        let (min, max) = match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::Object(o)) => (o.min_properties, o.max_properties),
            oa::SchemaKind::Any(any) => (any.min_properties, any.max_properties),
            _ => (None, None),
        };
        if min.is_none() && max.is_none() {
            return kind;
        }
        match kind {
            SchemaKind::Map { values, .. } => SchemaKind::Map {
                values,
                min_properties: min,
                max_properties: max,
            },
            other => {
                self.diag.warn(
                    pointer,
                    "`minProperties`/`maxProperties` are checked on maps (`additionalProperties` alone), not on objects with declared properties",
                );
                other
            }
        }
    }

    /// An integer schema (`format` is `""` when the spec gives none): `i32` for `int32`, `u64`
    /// for `uint64` or when the bounds are non-negative and reach beyond `i64`, else `i64`. JSON Schema admits integers of any
    /// size; klue's are 64-bit (documented limit), and bounds beyond that range are warned of.
    fn integer(&mut self, format: &str, rules: NumberRules, pointer: &str) -> SchemaKind {
        const TWO_63: f64 = 9_223_372_036_854_775_808.0;
        const TWO_64: f64 = 18_446_744_073_709_551_616.0;
        let low = rules.minimum.or(rules.exclusive_minimum);
        let high = rules.maximum.or(rules.exclusive_maximum);
        let unsigned = format == "uint64"
            || (format != "int32"
                && low.is_some_and(|l| l >= 0.0)
                && high.is_some_and(|h| h > TWO_63));
        if low.is_some_and(|l| l < -TWO_63) || high.is_some_and(|h| h > TWO_64) {
            self.diag.warn(
                pointer,
                "integers beyond the 64-bit range are refused (klue's integers are i64, or u64 when non-negative)",
            );
        } else if format.is_empty() && !unsigned && (low.is_none() || high.is_none()) {
            self.diag.note_once(
                pointer,
                "an integer without `format` or bounds is an `i64`: values beyond the 64-bit range, which JSON Schema admits, are refused with a 400 saying so",
                "add `format: int64` (or `minimum`/`maximum`) to say so; `format: uint64` or a `maximum` above 2^63 gives a `u64`",
            );
        }
        let format = match format {
            "int32" => IntFormat::Int32,
            _ if unsigned => IntFormat::Uint64,
            _ => IntFormat::Int64,
        };
        SchemaKind::Integer(format, rules)
    }

    fn string(&mut self, s: &oa::StringType, pointer: &str) -> SchemaKind {
        if !s.enumeration.is_empty() {
            let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
            return SchemaKind::StringEnum(values);
        }
        let pattern = s
            .pattern
            .as_deref()
            .and_then(|pattern| self.pattern(pattern, &join(pointer, "pattern")));
        let format = match &s.format {
            oa::VariantOrUnknownOrEmpty::Item(f) => Some(
                match f {
                    oa::StringFormat::Date => "date",
                    oa::StringFormat::DateTime => "date-time",
                    oa::StringFormat::Password => "password",
                    oa::StringFormat::Byte => "byte",
                    oa::StringFormat::Binary => "binary",
                }
                .to_owned(),
            ),
            oa::VariantOrUnknownOrEmpty::Unknown(f) => Some(f.clone()),
            oa::VariantOrUnknownOrEmpty::Empty => None,
        };
        SchemaKind::String(StringRules {
            min_length: s.min_length,
            max_length: s.max_length,
            pattern,
            format,
        })
    }

    pub(super) fn object(
        &mut self,
        properties: &indexmap::IndexMap<String, oa::ReferenceOr<Box<oa::Schema>>>,
        required: &[String],
        additional: Option<&oa::AdditionalProperties>,
        pointer: &str,
    ) -> SchemaKind {
        for name in required {
            if !properties.contains_key(name) && !properties.is_empty() {
                self.diag.warn(
                    &join(pointer, "required"),
                    format!("required property '{name}' is not declared in `properties`; it is not checked"),
                );
            }
        }
        if properties.is_empty() {
            let values = match additional {
                Some(oa::AdditionalProperties::Schema(schema)) => {
                    self.schema(schema, &join(pointer, "additionalProperties"))
                }
                _ => Schema::any(pointer.to_owned()),
            };
            return SchemaKind::Map {
                values: Box::new(values),
                min_properties: None,
                max_properties: None,
            };
        }
        let props_pointer = join(pointer, "properties");
        let properties = properties
            .iter()
            .map(|(name, schema)| {
                let data = match schema {
                    oa::ReferenceOr::Item(item) => Some(&item.schema_data),
                    oa::ReferenceOr::Reference { .. } => None,
                };
                let read_only = data.is_some_and(|d| d.read_only);
                let write_only = data.is_some_and(|d| d.write_only);
                Property {
                    name: name.clone(),
                    required: required.contains(name) && !read_only && !write_only,
                    schema: self.boxed(schema, &join(&props_pointer, name)),
                    default: data.and_then(|d| d.default.clone()),
                    read_only,
                    write_only,
                }
            })
            .collect();
        let additional = match additional {
            None => Additional::Unspecified,
            Some(oa::AdditionalProperties::Any(true)) => Additional::Any,
            Some(oa::AdditionalProperties::Any(false)) => Additional::Forbidden,
            Some(oa::AdditionalProperties::Schema(schema)) => {
                let values = self.schema(schema, &join(pointer, "additionalProperties"));
                if values.kind == SchemaKind::Any && !values.nullable {
                    Additional::Any
                } else {
                    Additional::Schema(Box::new(values))
                }
            }
        };
        SchemaKind::Object {
            properties,
            additional,
        }
    }

    /// The tags of a union's `discriminator`: `mapping` first, then the schema names of the
    /// alternatives it does not name. `None` (a plain union, with a warning) when an
    /// alternative can be given no tag.
    pub(super) fn discriminator(
        &mut self,
        discriminator: &oa::Discriminator,
        alternatives: &[Schema],
        pointer: &str,
    ) -> Option<Discriminator> {
        let name_of = |alternative: &Schema| match &alternative.kind {
            SchemaKind::Ref(name) => Some(name.clone()),
            _ => None,
        };
        let mut tags: Vec<(String, usize)> = Vec::new();
        for (tag, target) in &discriminator.mapping {
            let target_name = target.strip_prefix(SCHEMA_PREFIX).unwrap_or(target);
            match alternatives
                .iter()
                .position(|a| name_of(a).as_deref() == Some(target_name))
            {
                Some(index) => tags.push((tag.clone(), index)),
                None => self.diag.warn(
                    &join(&join(pointer, "mapping"), tag),
                    format!("'{target}' is not one of the alternatives; the tag '{tag}' is not accepted"),
                ),
            }
        }
        for (index, alternative) in alternatives.iter().enumerate() {
            if tags.iter().any(|(_, i)| *i == index) {
                continue;
            }
            match name_of(alternative) {
                Some(name) if !tags.iter().any(|(tag, _)| *tag == name) => tags.push((name, index)),
                _ => {
                    self.diag.warn(
                        pointer,
                        format!(
                            "alternative #{index} is inline and not in `mapping`: the union is decoded without its discriminator"
                        ),
                    );
                    return None;
                }
            }
        }
        Some(Discriminator {
            property: discriminator.property_name.clone(),
            tags,
        })
    }

    /// The pattern as the `regex` crate reads it: as written, or with the common constructs of
    /// other dialects (Java, ECMAScript) translated; a pattern that still does not compile is
    /// left out with a warning rather than failing generation.
    pub(super) fn pattern(&mut self, pattern: &str, pointer: &str) -> Option<String> {
        if regex::Regex::new(pattern).is_ok() {
            return Some(pattern.to_owned());
        }
        let translated = super::regex_dialect::translate(pattern);
        match regex::Regex::new(&translated) {
            Ok(_) => Some(translated),
            Err(err) => {
                let first = err.to_string();
                let first = first.lines().last().unwrap_or("").trim().to_owned();
                self.diag.warn(
                    pointer,
                    format!("pattern is not checked: the regex crate cannot read it ({first})"),
                );
                None
            }
        }
    }
}

/// A `number` schema of openapiv3's number type.
pub(super) fn number_type(n: &oa::NumberType) -> SchemaKind {
    let format = match &n.format {
        oa::VariantOrUnknownOrEmpty::Item(oa::NumberFormat::Float) => FloatFormat::Float,
        _ => FloatFormat::Double,
    };
    SchemaKind::Number(
        format,
        bounds(
            n.minimum,
            n.exclusive_minimum,
            n.maximum,
            n.exclusive_maximum,
            n.multiple_of,
        ),
    )
}

pub(super) fn bounds(
    minimum: Option<f64>,
    exclusive_minimum: bool,
    maximum: Option<f64>,
    exclusive_maximum: bool,
    multiple_of: Option<f64>,
) -> NumberRules {
    let (minimum, exclusive_minimum) = if exclusive_minimum {
        (None, minimum)
    } else {
        (minimum, None)
    };
    let (maximum, exclusive_maximum) = if exclusive_maximum {
        (None, maximum)
    } else {
        (maximum, None)
    };
    NumberRules {
        minimum,
        maximum,
        exclusive_minimum,
        exclusive_maximum,
        multiple_of,
    }
}
