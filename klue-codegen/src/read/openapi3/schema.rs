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
        let kind = match reference.strip_prefix(SCHEMA_PREFIX) {
            Some(name) if self.named_schema(name).is_some() => SchemaKind::Ref(name.to_owned()),
            Some(_) => {
                self.diag.error(
                    &join(pointer, "$ref"),
                    format!("unresolved reference '{reference}'"),
                );
                SchemaKind::Any
            }
            None => {
                self.diag.error_help(
                    &join(pointer, "$ref"),
                    format!("reference '{reference}' is not supported yet"),
                    "refer to schemas under #/components/schemas of the same file",
                );
                SchemaKind::Any
            }
        };
        Schema {
            kind,
            description: None,
            pointer: pointer.to_owned(),
            nullable: false,
        }
    }

    fn schema_item(&mut self, schema: &oa::Schema, pointer: &str) -> Schema {
        let description = schema.schema_data.description.clone();
        let kind = match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::Boolean(_)) => SchemaKind::Boolean,
            oa::SchemaKind::Type(oa::Type::String(s)) => self.string(s, pointer),
            oa::SchemaKind::Type(oa::Type::Integer(i)) => {
                let format = match &i.format {
                    oa::VariantOrUnknownOrEmpty::Item(oa::IntegerFormat::Int32) => IntFormat::Int32,
                    _ => IntFormat::Int64,
                };
                #[allow(clippy::cast_precision_loss)]
                let rules = bounds(
                    i.minimum.map(|v| v as f64),
                    i.exclusive_minimum,
                    i.maximum.map(|v| v as f64),
                    i.exclusive_maximum,
                    i.multiple_of.map(|v| v as f64),
                );
                SchemaKind::Integer(format, rules)
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
            oa::SchemaKind::Any(any) if !any.properties.is_empty() => self.object(
                &any.properties,
                &any.required,
                any.additional_properties.as_ref(),
                pointer,
            ),
            // Documented fallback until composition lands: any JSON value.
            oa::SchemaKind::Any(_)
            | oa::SchemaKind::AllOf { .. }
            | oa::SchemaKind::OneOf { .. }
            | oa::SchemaKind::AnyOf { .. }
            | oa::SchemaKind::Not { .. } => SchemaKind::Any,
        };
        Schema {
            kind,
            description,
            pointer: pointer.to_owned(),
            nullable: schema.schema_data.nullable,
        }
    }

    fn string(&mut self, s: &oa::StringType, pointer: &str) -> SchemaKind {
        if !s.enumeration.is_empty() {
            let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
            return SchemaKind::StringEnum(values);
        }
        if let Some(pattern) = &s.pattern {
            if let Err(err) = regex::Regex::new(pattern) {
                self.diag.error(
                    &join(pointer, "pattern"),
                    format!("pattern does not compile: {err}"),
                );
            }
        }
        let format = match &s.format {
            oa::VariantOrUnknownOrEmpty::Item(f) => Some(format!("{f:?}").to_ascii_lowercase()),
            oa::VariantOrUnknownOrEmpty::Unknown(f) => Some(f.clone()),
            oa::VariantOrUnknownOrEmpty::Empty => None,
        };
        SchemaKind::String(StringRules {
            min_length: s.min_length,
            max_length: s.max_length,
            pattern: s.pattern.clone(),
            format,
        })
    }

    fn object(
        &mut self,
        properties: &indexmap::IndexMap<String, oa::ReferenceOr<Box<oa::Schema>>>,
        required: &[String],
        additional: Option<&oa::AdditionalProperties>,
        pointer: &str,
    ) -> SchemaKind {
        for name in required {
            if !properties.contains_key(name) && !properties.is_empty() {
                self.diag.error(
                    &join(pointer, "required"),
                    format!("required property '{name}' is not declared in `properties`"),
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
            return SchemaKind::Map(Box::new(values));
        }
        let props_pointer = join(pointer, "properties");
        let properties = properties
            .iter()
            .map(|(name, schema)| Property {
                name: name.clone(),
                required: required.contains(name),
                schema: self.boxed(schema, &join(&props_pointer, name)),
            })
            .collect();
        SchemaKind::Object { properties }
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
