//! `allOf`: a reference with siblings (`allOf: [$ref]`), a reference described by annotating
//! parts, objects merged into one, and a scalar narrowed by constraint-only parts (what 3.1's
//! `$ref` with constraint siblings becomes).

use openapiv3 as oa;

use super::{Reader, SCHEMA_PREFIX};
use crate::diagnostics::join;
use crate::model::*;

impl Reader<'_, '_, '_> {
    /// The schema `schema` whose kind is `allOf: parts`.
    pub(super) fn all_of(
        &mut self,
        schema: &oa::Schema,
        parts: &[oa::ReferenceOr<oa::Schema>],
        pointer: &str,
    ) -> Schema {
        let description = schema.schema_data.description.clone();
        // `allOf: [$ref]` is 3.0's way to give a reference siblings such as `nullable`.
        if parts.len() == 1 {
            let mut target = self.schema(&parts[0], &join(&join(pointer, "allOf"), "0"));
            target.nullable |= schema.schema_data.nullable;
            target.description = description.or(target.description);
            return target;
        }
        // AWS' specs give each property a description this way: `allOf: [{$ref: X},
        // {description: ...}]`. Parts that only annotate constrain nothing, so the one
        // part that does is the schema (a `string` or `boolean` as much as an object).
        if constraining_parts(parts).count() <= 1 {
            return self.annotated(schema, parts, pointer);
        }
        if let Some(merged) = self.merge_all_of(parts) {
            let kind = self.object(
                &merged.properties,
                &merged.required,
                merged.additional.as_ref(),
                pointer,
            );
            return self.typed(kind, schema, pointer);
        }
        if let Some(kind) = self.narrowed(parts, pointer) {
            return self.typed(kind, schema, pointer);
        }
        // Parts that are not all objects: documented fallback, any JSON value.
        self.diag.warn(
            &join(pointer, "allOf"),
            "`allOf` of parts that are not all objects is not typed: any JSON value is accepted (a `type: object` beside it is checked)",
        );
        self.typed(SchemaKind::Any, schema, pointer)
    }

    /// An `allOf` of at most one constraining part and parts that only annotate it.
    fn annotated(
        &mut self,
        schema: &oa::Schema,
        parts: &[oa::ReferenceOr<oa::Schema>],
        pointer: &str,
    ) -> Schema {
        let annotations: Vec<&oa::Schema> = parts
            .iter()
            .filter_map(|part| part.as_item().filter(|p| only_annotates(p)))
            .collect();
        let nullable =
            schema.schema_data.nullable || annotations.iter().any(|a| a.schema_data.nullable);
        let Some((i, part)) = constraining_parts(parts).next() else {
            return Schema {
                nullable,
                ..Schema::any(pointer)
            };
        };
        let mut target = self.schema(part, &join(&join(pointer, "allOf"), &i.to_string()));
        target.nullable |= nullable;
        target.description = schema
            .schema_data
            .description
            .clone()
            .or_else(|| {
                annotations
                    .iter()
                    .find_map(|a| a.schema_data.description.clone())
            })
            .or(target.description);
        target
    }

    /// An `allOf` of one string, integer or number schema (inline or referred to) and inline
    /// parts without `type` that only constrain such values (`maxLength`, `maximum`, ...):
    /// that scalar with every part's constraints. `None` for any other mix.
    fn narrowed(
        &mut self,
        parts: &[oa::ReferenceOr<oa::Schema>],
        pointer: &str,
    ) -> Option<SchemaKind> {
        let mut base: Option<SchemaKind> = None;
        let mut constraints: Vec<(usize, &oa::AnySchema)> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            match part.as_item().map(|p| &p.schema_kind) {
                Some(oa::SchemaKind::Any(any)) if only_constrains_scalars(any) => {
                    constraints.push((i, any));
                }
                _ if base.is_none() => {
                    let at = join(&join(pointer, "allOf"), &i.to_string());
                    base = Some(self.scalar_kind(part, &at)?);
                }
                _ => return None,
            }
        }
        let mut kind = base?;
        for (i, any) in constraints {
            let at = join(&join(pointer, "allOf"), &i.to_string());
            kind = self.narrow(kind, any, &at)?;
        }
        Some(kind)
    }

    /// The kind of the scalar schema `part` (following a reference to a named schema); `None`
    /// when it is not a string, integer or number.
    fn scalar_kind(&mut self, part: &oa::ReferenceOr<oa::Schema>, at: &str) -> Option<SchemaKind> {
        let (schema, pointer) = match part {
            oa::ReferenceOr::Item(schema) => (schema.clone(), at.to_owned()),
            oa::ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix(SCHEMA_PREFIX)?;
                let named = self.named_schema(name)?.as_item()?.clone();
                (named, join("/components/schemas", name))
            }
        };
        let scalar = matches!(
            schema.schema_kind,
            oa::SchemaKind::Type(oa::Type::String(_) | oa::Type::Integer(_) | oa::Type::Number(_))
        );
        if !scalar || schema.schema_data.nullable {
            return None;
        }
        // A named schema is read quietly: its own diagnostics are reported where it is read.
        let mark = self.diag.mark();
        let kind = self.schema_item(&schema, &pointer).kind;
        if part.as_item().is_none() {
            self.diag.rewind(mark);
        }
        match kind {
            SchemaKind::String(_) | SchemaKind::Integer(..) | SchemaKind::Number(..) => Some(kind),
            _ => None,
        }
    }

    /// `kind` with the constraints of `any` (at `pointer`) too; `None` when they cannot be
    /// combined (two patterns, different `multipleOf`s, keywords of another type).
    fn narrow(
        &mut self,
        kind: SchemaKind,
        any: &oa::AnySchema,
        pointer: &str,
    ) -> Option<SchemaKind> {
        match kind {
            SchemaKind::String(mut rules) => {
                if any.minimum.is_some() || any.maximum.is_some() || any.multiple_of.is_some() {
                    return None;
                }
                rules.min_length = stricter(rules.min_length, any.min_length, usize::max);
                rules.max_length = stricter(rules.max_length, any.max_length, usize::min);
                if let Some(pattern) = &any.pattern {
                    if rules.pattern.is_some() {
                        return None;
                    }
                    rules.pattern = self.pattern(pattern, &join(pointer, "pattern"));
                }
                if rules.format.is_none() {
                    rules.format.clone_from(&any.format);
                }
                Some(SchemaKind::String(rules))
            }
            SchemaKind::Integer(format, rules) => {
                Some(SchemaKind::Integer(format, narrow_numbers(rules, any)?))
            }
            SchemaKind::Number(format, rules) => {
                Some(SchemaKind::Number(format, narrow_numbers(rules, any)?))
            }
            _ => None,
        }
    }
}

