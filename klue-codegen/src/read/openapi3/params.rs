//! OpenAPI 3.0 parameters into model parameters.

use openapiv3 as oa;

use super::Reader;
use crate::diagnostics::join;
use crate::model::*;

/// The extension the Swagger 2.0 reader sets on a `collectionFormat: tsv` parameter.
pub(crate) const TSV_MARK: &str = "x-klue-collection-format";

impl Reader<'_, '_, '_> {
    pub(super) fn parameter(
        &mut self,
        param: &oa::ReferenceOr<oa::Parameter>,
        pointer: &str,
    ) -> Option<Parameter> {
        let (param, pointer) =
            self.component(param, pointer, "parameters", "parameter", |c| &c.parameters)?;
        let (data, location, style) = match &*param {
            oa::Parameter::Path {
                parameter_data,
                style,
            } => {
                let style = match style {
                    oa::PathStyle::Simple => ParamStyle::Simple,
                    oa::PathStyle::Label => ParamStyle::Label,
                    oa::PathStyle::Matrix => ParamStyle::Matrix,
                };
                (parameter_data, ParamLocation::Path, style)
            }
            oa::Parameter::Query {
                parameter_data,
                style,
                ..
            } => {
                let style = match style {
                    oa::QueryStyle::Form => ParamStyle::Form,
                    oa::QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
                    oa::QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
                    oa::QueryStyle::DeepObject => ParamStyle::DeepObject,
                };
                (parameter_data, ParamLocation::Query, style)
            }
            oa::Parameter::Header { parameter_data, .. } => {
                (parameter_data, ParamLocation::Header, ParamStyle::Simple)
            }
            oa::Parameter::Cookie { parameter_data, .. } => {
                (parameter_data, ParamLocation::Cookie, ParamStyle::Form)
            }
        };
        // Swagger 2.0's `collectionFormat: tsv` has no OpenAPI 3 style; the 2.0 reader marks it.
        let style = match data.extensions.get(TSV_MARK).and_then(|v| v.as_str()) {
            Some("tsv") => ParamStyle::TabDelimited,
            _ => style,
        };
        let mut explode = data.explode.unwrap_or(style == ParamStyle::Form);
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
        let schema = if self.is_param_type(&schema) {
            schema
        } else {
            self.param_fallback(schema, location, &data.name)
        };
        let mut style = style;
        if style == ParamStyle::DeepObject && !self.is_object(&schema) {
            self.diag.warn(
                &join(&pointer, "style"),
                format!(
                    "parameter '{}': `deepObject` is defined for objects only; it is read in `form` style",
                    data.name
                ),
            );
            style = ParamStyle::Form;
            explode = true;
        }
        let is_array = matches!(schema.kind, SchemaKind::Array { .. });
        let plain = if is_array {
            location == ParamLocation::Query && style == ParamStyle::Form && explode
        } else {
            !self.is_object(&schema) && style == ParamStyle::default_for(location)
        };
        Some(Parameter {
            description: data.description.clone(),
            style,
            explode,
            styled: !plain,
            default: self.param_default(&data.format),
            ..Parameter::plain(data.name.clone(), location, required, schema)
        })
    }

    /// The `default` of a parameter's schema (inline, or a named schema it refers to).
    fn param_default(&self, format: &oa::ParameterSchemaOrContent) -> Option<serde_json::Value> {
        let oa::ParameterSchemaOrContent::Schema(schema) = format else {
            return None;
        };
        let schema = match schema {
            oa::ReferenceOr::Item(item) => item,
            oa::ReferenceOr::Reference { reference } => reference
                .strip_prefix("#/components/schemas/")
                .and_then(|name| self.named_schema(name))?
                .as_item()?,
        };
        schema.schema_data.default.clone()
    }

    /// Whether `schema` is an object (or a map) a styled parameter can carry.
    fn is_object(&self, schema: &Schema) -> bool {
        match &schema.kind {
            SchemaKind::Object { .. } | SchemaKind::Map { .. } => true,
            SchemaKind::Ref(name) => matches!(
                self.named_schema(name)
                    .and_then(|s| s.as_item())
                    .map(|s| &s.schema_kind),
                Some(oa::SchemaKind::Type(oa::Type::Object(_)))
            ),
            _ => false,
        }
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
            } => SchemaKind::Array {
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

    /// Whether a response header of this schema is typed (a scalar or an array of scalars).
    pub(super) fn is_header_type(&self, schema: &Schema) -> bool {
        self.is_param_type(schema) && !self.is_object(schema)
    }

    fn is_param_type(&self, schema: &Schema) -> bool {
        match &schema.kind {
            SchemaKind::Boolean
            | SchemaKind::Integer(..)
            | SchemaKind::Number(..)
            | SchemaKind::String(_)
            | SchemaKind::StringEnum(_) => true,
            // Items and members are scalars; nested ones are read as JSON text.
            SchemaKind::Array { items, .. } => {
                !matches!(items.kind, SchemaKind::Array { .. })
                    && !self.is_object(items)
                    && self.is_param_type(items)
            }
            SchemaKind::Object { .. } | SchemaKind::Map { .. } => true,
            SchemaKind::Ref(name) => matches!(
                self.named_schema(name)
                    .and_then(|s| s.as_item())
                    .map(|s| &s.schema_kind),
                Some(oa::SchemaKind::Type(
                    oa::Type::String(_)
                        | oa::Type::Object(_)
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
