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
        let description = schema.schema_data.description.clone();
        let kind = match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::Boolean(_)) => SchemaKind::Boolean,
            oa::SchemaKind::Type(oa::Type::String(s)) => self.string(s, pointer),
            oa::SchemaKind::Type(oa::Type::Integer(i)) => {
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
            oa::SchemaKind::Type(oa::Type::Number(n)) => {
                let format = match &n.format {
                    oa::VariantOrUnknownOrEmpty::Item(oa::NumberFormat::Float) => {
                        FloatFormat::Float
                    }
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
            oa::SchemaKind::Type(oa::Type::Array(a)) => {
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
            oa::SchemaKind::Type(oa::Type::Object(o)) => self.object(
                &o.properties,
                &o.required,
                o.additional_properties.as_ref(),
                pointer,
            ),
            // `allOf: [$ref]` is 3.0's way to give a reference siblings such as `nullable`.
            oa::SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                let mut target = self.schema(&all_of[0], &join(&join(pointer, "allOf"), "0"));
                target.nullable |= schema.schema_data.nullable;
                target.description = description.or(target.description);
                return target;
            }
            // AWS' specs give each property a description this way: `allOf: [{$ref: X},
            // {description: ...}]`. Parts that only annotate constrain nothing, so the one
            // part that does is the schema (a `string` or `boolean` as much as an object).
            oa::SchemaKind::AllOf { all_of } if constraining_parts(all_of).count() <= 1 => {
                let annotations: Vec<&oa::Schema> = all_of
                    .iter()
                    .filter_map(|part| part.as_item().filter(|p| only_annotates(p)))
                    .collect();
                let Some((i, part)) = constraining_parts(all_of).next() else {
                    return Schema {
                        nullable: schema.schema_data.nullable
                            || annotations.iter().any(|a| a.schema_data.nullable),
                        ..Schema::any(pointer)
                    };
                };
                let mut target = self.schema(part, &join(&join(pointer, "allOf"), &i.to_string()));
                target.nullable |= schema.schema_data.nullable
                    || annotations.iter().any(|a| a.schema_data.nullable);
                target.description = description
                    .or_else(|| {
                        annotations
                            .iter()
                            .find_map(|a| a.schema_data.description.clone())
                    })
                    .or(target.description);
                return target;
            }
            oa::SchemaKind::AllOf { all_of } => match self.merge_all_of(all_of) {
                Some(merged) => self.object(
                    &merged.properties,
                    &merged.required,
                    merged.additional.as_ref(),
                    pointer,
                ),
                // Parts that are not all objects: documented fallback, any JSON value.
                None => {
                    self.diag.warn(
                        &join(pointer, "allOf"),
                        "`allOf` of parts that are not all objects is not typed: any JSON value is accepted (a `type: object` beside it is checked)",
                    );
                    SchemaKind::Any
                }
            },
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
            oa::SchemaKind::OneOf { one_of: parts } | oa::SchemaKind::AnyOf { any_of: parts } => {
                let key = if matches!(schema.schema_kind, oa::SchemaKind::OneOf { .. }) {
                    "oneOf"
                } else {
                    "anyOf"
                };
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
                    0 => SchemaKind::Any,
                    1 => {
                        let mut only = alternatives.remove(0);
                        only.nullable |= nullable;
                        only.description = description.or(only.description);
                        return only;
                    }
                    _ if alternatives.iter().any(|a| a.kind == SchemaKind::Any) => SchemaKind::Any,
                    _ => {
                        let discriminator =
                            schema.schema_data.discriminator.as_ref().and_then(|d| {
                                self.discriminator(
                                    d,
                                    &alternatives,
                                    &join(pointer, "discriminator"),
                                )
                            });
                        return Schema {
                            kind: SchemaKind::Union {
                                alternatives,
                                one_of: key == "oneOf",
                                discriminator,
                            },
                            description,
                            pointer: pointer.to_owned(),
                            nullable,
                        };
                    }
                }
            }
            // Documented fallback: any JSON value.
            oa::SchemaKind::Any(_) | oa::SchemaKind::Not { .. } => SchemaKind::Any,
        };
        Schema {
            kind: self.property_counts(kind, schema, pointer),
            description,
            pointer: pointer.to_owned(),
            nullable: schema.schema_data.nullable,
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
    fn pattern(&mut self, pattern: &str, pointer: &str) -> Option<String> {
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

/// An inline schema without a validation keyword: a description, a title, an example.
fn only_annotates(schema: &oa::Schema) -> bool {
    schema.schema_kind == oa::SchemaKind::Any(oa::AnySchema::default())
}

/// The parts of an `allOf` that constrain a value (with their index): references, and inline
/// schemas that are not [`only_annotates`].
fn constraining_parts(
    parts: &[oa::ReferenceOr<oa::Schema>],
) -> impl Iterator<Item = (usize, &oa::ReferenceOr<oa::Schema>)> {
    parts
        .iter()
        .enumerate()
        .filter(|(_, part)| part.as_item().is_none_or(|p| !only_annotates(p)))
}

/// The object an `allOf` of objects describes.
#[derive(Default)]
struct Merged {
    properties: indexmap::IndexMap<String, oa::ReferenceOr<Box<oa::Schema>>>,
    required: Vec<String>,
    additional: Option<oa::AdditionalProperties>,
}

impl Reader<'_, '_, '_> {
    /// Merges the parts of an `allOf` (inline objects and references to them, themselves
    /// possibly `allOf`s) into one object; `None` when a part is not an object.
    fn merge_all_of(&mut self, parts: &[oa::ReferenceOr<oa::Schema>]) -> Option<Merged> {
        let mut merged = Merged::default();
        let mut seen = Vec::new();
        for part in parts {
            self.merge_part(part, &mut merged, &mut seen)?;
        }
        Some(merged)
    }

    fn merge_part(
        &mut self,
        part: &oa::ReferenceOr<oa::Schema>,
        merged: &mut Merged,
        seen: &mut Vec<String>,
    ) -> Option<()> {
        let schema = match part {
            oa::ReferenceOr::Item(schema) => schema.clone(),
            oa::ReferenceOr::Reference { reference } => {
                if seen.contains(reference) {
                    return Some(());
                }
                seen.push(reference.clone());
                let name = reference.strip_prefix(SCHEMA_PREFIX);
                match name.and_then(|n| self.named_schema(n)) {
                    Some(oa::ReferenceOr::Item(schema)) => schema.clone(),
                    Some(other) => return self.merge_part(&other.clone(), merged, seen),
                    None => {
                        let (value, _) = self.resolve_pointer(reference)?;
                        serde_json::from_value(value.clone()).ok()?
                    }
                }
            }
        };
        let (properties, required, additional) = match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::Object(o)) => {
                (&o.properties, &o.required, o.additional_properties.as_ref())
            }
            oa::SchemaKind::Any(any) if any.typ.as_deref().is_none_or(|t| t == "object") => {
                // Its own `allOf` is merged too (a union beside it is not checked, as where the
                // schema is read by itself).
                for inner in &any.all_of {
                    self.merge_part(inner, merged, seen)?;
                }
                (
                    &any.properties,
                    &any.required,
                    any.additional_properties.as_ref(),
                )
            }
            oa::SchemaKind::AllOf { all_of } => {
                for inner in all_of {
                    self.merge_part(inner, merged, seen)?;
                }
                return Some(());
            }
            _ => return None,
        };
        for (name, property) in properties {
            merged.properties.insert(name.clone(), property.clone());
        }
        for name in required {
            if !merged.required.contains(name) {
                merged.required.push(name.clone());
            }
        }
        if additional.is_some() {
            merged.additional = additional.cloned();
        }
        Some(())
    }
}

fn bounds(
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