/// Whether `any` (a schema without `type`) only constrains strings or numbers: lengths,
/// `pattern`, bounds, `multipleOf`, `format`.
fn only_constrains_scalars(any: &oa::AnySchema) -> bool {
    let scalar_only = oa::AnySchema {
        pattern: None,
        multiple_of: None,
        exclusive_minimum: None,
        exclusive_maximum: None,
        minimum: None,
        maximum: None,
        format: None,
        min_length: None,
        max_length: None,
        ..any.clone()
    };
    any.typ.is_none() && scalar_only == oa::AnySchema::default() && *any != scalar_only
}

/// Number rules with the bounds of `any` too (both bounds of a kind apply, so each is the
/// stricter); `None` for length or pattern keywords, or a different `multipleOf`.
fn narrow_numbers(mut rules: NumberRules, any: &oa::AnySchema) -> Option<NumberRules> {
    if any.min_length.is_some() || any.max_length.is_some() || any.pattern.is_some() {
        return None;
    }
    let extra = super::schema::bounds(
        any.minimum,
        any.exclusive_minimum.unwrap_or(false),
        any.maximum,
        any.exclusive_maximum.unwrap_or(false),
        any.multiple_of,
    );
    rules.minimum = stricter(rules.minimum, extra.minimum, f64::max);
    rules.exclusive_minimum = stricter(rules.exclusive_minimum, extra.exclusive_minimum, f64::max);
    rules.maximum = stricter(rules.maximum, extra.maximum, f64::min);
    rules.exclusive_maximum = stricter(rules.exclusive_maximum, extra.exclusive_maximum, f64::min);
    match (rules.multiple_of, extra.multiple_of) {
        (Some(a), Some(b)) if a != b => return None,
        (None, b) => rules.multiple_of = b,
        _ => {}
    }
    Some(rules)
}

/// The stricter of two optional bounds (`pick` chooses between two).
fn stricter<T>(a: Option<T>, b: Option<T>, pick: impl Fn(T, T) -> T) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
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
