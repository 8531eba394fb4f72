//! Schemas that combine `allOf`/`oneOf`/`anyOf` with other keywords (`type`, `properties`,
//! `required`, ...), which the `openapiv3` crate parses as `SchemaKind::Any` with the
//! combinators set. They are read as the same schema written with the combinators alone, so
//! `type: object` beside `allOf` changes nothing, and what cannot be typed still checks its
//! JSON type, with a warning naming the schema.

use openapiv3 as oa;

use super::Reader;
use crate::diagnostics::join;
use crate::model::*;

/// Whether `any` carries a combinator beside its other keywords.
pub(super) fn has_combinator(any: &oa::AnySchema) -> bool {
    !any.all_of.is_empty() || !any.one_of.is_empty() || !any.any_of.is_empty()
}

impl Reader<'_, '_, '_> {
    /// `schema` (whose kind is `any`, with a combinator) read as its combinators say.
    pub(super) fn combined(
        &mut self,
        schema: &oa::Schema,
        any: &oa::AnySchema,
        pointer: &str,
    ) -> Schema {
        let typ = any.typ.as_deref();
        if typ.is_some_and(|t| t != "object") {
            let t = typ.unwrap_or_default();
            self.diag.warn(
                pointer,
                format!(
                    "`type: {t}` beside `allOf`/`oneOf`/`anyOf` is not typed: only the JSON type is checked"
                ),
            );
            return self.only_json_type(schema, t, pointer);
        }
        let own_object = !any.properties.is_empty()
            || !any.required.is_empty()
            || any.additional_properties.is_some();
        let (union_key, union) = if any.one_of.is_empty() {
            ("anyOf", &any.any_of)
        } else {
            ("oneOf", &any.one_of)
        };
        if !any.one_of.is_empty() && !any.any_of.is_empty() {
            self.diag.warn(
                &join(pointer, "anyOf"),
                "`anyOf` beside `oneOf` is not checked",
            );
        }
        if any.all_of.is_empty() && !own_object {
            // `type: object` (or only non-object keywords) beside a union: the union.
            let kind = if union_key == "oneOf" {
                oa::SchemaKind::OneOf {
                    one_of: union.clone(),
                }
            } else {
                oa::SchemaKind::AnyOf {
                    any_of: union.clone(),
                }
            };
            let read = self.schema_item(&rewritten(schema, kind), pointer);
            return self.typed_or_object(read, schema, typ, pointer);
        }
        if !union.is_empty() {
            self.diag.warn(
                &join(pointer, union_key),
                format!(
                    "`{union_key}` beside `allOf` or `properties` is not checked: values are read as the object the rest describes"
                ),
            );
        }
        if any.all_of.is_empty() {
            let kind = self.object(
                &any.properties,
                &any.required,
                any.additional_properties.as_ref(),
                pointer,
            );
            return with_kind(schema, kind, pointer);
        }
        // `allOf` beside `type: object` and/or the schema's own properties: one more part.
        let mut parts = any.all_of.clone();
        if own_object {
            parts.push(oa::ReferenceOr::Item(oa::Schema {
                schema_data: oa::SchemaData::default(),
                schema_kind: oa::SchemaKind::Type(oa::Type::Object(oa::ObjectType {
                    properties: any.properties.clone(),
                    required: any.required.clone(),
                    additional_properties: any.additional_properties.clone(),
                    ..oa::ObjectType::default()
                })),
            }));
        }
        let all_of = oa::SchemaKind::AllOf { all_of: parts };
        let read = self.schema_item(&rewritten(schema, all_of), pointer);
        self.typed_or_object(read, schema, typ, pointer)
    }

    /// `read` when it is typed; else (when `type: object` was given) a map of JSON values, so
    /// that at least non-objects are refused. An untyped `allOf` was warned of as it was read;
    /// an untyped union admits any value (an alternative does), so the map loses nothing.
    fn typed_or_object(
        &mut self,
        read: Schema,
        schema: &oa::Schema,
        typ: Option<&str>,
        pointer: &str,
    ) -> Schema {
        match typ {
            Some(t) if read.kind == SchemaKind::Any || contradicts(&read.kind, t) => {
                self.only_json_type(schema, t, pointer)
            }
            _ => read,
        }
    }

    /// A schema checking only the JSON type `t`.
    fn only_json_type(&self, schema: &oa::Schema, t: &str, pointer: &str) -> Schema {
        let kind = match t {
            "object" => SchemaKind::Map {
                values: Box::new(Schema::any(join(pointer, "additionalProperties"))),
                min_properties: None,
                max_properties: None,
            },
            "array" => SchemaKind::Array {
                items: Box::new(Schema::any(join(pointer, "items"))),
                min_items: None,
                max_items: None,
                unique_items: false,
            },
            "string" => SchemaKind::String(StringRules::default()),
            "integer" => SchemaKind::Integer(IntFormat::Int64, NumberRules::default()),
            "number" => SchemaKind::Number(FloatFormat::Double, NumberRules::default()),
            "boolean" => SchemaKind::Boolean,
            _ => SchemaKind::Any,
        };
        with_kind(schema, kind, pointer)
    }
}

/// Whether no value of `kind` has the JSON type `t` (`type: object` beside an `allOf` of
/// strings, which no value satisfies): the JSON type is then what is checked.
fn contradicts(kind: &SchemaKind, t: &str) -> bool {
    let own = match kind {
        SchemaKind::Boolean => "boolean",
        SchemaKind::Integer(..) if t == "number" => "number",
        SchemaKind::Integer(..) => "integer",
        SchemaKind::Number(..) => "number",
        SchemaKind::String(_) | SchemaKind::StringEnum(_) => "string",
        SchemaKind::Array { .. } => "array",
        SchemaKind::Object { .. } | SchemaKind::Map { .. } => "object",
        SchemaKind::Any | SchemaKind::Union { .. } | SchemaKind::Ref(_) => return false,
    };
    own != t
}

/// `schema` with its kind replaced (its description, nullability, discriminator... kept).
fn rewritten(schema: &oa::Schema, kind: oa::SchemaKind) -> oa::Schema {
    oa::Schema {
        schema_data: schema.schema_data.clone(),
        schema_kind: kind,
    }
}

fn with_kind(schema: &oa::Schema, kind: SchemaKind, pointer: &str) -> Schema {
    Schema {
        kind,
        description: schema.schema_data.description.clone(),
        pointer: pointer.to_owned(),
        nullable: schema.schema_data.nullable,
    }
}
