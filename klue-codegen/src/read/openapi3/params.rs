//! OpenAPI 3.0 parameters into model parameters.

use openapiv3 as oa;

use super::Reader;
use crate::diagnostics::join;
use crate::model::*;

impl Reader<'_, '_, '_> {
    pub(super) fn parameter(
        &mut self,
        param: &oa::ReferenceOr<oa::Parameter>,
        pointer: &str,
    ) -> Option<Parameter> {
        let (param, pointer) =
            self.component(param, pointer, "parameters", "parameter", |c| &c.parameters)?;
        let (data, location) = match &*param {
            oa::Parameter::Path { parameter_data, .. } => (parameter_data, ParamLocation::Path),
            oa::Parameter::Query { parameter_data, .. } => (parameter_data, ParamLocation::Query),
            oa::Parameter::Header { parameter_data, .. } => (parameter_data, ParamLocation::Header),
            oa::Parameter::Cookie { parameter_data, .. } => (parameter_data, ParamLocation::Cookie),
        };
        let schema = match &data.format {
            oa::ParameterSchemaOrContent::Schema(schema) => {
                self.schema(schema, &join(&pointer, "schema"))
            }
            oa::ParameterSchemaOrContent::Content(_) => {
                self.diag.warn(
                    &join(&pointer, "content"),
                    format!(
                        "parameter '{}' is given by `content`: it is read as a string",
                        data.name
                    ),
                );
                text_schema(&join(&pointer, "content"))
            }
        };
        let required = data.required || location == ParamLocation::Path;
        let schema = if self.is_param_type(&schema, location) {
            schema
        } else {
            self.param_fallback(schema, location, &data.name)
        };
        Some(Parameter {
            name: data.name.clone(),
            location,
            required,
            schema,
            description: data.description.clone(),
            credential: false,
        })
    }

    /// A parameter type klue does not decode (objects, unions, nested arrays) is read as its
    /// raw text; an array of such items as a list of strings.
    fn param_fallback(&mut self, schema: Schema, location: ParamLocation, name: &str) -> Schema {
        let pointer = schema.pointer.clone();
        let kind = match &schema.kind {
            SchemaKind::Array {
                min_items,
                max_items,
                ..
            } if location == ParamLocation::Query => SchemaKind::Array {
                items: Box::new(text_schema(&pointer)),
                min_items: *min_items,
                max_items: *max_items,
                unique_items: false,
            },
            _ => SchemaKind::String(StringRules::default()),
        };
        self.diag.warn(
            &pointer,
            format!(
                "parameter '{name}' has a type klue cannot read from the {}: it is read as text",
                super::location_name(location)
            ),
        );
        Schema {
            kind,
            description: schema.description,
            pointer,
            nullable: false,
        }
    }

    fn is_param_type(&self, schema: &Schema, location: ParamLocation) -> bool {
        match &schema.kind {
            SchemaKind::Boolean
            | SchemaKind::Integer(..)
            | SchemaKind::Number(..)
            | SchemaKind::String(_)
            | SchemaKind::StringEnum(_) => true,
            SchemaKind::Array { items, .. } => {
                location == ParamLocation::Query
                    && !matches!(items.kind, SchemaKind::Array { .. })
                    && self.is_param_type(items, location)
            }
            SchemaKind::Ref(name) => matches!(
                self.named_schema(name)
                    .and_then(|s| s.as_item())
                    .map(|s| &s.schema_kind),
                Some(oa::SchemaKind::Type(
                    oa::Type::String(_)
                        | oa::Type::Integer(_)
                        | oa::Type::Number(_)
                        | oa::Type::Boolean(_)
                ))
            ),
            _ => false,
        }
    }
}

/// A string without rules.
pub(super) fn text_schema(pointer: &str) -> Schema {
    Schema {
        kind: SchemaKind::String(StringRules::default()),
        description: None,
        pointer: pointer.to_owned(),
        nullable: false,
    }
}
